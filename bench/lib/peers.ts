import { fork, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';

/**
 * The two servers a fan-out scenario compares, each in a child process of its own (the same bundle,
 * started with `--role=<kind>`), and the raw WebSocket clients that talk to them. Both sides use the
 * same raw `ws` client, so client-side cost is equal and small; what differs is the server.
 */
export type ServerKind = 'switchboard' | 'socket.io';

export interface ServerProcess {
  readonly kind: ServerKind;
  readonly port: number;
  /** The server process' memory, after a full GC. */
  memory(): Promise<{ rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

/** Starts `kind` in a child process running this same bundle with `--role=<kind>`. */
export async function startServer(kind: ServerKind): Promise<ServerProcess> {
  // BENCH_CPU_PROF=<dir>: each server process writes a V8 CPU profile there (open it in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = fork(process.argv[1]!, [`--role=${kind}`], { execArgv: ['--expose-gc', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send({ type });
    });
  return {
    kind,
    port,
    memory: () => ask('memory'),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGINT lets a profiled process write its profile; SIGKILL if it does not go.
      child.kill(prof.length ? 'SIGINT' : 'SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** What a server process runs: answers the driver's IPC (port, memory). */
export function serveIpc(port: number): void {
  process.send!({ port });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send!({ rss, heapUsed });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

/** A raw client of either server: connected and (if `subscribe`) in the fan-out room/channel. */
export interface BenchClient {
  publish(data: unknown): void;
  close(): void;
}

export type OnMessage = (data: { t: number; i: number }) => void;

/** Connects one client; resolves once it is ready to receive (subscribed) or to publish. */
export function connect(kind: ServerKind, port: number, subscribe: boolean, onMessage: OnMessage): Promise<BenchClient> {
  return kind === 'switchboard' ? connectSwitchboard(port, subscribe, onMessage) : connectSocketIo(port, subscribe, onMessage);
}

let ids = 0;

function connectSwitchboard(port: number, subscribe: boolean, onMessage: OnMessage): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime`, { perMessageDeflate: false });
    const client: BenchClient = {
      publish: (data) => ws.send(JSON.stringify({ type: 'publish', id: `p${ids++}`, channel: 'bench', event: 'm', data })),
      close: () => ws.terminate(),
    };
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1 })));
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { type: string; data?: { t: number; i: number } };
      if (frame.type === 'message') onMessage(frame.data!);
      else if (frame.type === 'welcome') {
        if (subscribe) ws.send(JSON.stringify({ type: 'subscribe', channel: 'bench' }));
        else resolve(client);
      } else if (frame.type === 'subscribed') resolve(client);
      else if (frame.type === 'ping') ws.send('{"type":"pong"}');
    });
  });
}

function connectSocketIo(port: number, subscribe: boolean, onMessage: OnMessage): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    // Engine.IO v4 over a raw WebSocket: `0` open, `40` namespace connect, `2`/`3` ping/pong, `42[…]` events.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket${subscribe ? '&sub=1' : ''}`, { perMessageDeflate: false });
    const client: BenchClient = {
      publish: (data) => ws.send(`42${JSON.stringify(['pub', data])}`),
      close: () => ws.terminate(),
    };
    ws.on('error', reject);
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('42')) {
        const [, data] = JSON.parse(text.slice(2)) as [string, { t: number; i: number }];
        onMessage(data);
      } else if (text.startsWith('0')) ws.send('40');
      else if (text.startsWith('40')) resolve(client);
      else if (text === '2') ws.send('3');
    });
  });
}

/** Connects `count` clients, `batch` at a time. */
export async function connectMany(kind: ServerKind, port: number, count: number, subscribe: boolean, onMessage: OnMessage, batch = 250): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    clients.push(...(await Promise.all(Array.from({ length: n }, () => connect(kind, port, subscribe, onMessage)))));
  }
  return clients;
}
