import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of one process (Redis, a server): `cut()` drops every connection
 * and refuses new ones, as a network partition does; `heal()` lets them in again; `mute()` keeps
 * passing what clients send but drops every answer (a server that stores a publish and dies before
 * its ack gets out looks like this to the client).
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #open = true;
  #muted = false;

  private constructor(server: Server, target: number) {
    this.#server = server;
    server.on('connection', (client) => {
      if (!this.#open) return client.destroy();
      const upstream = createConnection({ port: target, host: '127.0.0.1' });
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (!this.#muted) client.write(chunk);
      });
    });
  }

  static async start(target: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
  }

  cut(): void {
    this.#open = false;
    for (const s of [...this.#sockets]) s.destroy();
  }

  heal(): void {
    this.#open = true;
    this.#muted = false;
  }

  mute(): void {
    this.#muted = true;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
