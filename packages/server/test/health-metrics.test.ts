import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthHandler, createHub, createRedisBroker, serve, type RunningServer } from '../src/index.js';
import { rawClient, until, type RawClient } from './helpers.js';

let server: RunningServer | null = null;
const sockets: RawClient[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server?.close();
  server = null;
});

/** `name{labels} value` → value, from a Prometheus text body. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('counts connections, sessions, channels, messages in and out, errors and drops in Prometheus text', async () => {
    server = await serve({ port: 0 });
    const ws = `ws://127.0.0.1:${server.port}/realtime`;
    const [a, b] = [await rawClient(ws), await rawClient(ws)];
    sockets.push(a, b);
    for (const c of [a, b]) {
      c.send({ type: 'hello', v: 1 });
      c.send({ type: 'subscribe', channel: 'room' });
      await c.next((f) => f.type === 'subscribed');
    }
    a.send({ type: 'publish', id: 'm.1', channel: 'room', event: 'e', data: 1 });
    a.send({ type: 'publish', id: 'm.1', channel: 'room', event: 'e', data: 1 }); // a resend: acked, not counted again
    await a.next(() => a.frames.filter((f) => f.type === 'ack').length === 2);
    a.sendText('{nope');
    a.send({ type: 'teleport' });
    await a.next(() => a.frames.filter((f) => f.type === 'error').length === 2);
    await b.next((f) => f.type === 'message');

    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{\w+="[^"]*"\})? -?\d+(\.\d+)?)$/);
    expect(sample(text, 'switchboard_connections{transport="websocket"}')).toBe(2);
    expect(sample(text, 'switchboard_sessions')).toBe(2);
    expect(sample(text, 'switchboard_channels')).toBe(1);
    expect(sample(text, 'switchboard_messages_in_total')).toBe(1);
    expect(sample(text, 'switchboard_messages_out_total')).toBe(2);
    expect(sample(text, 'switchboard_errors_total{code="BAD_FRAME"}')).toBe(1);
    expect(sample(text, 'switchboard_errors_total{code="UNKNOWN_FRAME"}')).toBe(1);
    expect(sample(text, 'switchboard_dropped_total{reason="invalid"}')).toBe(2);
    expect(sample(text, 'switchboard_broker_up')).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    a.close();
    await until(() => server!.hub.metrics.connections.websocket === 1);
  });

  it('can be turned off or put behind a token', async () => {
    server = await serve({ port: 0, metrics: { token: 'scrape' } });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape' } })).status).toBe(200);
    await server.close();
    server = await serve({ port: 0, metrics: false });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });
});

describe('/health', () => {
  it('is ok with the memory broker', async () => {
    server = await serve({ port: 0 });
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', connections: 0, sessions: 0 });
  });

  it('is 503 degraded while the Redis broker cannot reach Redis', async () => {
    // A port nothing listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const broker = createRedisBroker({ url: `redis://127.0.0.1:${port}`, onError: () => {} });
    const hub = createHub({ broker });
    const res = await createHealthHandler(hub)(new Request('http://t/health'));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/^redis: /) });
    expect(hub.metricsText()).toMatch(/^switchboard_broker_up 0$/m);
    await hub.close();
    await broker.close();
  });
});
