import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliConfig } from '../../src/cli-config.js';
import { CLI_PATH } from './cli-build.js';

/** A `switchboard serve` child process (the real CLI, bundled by the global setup) on 127.0.0.1, port 0. */
export interface NodeProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** `ws://…/realtime` */
  readonly wsUrl: string;
  /** Everything it wrote to stderr. */
  readonly stderr: () => string;
  /** Resolves with the exit code / signal when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: a crash, nothing is closed in an orderly way. */
  kill(): Promise<void>;
  /** SIGTERM: an orderly shutdown. */
  stop(): Promise<void>;
}

export async function startNode(name: string, config: CliConfig, env: Record<string, string> = {}): Promise<NodeProcess> {
  const dir = mkdtempSync(join(tmpdir(), `switchboard-${name}-`));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ host: '127.0.0.1', port: 0, ...config }));
  const child: ChildProcess = spawn(process.execPath, [CLI_PATH, 'serve', '--config', file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 10 s: ${stdout}${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited: ${stderr}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}/realtime`,
    wsUrl: `ws://127.0.0.1:${port}/realtime`,
    stderr: () => stderr,
    exited,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
