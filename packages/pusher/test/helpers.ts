import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type ClientOptions, type RealtimeClient, type RealtimeError, type Transport } from '@switchboard/core';
import { FaultProxy, waitFor } from '@switchboard/conformance';
import { startPusherPeer, type PusherPeer, type PusherPeerOptions } from '@switchboard/conformance/peers/pusher';
import { afterEach } from 'vitest';
import type { PusherTransportOptions } from '../src/index.js';
import { localPusher } from './target.js';

export { waitFor };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** A Pusher protocol peer on 127.0.0.1 (port 0), closed after the test. */
export async function peer(options: PusherPeerOptions = {}): Promise<PusherPeer> {
  const started = await startPusherPeer(options);
  onCleanup(() => started.close());
  return started;
}

/** A fault proxy in front of `port`, closed after the test. */
export async function proxy(port: number): Promise<FaultProxy> {
  const started = await FaultProxy.start(port);
  onCleanup(() => started.close());
  return started;
}

export interface TestClient {
  readonly client: RealtimeClient;
  readonly errors: RealtimeError[];
  /** Subscribes and collects `{ event, data }` of every message. */
  listen(channel: string): Array<{ event: string; data: unknown }>;
}

/** A client with fast reconnects, destroyed after the test. */
export function client(transport: Transport, options: Partial<ClientOptions> = {}): TestClient {
  const created = createClient({ transport, backoff: { baseMs: 50, capMs: 400, wakeJitterMs: 20 }, auth: () => 'valid-token', ...options });
  const errors: RealtimeError[] = [];
  created.on('error', (error) => errors.push(error));
  onCleanup(() => created.destroy());
  return {
    client: created,
    errors,
    listen(channel) {
      const got: Array<{ event: string; data: unknown }> = [];
      created.channel(channel).subscribe((message) => got.push({ event: message.event, data: message.data }));
      return got;
    },
  };
}

/** A client of the peer at `port` (the peer's own port or a proxy's). */
export function pusherClient(port: number, transportOptions: Partial<PusherTransportOptions> = {}, options: Partial<ClientOptions> = {}): TestClient {
  return client(localPusher(port, transportOptions), options);
}

export const status = (c: TestClient) => c.client.getSnapshot().status;

export function connected(c: TestClient, timeoutMs = 5000): Promise<void> {
  return waitFor(() => status(c) === 'connected', () => `connected (status ${status(c)}, ${c.client.getSnapshot().lastError?.message ?? ''})`, timeoutMs);
}

export function subscribed(c: TestClient, channel: string): Promise<void> {
  return waitFor(() => c.client.channel(channel).status.getSnapshot().status === 'subscribed', `${channel} subscribed`);
}

/** A plain HTTP server on 127.0.0.1 (port 0) for endpoints that misbehave, closed after the test. */
export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Waits a bounded time in which something must NOT happen (e.g. a second reconnect). */
export function quietPeriod(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
