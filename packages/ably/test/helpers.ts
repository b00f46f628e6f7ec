import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type ClientOptions, type ConnectionStatus, type RealtimeClient, type RealtimeError } from '@switchboard/core';
import { FaultProxy, TEST_BACKOFF, waitFor } from '@switchboard/conformance';
import { startAblyPeer, type AblyPeer, type AblyPeerOptions } from '@switchboard/conformance/peers/ably';
import { ably, type AblyTransportOptions } from '../src/index.js';
import { GOOD_TOKEN, localOptions } from './target.js';

export { waitFor };

/** One test's world: a peer, a fault proxy in front of it, auth endpoints and clients; `cleanup()` ends all. */
export class World {
  readonly clients: RealtimeClient[] = [];
  readonly proxies: FaultProxy[] = [];
  readonly servers: Server[] = [];

  private constructor(readonly peer: AblyPeer) {}

  static async start(options: Partial<AblyPeerOptions> = {}): Promise<World> {
    return new World(await startAblyPeer({ heartbeatMs: 5000, presenceTimeoutMs: 2000, ...options }));
  }

  async proxy(): Promise<FaultProxy> {
    const proxy = await FaultProxy.start(this.peer.port);
    this.proxies.push(proxy);
    return proxy;
  }

  /**
   * A client on the Ably transport, reaching the peer directly (or through `via`). Records its errors
   * and every status it goes through.
   */
  client(
    options: { transport?: AblyTransportOptions; client?: Partial<Omit<ClientOptions, 'transport'>>; via?: FaultProxy; token?: string | null } = {},
  ): Fixture {
    const port = options.via?.port ?? this.peer.port;
    const token = options.token === undefined ? GOOD_TOKEN : options.token;
    const client = createClient({
      transport: ably(localOptions(port, options.transport)),
      backoff: TEST_BACKOFF,
      ...(token === null ? {} : { auth: () => token }),
      ...options.client,
    });
    this.clients.push(client);
    const errors: RealtimeError[] = [];
    const statuses: ConnectionStatus[] = [];
    client.on('error', (error) => errors.push(error));
    client.subscribe(() => {
      const status = client.getSnapshot().status;
      if (statuses[statuses.length - 1] !== status) statuses.push(status);
    });
    const fixture: Fixture = {
      client,
      errors,
      statuses,
      listen(channel) {
        const got: unknown[] = [];
        client.channel(channel).subscribe((message) => got.push(message.data));
        return got;
      },
      connected: (timeoutMs = 5000) =>
        waitFor(() => client.getSnapshot().status === 'connected', () => `connected (status ${client.getSnapshot().status}: ${client.getSnapshot().lastError?.message ?? ''})`, timeoutMs),
      subscribed: (channel, timeoutMs = 5000) => waitFor(() => client.channel(channel).status.getSnapshot().status === 'subscribed', `${channel} subscribed`, timeoutMs),
      status: (status, timeoutMs = 5000) =>
        waitFor(() => client.getSnapshot().status === status, () => `${status} (status ${client.getSnapshot().status}: ${client.getSnapshot().lastError?.message ?? ''})`, timeoutMs),
    };
    return fixture;
  }

  /** An HTTP endpoint on 127.0.0.1 port 0 (a token endpoint); `hits` counts its requests. */
  async endpoint(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<Endpoint> {
    const endpoint = { url: '', hits: 0, requests: [] as string[] };
    const server = createServer((request, response) => {
      endpoint.hits++;
      endpoint.requests.push(`${request.method} ${request.url}`);
      handle(request, response);
    });
    server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.servers.push(server);
    endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    return endpoint;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients.splice(0)) client.destroy();
    for (const proxy of this.proxies.splice(0)) await proxy.close();
    for (const server of this.servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.peer.close();
  }
}

export interface Fixture {
  readonly client: RealtimeClient;
  readonly errors: RealtimeError[];
  /** Every distinct status in order (consecutive repeats collapsed). */
  readonly statuses: ConnectionStatus[];
  listen(channel: string): unknown[];
  connected(timeoutMs?: number): Promise<void>;
  subscribed(channel: string, timeoutMs?: number): Promise<void>;
  status(status: ConnectionStatus, timeoutMs?: number): Promise<void>;
}

export interface Endpoint {
  url: string;
  hits: number;
  requests: string[];
}

export const json = (response: ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export const text = (response: ServerResponse, status: number, body: string, type = 'text/plain') => response.writeHead(status, { 'content-type': type }).end(body);
