import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { forkRole, serveRequests, until, type RoleProcess } from './roles.js';

/**
 * The client-side scenarios' server: a plain `ws` server in its own process that speaks just enough
 * of the native protocol (docs/protocol.md) — `hello` → `welcome`, `subscribe` → `subscribed`,
 * `ping` → `pong`, `publish` → `ack` — and sends `message` frames that were encoded before the clock
 * starts, written to the TCP socket in bulk. So the server costs next to nothing while a client is
 * timed: what is measured is the client. (The server kit's own fan-out is `server-fanout`'s subject.)
 *
 * A connection whose URL has `?auto=<channel>` is subscribed to that channel as it opens: that is how
 * the raw `ws` client and the other libraries (which know nothing of the protocol) get the same frames.
 */
export const PEER_ROLE = 'native-peer';

interface Conn {
  readonly ws: WebSocket;
  readonly channels: Set<string>;
}

interface Prepared {
  readonly buffer: Buffer;
  /** Byte offset where each frame ends (for paced sending). */
  readonly ends: number[];
  readonly textBytes: number;
}

/** One unmasked WebSocket text frame (server → client). */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, n]) : n < 65_536 ? Buffer.from([0x81, 126, n >> 8, n & 0xff]) : null;
  if (!header) throw new Error('frame too large for the bench peer');
  return Buffer.concat([header, payload]);
}

/** The `message` frame text of message `i`: about 100 bytes, like the scenarios promise. */
export function messageText(channel: string, epoch: string, i: number): string {
  const head = `{"type":"message","channel":"${channel}","event":"m","data":{"i":${i},"v":"`;
  const tail = `"},"offset":"${epoch}.${i + 1}"}`;
  return head + 'x'.repeat(Math.max(1, 100 - head.length - tail.length)) + tail;
}

/** Runs in the peer process. */
export async function runNativePeer(port: number): Promise<void> {
  const conns = new Set<Conn>();
  const stats = { opened: 0, subscribes: {} as Record<string, number>, unsubscribes: {} as Record<string, number>, frames: 0 };
  const prepared = new Map<string, Prepared>();
  let epochs = 0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 1 << 20 });
  const subscribe = (conn: Conn, channel: string) => {
    conn.channels.add(channel);
    stats.subscribes[channel] = (stats.subscribes[channel] ?? 0) + 1;
  };
  wss.on('connection', (ws, req: IncomingMessage) => {
    stats.opened++;
    const conn: Conn = { ws, channels: new Set() };
    conns.add(conn);
    const auto = new URL(req.url ?? '/', 'http://x').searchParams.get('auto');
    if (auto) subscribe(conn, auto);
    ws.on('close', () => conns.delete(conn));
    ws.on('error', () => {});
    ws.on('message', (raw) => {
      stats.frames++;
      let f: { type?: string; channel?: string; id?: string };
      try {
        f = JSON.parse(raw.toString()) as typeof f;
      } catch {
        return;
      }
      if (f.type === 'hello') {
        ws.send(JSON.stringify({ type: 'welcome', v: 1, session: `s${stats.opened}`, member: `s${stats.opened}`, heartbeatMs: 25_000, limits: { maxFrameBytes: 131_072, maxChannels: 100_000, messagesPerSecond: 1_000_000 } }));
      } else if (f.type === 'subscribe' && f.channel) {
        subscribe(conn, f.channel);
        ws.send(JSON.stringify({ type: 'subscribed', channel: f.channel, resumed: false, cursor: `e${epochs}.0` }));
      } else if (f.type === 'unsubscribe' && f.channel) {
        conn.channels.delete(f.channel);
        stats.unsubscribes[f.channel] = (stats.unsubscribes[f.channel] ?? 0) + 1;
      } else if (f.type === 'ping') ws.send('{"type":"pong"}');
      else if (f.type === 'publish' && f.id) ws.send(JSON.stringify({ type: 'ack', id: f.id }));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;
  serveRequests(async (m) => {
    switch (m.type) {
      case 'prepare': {
        const channel = String(m.channel);
        const count = Number(m.count);
        const epoch = `e${++epochs}`;
        const frames: Buffer[] = [];
        const ends: number[] = [];
        let bytes = 0;
        let textBytes = 0;
        for (let i = 0; i < count; i++) {
          const text = messageText(channel, epoch, i);
          textBytes += text.length;
          const f = frame(text);
          frames.push(f);
          ends.push((bytes += f.length));
        }
        prepared.set(channel, { buffer: Buffer.concat(frames), ends, textBytes });
        return { ok: true, bytesPerMessage: textBytes / count };
      }
      case 'blast': {
        // Everything at once: the client reads it as fast as TCP and its event loop allow.
        const p = prepared.get(String(m.channel))!;
        let targets = 0;
        for (const conn of conns) {
          if (!conn.channels.has(String(m.channel))) continue;
          targets++;
          socketOf(conn.ws).write(p.buffer);
        }
        return { targets };
      }
      case 'paced': {
        // `perTick` messages every `everyMs`, for a steady stream of small arrival batches.
        const p = prepared.get(String(m.channel))!;
        const perTick = Number(m.perTick);
        const everyMs = Number(m.everyMs);
        const sockets = [...conns].filter((c) => c.channels.has(String(m.channel))).map((c) => socketOf(c.ws));
        let start = 0;
        for (let i = perTick - 1; ; i += perTick) {
          const end = p.ends[Math.min(i, p.ends.length - 1)]!;
          for (const s of sockets) s.write(p.buffer.subarray(start, end));
          start = end;
          if (i >= p.ends.length - 1) break;
          await new Promise((resolve) => setTimeout(resolve, everyMs));
        }
        return { targets: sockets.length };
      }
      case 'stats': {
        const live: Record<string, number> = {};
        for (const conn of conns) for (const c of conn.channels) live[c] = (live[c] ?? 0) + 1;
        return { connections: conns.size, opened: stats.opened, subscribes: stats.subscribes, unsubscribes: stats.unsubscribes, frames: stats.frames, live };
      }
      case 'reset':
        stats.opened = 0;
        stats.subscribes = {};
        stats.unsubscribes = {};
        stats.frames = 0;
        return {};
      default:
        throw new Error(`unknown request ${String(m.type)}`);
    }
  });
  process.send!({ type: 'ready', port: (wss.address() as { port: number }).port });
}

export interface PeerStats {
  connections: number;
  opened: number;
  subscribes: Record<string, number>;
  unsubscribes: Record<string, number>;
  frames: number;
  live: Record<string, number>;
}

/** The driver's handle on a peer process. */
export interface NativePeer {
  readonly port: number;
  readonly url: string;
  readonly process: RoleProcess;
  prepare(channel: string, count: number): Promise<{ bytesPerMessage: number }>;
  /** Writes the prepared messages of `channel` to each of its subscribers at once. */
  blast(channel: string): Promise<{ targets: number }>;
  paced(channel: string, perTick: number, everyMs: number): Promise<{ targets: number }>;
  stats(): Promise<PeerStats>;
  reset(): Promise<void>;
  /** Waits until `channel` has `count` live subscribers. */
  waitForSubscribers(channel: string, count: number, timeoutMs?: number): Promise<void>;
  /** Waits until no connection is left. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startNativePeer(port = 0): Promise<NativePeer> {
  const { process: child, ready } = await forkRole(PEER_ROLE, { port });
  const actualPort = ready.port as number;
  const stats = () => child.request<PeerStats>({ type: 'stats' });
  return {
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}/realtime`,
    process: child,
    prepare: (channel, count) => child.request({ type: 'prepare', channel, count }),
    blast: (channel) => child.request({ type: 'blast', channel }),
    paced: (channel, perTick, everyMs) => child.request({ type: 'paced', channel, perTick, everyMs }, 600_000),
    stats,
    reset: async () => void (await child.request({ type: 'reset' })),
    async waitForSubscribers(channel, count, timeoutMs = 20_000) {
      if (!(await until(async () => ((await stats()).live[channel] ?? 0) >= count, timeoutMs, 5))) throw new Error(`peer: ${count} subscribers of ${channel} not reached`);
    },
    async waitForIdle(timeoutMs = 20_000) {
      if (!(await until(async () => (await stats()).connections === 0, timeoutMs, 5))) throw new Error('peer: connections left open');
    },
    stop: () => child.kill(),
  };
}
