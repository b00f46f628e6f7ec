import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real `redis-server` for tests, on 127.0.0.1 and a free port, with its own directory. `persistent`
 * turns on the append-only file (fsync on every write), so a restart — even after SIGKILL — keeps the
 * data, as a production Redis configured for it does.
 */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** A command through redis-cli (for FLUSHALL and friends). */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

/** Installs Debian's redis-server when it is missing (CI machines start fresh). */
export function ensureRedisServer(): void {
  if (spawnSync('redis-server', ['--version']).status === 0) return;
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    if (install().status !== 0) throw new Error('redis-server is missing and `apt-get install -y redis-server` failed (run it as root).');
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => done(false), 500);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.on('error', () => done(false));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.on('connect', () => socket.write('PING\r\n'));
  });
}

export async function startRedis(options: { persistent?: boolean } = {}): Promise<TestRedis> {
  ensureRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  let port = await freePort();
  let child: ChildProcess | null = null;
  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'warning'];
    args.push('--appendonly', options.persistent ? 'yes' : 'no', '--appendfsync', 'always');
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      await kill();
      if (attempt >= 2) throw error;
      port = await freePort(); // someone took the port in between: try another
    }
  }
  return {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    kill,
    start: launch,
    cli: (...args) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim(),
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
