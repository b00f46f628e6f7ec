import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type ProxyMode =
  /** Bytes flow (after `delayMs`). */
  | 'pass'
  /** Connections stay open but nothing gets through, in either direction, not even a close. */
  | 'black-hole'
  /** New connections are reset at once, as if nothing listened. */
  | 'refuse';

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
  /** When the last delayed chunk in each direction is due, to keep order under a delay. */
  dueUp: number;
  dueDown: number;
}

interface Corruption {
  readonly find: Buffer;
  readonly replace: Buffer;
  done: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 that injects network faults between a client and its server: cut every
 * connection, add latency, black-hole (half-open connections: nothing passes, nothing closes), refuse
 * new connections, corrupt the next server→client bytes matching a pattern, or point at another port
 * (a restarted server).
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #target: number | null;
  #mode: ProxyMode = 'pass';
  #delayMs = 0;
  #corruptions: Corruption[] = [];
  /** Connections accepted since the proxy started. */
  accepted = 0;
  /** Corruptions applied. */
  corrupted = 0;

  private constructor(server: Server, target: number | null) {
    this.#server = server;
    this.#target = target;
    server.on('connection', (socket) => this.#accept(socket));
  }

  /** Starts a proxy on 127.0.0.1 (port 0) forwarding to `targetPort` on 127.0.0.1. */
  static async start(targetPort: number | null): Promise<FaultProxy> {
    const server = createServer({ pauseOnConnect: true });
    const proxy = new FaultProxy(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Open client connections. */
  get connections(): number {
    return this.#pairs.size;
  }

  /** Forwards new connections to another port (`null`: nothing listens, connections are reset). */
  retarget(port: number | null): void {
    this.#target = port;
  }

  /** Drops every open connection (RST), as a network failure or a crashed server would. */
  cut(): void {
    for (const pair of [...this.#pairs]) this.#destroy(pair);
  }

  /** Nothing passes any more, in either direction, and no close is propagated. */
  blackHole(): void {
    this.#mode = 'black-hole';
  }

  /** New connections are reset at once (existing ones are left alone; `cut()` them too for an outage). */
  refuse(): void {
    this.#mode = 'refuse';
  }

  /** Adds latency to every chunk in both directions (order kept). */
  delay(ms: number): void {
    this.#delayMs = Math.max(0, ms);
  }

  /** Back to normal: bytes pass without delay. Black-holed connections stay dead (as after a real one). */
  heal(): void {
    this.#mode = 'pass';
    this.#delayMs = 0;
  }

  /** Replaces the next server→client occurrence of `find` by `replace` (same byte length, so framing survives). */
  corrupt(find: string, replace: string): void {
    const a = Buffer.from(find);
    const b = Buffer.from(replace);
    if (a.length !== b.length) throw new Error('corrupt(): find and replace must have the same byte length');
    this.#corruptions.push({ find: a, replace: b, done: false });
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => {});
    if (this.#mode === 'refuse' || this.#target === null) {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null, dueUp: 0, dueDown: 0 };
    this.#pairs.add(pair);
    const upstream = createConnection({ host: '127.0.0.1', port: this.#target });
    pair.upstream = upstream;
    upstream.on('error', () => this.#destroy(pair));
    upstream.on('connect', () => client.resume());
    client.on('data', (chunk: Buffer) => this.#forward(pair, chunk, 'up'));
    upstream.on('data', (chunk: Buffer) => this.#forward(pair, chunk, 'down'));
    const onEnd = (from: Socket) => () => {
      if (this.#mode === 'black-hole') return;
      const to = from === client ? upstream : client;
      const due = from === client ? pair.dueUp : pair.dueDown;
      setTimeout(() => to.end(), Math.max(0, due - Date.now()));
    };
    client.on('end', onEnd(client));
    upstream.on('end', onEnd(upstream));
    client.on('close', () => this.#destroy(pair));
    upstream.on('close', () => {
      if (this.#mode !== 'black-hole') this.#destroy(pair);
    });
  }

  #forward(pair: Pair, chunk: Buffer, direction: 'up' | 'down'): void {
    if (this.#mode === 'black-hole') return;
    const data = direction === 'down' ? this.#applyCorruption(chunk) : chunk;
    const to = direction === 'up' ? pair.upstream : pair.client;
    if (!to) return;
    if (this.#delayMs === 0 && (direction === 'up' ? pair.dueUp : pair.dueDown) <= Date.now()) {
      to.write(data);
      return;
    }
    const now = Date.now();
    const due = Math.max(now + this.#delayMs, direction === 'up' ? pair.dueUp : pair.dueDown);
    if (direction === 'up') pair.dueUp = due;
    else pair.dueDown = due;
    setTimeout(() => {
      if (!to.destroyed && this.#mode !== 'black-hole') to.write(data);
    }, due - now);
  }

  #applyCorruption(chunk: Buffer): Buffer {
    const pending = this.#corruptions.find((c) => !c.done);
    if (!pending) return chunk;
    const at = chunk.indexOf(pending.find);
    if (at < 0) return chunk;
    const copy = Buffer.from(chunk);
    pending.replace.copy(copy, at);
    pending.done = true;
    this.corrupted++;
    return copy;
  }

  #destroy(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  }
}
