import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { forkRole, serveRequests, type RoleProcess } from './roles.js';

/**
 * The reconnect-storm scenario's server and its arithmetic.
 *
 * The server is a process of its own that binds only when told to (`listen`), so a replacement can be
 * forked (Node's start-up is slow and noisy) right after the old one is killed and made to listen at
 * an exact moment on the same port. It speaks just enough of the native protocol (docs/protocol.md)
 * for switchboard to become protocol-ready and resubscribe: `hello` → `welcome`,
 * `subscribe` → `subscribed`, `ping` → `pong`. The other libraries only open a socket.
 */
export const STORM_ROLE = 'storm-server';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Runs in the server process. */
export function runStormServer(): void {
  let wss: WebSocketServer | null = null;
  let connections = 0;
  let subscribes = 0;
  let sessions = 0;
  serveRequests(async (m) => {
    if (m.type === 'listen') {
      const port = Number(m.port);
      // SO_REUSEADDR is Node's default for listening sockets: the killed server's port can be rebound
      // at once. Retried anyway, should the kernel still hold it.
      for (let tries = 0; ; tries++) {
        try {
          wss = await bind(port);
          break;
        } catch (error) {
          if (tries >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      const at = epochNow();
      wss.on('connection', (ws) => {
        connections++;
        ws.on('close', () => connections--);
        ws.on('error', () => {});
        ws.on('message', (raw) => {
          const text = raw.toString();
          if (!text.startsWith('{')) return;
          let f: { type?: string; channel?: string };
          try {
            f = JSON.parse(text) as typeof f;
          } catch {
            return;
          }
          if (f.type === 'hello') {
            const session = `s${++sessions}`;
            ws.send(JSON.stringify({ type: 'welcome', v: 1, session, member: session, heartbeatMs: 25_000, limits: { maxFrameBytes: 131_072, maxChannels: 100, messagesPerSecond: 1000 } }));
          }
          else if (f.type === 'subscribe' && f.channel) {
            subscribes++;
            ws.send(JSON.stringify({ type: 'subscribed', channel: f.channel, resumed: false, cursor: 'e0.0' }));
          } else if (f.type === 'ping') ws.send('{"type":"pong"}');
        });
      });
      return { at };
    }
    if (m.type === 'stats') return { connections, subscribes };
    throw new Error(`unknown request ${String(m.type)}`);
  });
  process.send!({ type: 'ready' });
}

function bind(port: number): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
    wss.once('listening', () => resolve(wss));
    wss.once('error', reject);
  });
}

/** The driver's handle on one storm server process (not listening until `listen`). */
export interface StormServer {
  readonly process: RoleProcess;
  /** Binds `port`; resolves with the wall-clock time (`epochNow`) the server was listening. */
  listen(port: number): Promise<number>;
  stats(): Promise<{ connections: number; subscribes: number }>;
  /** SIGKILL: every socket drops without a close frame. */
  kill(): Promise<void>;
}

export async function spawnStormServer(): Promise<StormServer> {
  const { process: child } = await forkRole(STORM_ROLE);
  return {
    process: child,
    listen: async (port) => (await child.request<{ at: number; error?: string }>({ type: 'listen', port }, 10_000)).at,
    stats: () => child.request({ type: 'stats' }),
    kill: () => child.kill(),
  };
}

/** A loopback port that is free now (bound to 0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Counts of `times` (ms) per `bucketMs` bucket, from 0 through the bucket holding `lastMs`. */
export function histogram(times: readonly number[], bucketMs: number, lastMs: number): number[] {
  const buckets = new Array<number>(Math.floor(Math.max(0, lastMs) / bucketMs) + 1).fill(0);
  for (const t of times) {
    if (t < 0 || t >= buckets.length * bucketMs) continue;
    buckets[Math.floor(t / bucketMs)]!++;
  }
  return buckets;
}

export interface Spread {
  /** Buckets in the window. */
  buckets: number;
  /** Attempts in the window. */
  attempts: number;
  /** Attempts in the window divided evenly across its buckets. */
  uniform: number;
  /** The fullest bucket. */
  max: number;
  /** Index of the fullest bucket within the window. */
  maxAt: number;
  /** `max / uniform`: 1 is perfectly even; a lockstep burst scores the window's bucket count. */
  ratio: number;
}

/**
 * How evenly `times` fall into `bucketMs` buckets over the window [`fromMs`, `toMs`]: buckets counted
 * from `fromMs` through the one holding `toMs`.
 */
export function spread(times: readonly number[], bucketMs: number, fromMs: number, toMs: number): Spread {
  const counts = histogram(
    times.map((t) => t - fromMs),
    bucketMs,
    toMs - fromMs,
  );
  const attempts = counts.reduce((a, b) => a + b, 0);
  const uniform = attempts / counts.length;
  const max = Math.max(...counts);
  return { buckets: counts.length, attempts, uniform, max, maxAt: counts.indexOf(max), ratio: uniform ? max / uniform : 0 };
}
