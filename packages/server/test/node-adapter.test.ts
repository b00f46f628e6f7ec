import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers, createHub, toNodeHandler } from '../src/index.js';
import { until } from './helpers.js';

let server: Server | null = null;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

describe('toNodeHandler', () => {
  it('passes request bodies through and answers 405 for methods without a handler', async () => {
    const handlers = createHandlers();
    const url = await listen(toNodeHandler(handlers));
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ v: 1, ops: [{ type: 'publish', id: 'n.1', channel: 'c', event: 'e', data: 'x' }] }) });
    expect(((await res.json()) as { results: unknown[] }).results).toEqual([expect.objectContaining({ type: 'ack', id: 'n.1' })]);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(405);
    await handlers.close();
  });

  it('streams SSE, and a client that goes away ends its session on the server', async () => {
    const hub = createHub();
    const url = await listen(toNodeHandler(createHandlers({ hub })));
    const controller = new AbortController();
    const res = await fetch(`${url}?channel=a`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await until(() => hub.sessions.size === 1);
    controller.abort();
    await until(() => hub.sessions.size === 0);
    await hub.close();
  });
});

describe('a plain EventSource (no switchboard client)', () => {
  it('receives the multiplexed stream and resumes with its own Last-Event-ID after the server ends it', async () => {
    const hub = createHub();
    const handlers = createHandlers({ hub, retryMs: 50 });
    const url = await listen(toNodeHandler(handlers));
    const got: unknown[] = [];
    const source = new EventSource(`${url}?channel=a&channel=b`);
    source.addEventListener('message', (event) => got.push((JSON.parse(event.data) as { data: unknown }).data));
    await until(() => hub.sessions.size === 1);
    await until(() => [...hub.sessions][0]!.subscriptions.size === 2);
    await hub.publish('a', 'n', 1);
    await hub.publish('b', 'n', 2);
    await until(() => got.length === 2);
    await handlers.close(); // ends every stream with `retry: 50`; the handlers keep serving
    await hub.publish('b', 'n', 3); // published while nobody is connected
    await until(() => got.length === 3);
    await hub.publish('a', 'n', 4);
    await until(() => got.length === 4);
    expect(got).toEqual([1, 2, 3, 4]);
    source.close();
    await until(() => hub.sessions.size === 0);
    await hub.close();
  });
});
