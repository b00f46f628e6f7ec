import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultProxy, TEST_BACKOFF, waitFor } from '@switchboard/conformance';
import { createClient, type ClientOptions, type RealtimeClient, type RealtimeError } from '@switchboard/core';
import { Server, type ServerOptions } from 'socket.io';
import { io as ioClient, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from 'socket.io-client';
import { socketIO, type SocketIOTransportOptions } from '../src/index.js';
import { createSwitchboardServer, type SwitchboardServer, type SwitchboardServerOptions } from '../src/server.js';

export const SECRET = 'unit-secret';

export interface TestServer {
  readonly io: Server;
  readonly port: number;
  readonly url: string;
  readonly realtime: SwitchboardServer;
  /** engine.io connections accepted so far. */
  readonly connections: () => number;
  /** Sockets connected to the main namespace now. */
  readonly sockets: () => number;
}

export interface TestClient {
  readonly client: RealtimeClient;
  readonly errors: RealtimeError[];
  /** Messages received per channel (payloads, in order). */
  listen(channel: string): unknown[];
}

/**
 * One test's real world on 127.0.0.1: socket.io servers (port 0), proxies and clients, all ended by
 * `cleanup()`.
 */
export class World {
  readonly #servers: { io: Server; realtime: SwitchboardServer }[] = [];
  readonly #proxies: FaultProxy[] = [];
  readonly #clients: RealtimeClient[] = [];
  readonly #raw: ClientSocket[] = [];

  async server(options: { helper?: SwitchboardServerOptions | false; io?: Partial<ServerOptions> } = {}): Promise<TestServer> {
    const http = createServer();
    http.keepAliveTimeout = 100;
    const io = new Server(http, { connectionStateRecovery: {}, ...options.io });
    let connections = 0;
    io.engine.on('connection', () => connections++);
    const realtime = createSwitchboardServer(options.helper === false ? {} : { secret: SECRET, ...options.helper });
    if (options.helper !== false) realtime.attach(io);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    this.#servers.push({ io, realtime });
    const port = (http.address() as AddressInfo).port;
    return { io, port, url: `http://127.0.0.1:${port}`, realtime, connections: () => connections, sockets: () => io.of('/').sockets.size };
  }

  async proxy(port: number): Promise<FaultProxy> {
    const proxy = await FaultProxy.start(port);
    this.#proxies.push(proxy);
    return proxy;
  }

  client(port: number, transport: Partial<SocketIOTransportOptions> = {}, client: Partial<Omit<ClientOptions, 'transport'>> = {}): TestClient {
    const instance = createClient({
      transport: socketIO({ url: `http://127.0.0.1:${port}`, transports: ['websocket'], auth: { endpoint: 'http://127.0.0.1:1/unused' }, ...transport }),
      backoff: TEST_BACKOFF,
      ...client,
    });
    this.#clients.push(instance);
    const errors: RealtimeError[] = [];
    instance.on('error', (error) => errors.push(error));
    return {
      client: instance,
      errors,
      listen(channel) {
        const got: unknown[] = [];
        instance.channel(channel).subscribe((message) => got.push(message.data));
        return got;
      },
    };
  }

  /** A bare socket.io-client (no switchboard transport), to send the server anything. */
  async raw(port: number, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> {
    const socket = ioClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
    this.#raw.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  async cleanup(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.destroy();
    for (const socket of this.#raw.splice(0)) socket.disconnect();
    for (const proxy of this.#proxies.splice(0)) await proxy.close();
    for (const { io, realtime } of this.#servers.splice(0)) {
      realtime.close();
      await io.close();
    }
  }
}

export function status(c: TestClient): string {
  return c.client.getSnapshot().status;
}

export function connected(c: TestClient, timeoutMs = 5000): Promise<void> {
  return waitFor(() => status(c) === 'connected', () => `connected (status ${status(c)}, ${c.client.getSnapshot().lastError?.message ?? ''})`, timeoutMs);
}

export function subscribed(c: TestClient, channel: string, timeoutMs = 5000): Promise<void> {
  return waitFor(() => c.client.channel(channel).status.getSnapshot().status === 'subscribed', `${channel} subscribed`, timeoutMs);
}

export { waitFor };
