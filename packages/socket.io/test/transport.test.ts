import { afterEach, describe, expect, it } from 'vitest';
import { refuse } from '../src/server.js';
import { World, connected, status, subscribed, waitFor } from './helpers.js';

let world: World;
afterEach(async () => {
  await world.cleanup();
});
const setup = () => (world = new World());

describe('bad input from the server becomes a RealtimeError; the connection stays up', () => {
  it('malformed switchboard payloads → BAD_FRAME; a later message still arrives', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port);
    const got = a.listen('news');
    await subscribed(a, 'news');
    server.io.emit('sb:message', { channel: 42, event: 'x' });
    server.io.emit('sb:presence', { channel: 'news', action: 'dance', member: { id: 'x', data: 1 } });
    server.io.emit('sb:close', { code: 'soon' });
    await waitFor(() => a.errors.length === 3, () => `three errors, got ${a.errors.map((e) => e.code).join()}`);
    expect(a.errors.map((e) => [e.code, e.details.event])).toEqual([
      ['BAD_FRAME', 'sb:message'],
      ['BAD_FRAME', 'sb:presence'],
      ['BAD_FRAME', 'sb:close'],
    ]);
    server.realtime.publish('news', 'item', { after: true });
    await waitFor(() => got.length === 1, 'the next message');
    expect(got).toEqual([{ after: true }]);
    expect(status(a)).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  });

  it('unknown events → UNKNOWN_FRAME naming the event', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port);
    a.client.connect();
    await connected(a);
    server.io.emit('surprise', { hello: 1 });
    server.io.emit('sb:future-feature', {});
    await waitFor(() => a.errors.length === 2, 'two errors');
    expect(a.errors.map((e) => [e.code, e.details.event, e.details.transport])).toEqual([
      ['UNKNOWN_FRAME', 'surprise', 'socket.io'],
      ['UNKNOWN_FRAME', 'sb:future-feature', 'socket.io'],
    ]);
    expect(status(a)).toBe('connected');
  });

  it('undecodable packets (bad JSON, binary, unknown packet type, oversized) are dropped and reported, never a "parse error" disconnect', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port, { maxFrameBytes: 4096 });
    const got = a.listen('m');
    await subscribed(a, 'm');
    const [socket] = await server.io.fetchSockets();
    // Raw engine.io messages: what a broken or hostile server could write.
    const conn = (socket as unknown as { conn: { write(data: string): void } } | undefined)?.conn;
    conn?.write('2["sb:message",{"channel":"m",');
    conn?.write('9hello');
    server.io.emit('sb:message', { channel: 'm', event: 'e', id: 'bin', data: Buffer.from('binary') });
    server.realtime.publish('m', 'e', { big: 'x'.repeat(8000) });
    server.realtime.publish('m', 'e', { after: true });
    await waitFor(() => got.length === 1, 'the good message');
    expect(got).toEqual([{ after: true }]);
    expect(a.errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME', 'FRAME_TOO_LARGE']);
    expect(a.errors[3]?.details).toMatchObject({ event: 'sb:message', limit: 4096 });
    expect(status(a)).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  });
});

describe('status mapping', () => {
  it('a middleware refusing the credentials (UNAUTHORIZED) → one refresh, then failed; the provider is asked twice', async () => {
    setup();
    const server = await world.server({ helper: { authenticate: ({ token }) => token === 'good' } });
    const reasons: string[] = [];
    const a = world.client(server.port, {}, { auth: ({ reason }) => (reasons.push(reason), 'bad') });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', () => `failed (status ${status(a)})`);
    expect(a.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
    expect(reasons).toEqual(['initial', 'refresh']);
    expect(server.connections()).toBe(2);
  });

  it('a refreshed credential is accepted after the first refusal', async () => {
    setup();
    const server = await world.server({ helper: { authenticate: ({ token }) => token === 'fresh' } });
    const a = world.client(server.port, {}, { auth: ({ reason }) => (reason === 'refresh' ? 'fresh' : 'stale') });
    a.client.connect();
    await connected(a);
  });

  it('middleware refusals: FORBIDDEN and an unknown error stop (failed, FORBIDDEN) after one attempt', async () => {
    setup();
    const server = await world.server();
    let mode: 'forbidden' | 'plain' = 'forbidden';
    server.io.use((_socket, next) => next(mode === 'forbidden' ? refuse('FORBIDDEN', 'banned') : new Error('no reason given')));
    const a = world.client(server.port);
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { status: 403 } });
    mode = 'plain';
    const b = world.client(server.port);
    b.client.connect();
    await waitFor(() => status(b) === 'failed', 'failed');
    expect(b.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { closeCode: 4003 } });
    expect(server.connections()).toBe(2);
  });

  it('RATE_LIMITED from a middleware is retried (after its hint) until accepted', async () => {
    setup();
    const server = await world.server();
    let refusals = 2;
    server.io.use((_socket, next) => (refusals-- > 0 ? next(refuse('RATE_LIMITED', 'slow down', { retryAfterMs: 20 })) : next()));
    const a = world.client(server.port);
    const seen: string[] = [];
    a.client.subscribe(() => seen.push(a.client.getSnapshot().lastError?.code ?? ''));
    a.client.connect();
    await connected(a);
    expect(seen).toContain('RATE_LIMITED');
    expect(server.connections()).toBe(3);
  });

  it('the server disconnecting a socket: 4003 stops (failed), 1012 reconnects, a bare disconnect() stops', async () => {
    setup();
    const server = await world.server();
    const [a, b, c] = [world.client(server.port), world.client(server.port), world.client(server.port)];
    for (const x of [a, b, c]) x.client.connect();
    await Promise.all([connected(a), connected(b), connected(c)]);
    const byId = async (id: string | null) => (await server.io.fetchSockets()).find((s) => s.id === id);
    const sa = server.io.of('/').sockets.get(a.client.getSnapshot().sessionId ?? '');
    const sb = server.io.of('/').sockets.get(b.client.getSnapshot().sessionId ?? '');
    expect(await byId(a.client.getSnapshot().sessionId)).toBeDefined();
    server.realtime.disconnect(sa!, 4003, 'kicked');
    server.realtime.disconnect(sb!, 1012, 'restarting');
    (await byId(c.client.getSnapshot().sessionId))?.disconnect();
    await waitFor(() => status(a) === 'failed' && status(c) === 'failed', () => `a ${status(a)}, c ${status(c)}`);
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', message: 'closed with code 4003 (kicked)' });
    expect(c.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { closeCode: 4003 } });
    await waitFor(() => b.client.getStats().connects === 2 && status(b) === 'connected', 'b reconnected');
  });

  it('a handshake refused by engine.io (allowRequest) → its HTTP status → failed FORBIDDEN (WebSocket and polling)', async () => {
    setup();
    const server = await world.server({ io: { allowRequest: (_req, callback) => callback('nope', false) } });
    const ws = world.client(server.port);
    const polling = world.client(server.port, { transports: ['polling'] });
    ws.client.connect();
    polling.client.connect();
    await waitFor(() => status(ws) === 'failed' && status(polling) === 'failed', () => `failed (${status(ws)}, ${status(polling)})`);
    // engine.io refuses an upgrade with 400, a polling handshake with 403: both are "HTTP other 4xx".
    expect(ws.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { status: 400 } });
    expect(polling.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { status: 403 } });
  });

  it('a socket.io server without the helper: connected at socket.io level, never protocol-ready → failed PROTOCOL_ERROR', async () => {
    setup();
    const server = await world.server({ helper: false });
    const a = world.client(server.port, { connectTimeoutMs: 300 });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError?.code).toBe('PROTOCOL_ERROR');
    expect(a.client.getSnapshot().lastError?.message).toMatch(/sb:welcome/);
  });

  it('nothing listening → connecting with CONNECTION_LOST, retried by the core', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    proxy.refuse();
    const a = world.client(proxy.port);
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().attempt >= 2, 'two failed attempts');
    expect(a.client.getSnapshot()).toMatchObject({ status: 'connecting', lastError: { code: 'CONNECTION_LOST' } });
    proxy.heal();
    await connected(a);
  });
});
