import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createClient, type ClientOptions, type RealtimeClient } from '../src/index.js';
import type { RealtimeError } from '../src/errors.js';

/** Waits (bounded) for something real sockets will make true; never a fixed sleep. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Registers something to undo after the test. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** A client destroyed after the test, with fast reconnects and its error events collected. */
export function testClient(options: ClientOptions): { client: RealtimeClient; errors: RealtimeError[] } {
  const client = createClient({ backoff: { baseMs: 20, capMs: 100 }, ...options });
  const errors: RealtimeError[] = [];
  client.on('error', (e) => errors.push(e));
  onCleanup(() => client.destroy());
  return { client, errors };
}

/** A plain HTTP server on 127.0.0.1 (port 0), closed after the test. */
export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
