import { afterEach, describe, expect, it } from 'vitest';
import { World, connected, status, subscribed, waitFor } from './helpers.js';

let world: World;
afterEach(async () => {
  await world.cleanup();
});
const setup = () => (world = new World());
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as { code: string; message: string; details: Record<string, unknown> },
  );

describe('publish: acks, nacks and timeouts', () => {
  it('acked once the server broadcast it; the echo carries the client message id', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port);
    const echoes: (string | undefined)[] = [];
    a.client.channel('chat').subscribe((message) => echoes.push(message.clientMessageId));
    await subscribed(a, 'chat');
    const result = await a.client.channel('chat').publish('text', { n: 1 });
    expect(result).toEqual({ id: expect.any(String), status: 'acked' });
    await waitFor(() => echoes.length === 1, 'the echo');
    expect(echoes).toEqual([result.id]);
  });

  it('a server that never answers: the publish fails with TIMEOUT after ackTimeoutMs; the connection stays', async () => {
    setup();
    const server = await world.server();
    // Swallow every publish before the helper sees it: no ack ever comes.
    server.io.on('connection', (socket) => socket.use(([event], next) => (event === 'sb:publish' ? undefined : next())));
    const a = world.client(server.port, { ackTimeoutMs: 150 });
    a.client.connect();
    await connected(a);
    const error = await rejection(a.client.publish('chat', 'text', 'hello?'));
    expect(error).toMatchObject({ code: 'TIMEOUT', details: { transport: 'socket.io', messageId: expect.any(String) } });
    expect(a.client.outbox.getSnapshot().failed.map((e) => e.error?.code)).toEqual(['TIMEOUT']);
    expect(status(a)).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  });

  it('nacks keep the server’s code: FORBIDDEN (unsubscribed private channel, authorizePublish), FRAME_TOO_LARGE (checked before sending)', async () => {
    setup();
    const refusedByServer: string[] = [];
    const server = await world.server({
      helper: {
        maxMessageBytes: 1000,
        authorizePublish: ({ event }) => event !== 'forbidden',
        onError: (error) => refusedByServer.push(error.code),
      },
    });
    const a = world.client(server.port);
    a.client.connect();
    await connected(a);
    expect(await rejection(a.client.publish('private-x', 'e', 1))).toMatchObject({ code: 'FORBIDDEN', details: { messageId: expect.any(String), channel: 'private-x' } });
    expect(await rejection(a.client.publish('open', 'forbidden', 1))).toMatchObject({ code: 'FORBIDDEN' });
    const big = await rejection(a.client.publish('open', 'e', 'x'.repeat(2000)));
    expect(big).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { messageId: expect.any(String) } });
    expect(big?.message).toMatch(/accepts 1000/);
    // The oversized one never reached the server: only the two refusals did.
    expect(refusedByServer).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(await a.client.publish('open', 'e', 'fine')).toMatchObject({ status: 'acked' });
    expect(status(a)).toBe('connected');
  });

  it('volatile messages are sent without an ack and never queued', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port);
    const got = a.listen('cursor');
    await subscribed(a, 'cursor');
    expect(await a.client.publish('cursor', 'move', { x: 1 }, { volatile: true })).toMatchObject({ status: 'sent' });
    await waitFor(() => got.length === 1, 'the volatile message');
    expect(a.client.outbox.getSnapshot().pending).toEqual([]);
  });

  it('a publish resent with the same client id is acknowledged again but broadcast once (server dedup)', async () => {
    setup();
    const server = await world.server();
    const watcher = world.client(server.port);
    const got = watcher.listen('dedup');
    await subscribed(watcher, 'dedup');
    const raw = await world.raw(server.port);
    const send = () => raw.timeout(2000).emitWithAck('sb:publish', { id: 'c1.0', channel: 'dedup', event: 'e', data: 'once' }) as Promise<unknown>;
    expect(await send()).toEqual({ ok: true });
    expect(await send()).toEqual({ ok: true });
    server.realtime.publish('dedup', 'e', 'marker');
    await waitFor(() => got.includes('marker'), 'the marker after both');
    expect(got).toEqual(['once', 'marker']);
  });

  it('dedup is per publisher: another client reusing a victim’s (predictable) id cannot suppress its message', async () => {
    setup();
    const server = await world.server();
    const watcher = world.client(server.port);
    const got = watcher.listen('chat');
    await subscribed(watcher, 'chat');
    const [attacker, victim] = [await world.raw(server.port, { auth: { token: 'mallory' } }), await world.raw(server.port, { auth: { token: 'alice' } })];
    const publish = (socket: typeof attacker, data: string) => socket.timeout(2000).emitWithAck('sb:publish', { id: 'alice.7', channel: 'chat', event: 'e', data }) as Promise<unknown>;
    expect(await publish(attacker, 'forged')).toEqual({ ok: true });
    expect(await publish(victim, 'real')).toEqual({ ok: true });
    await waitFor(() => got.length === 2, () => `both delivered, got ${JSON.stringify(got)}`);
    expect(got).toEqual(['forged', 'real']);
  });

  it('a publish racing a drop stays queued (no error) and is acked after the reconnect, received once', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const watcher = world.client(server.port);
    const got = watcher.listen('race');
    await subscribed(watcher, 'race');
    const a = world.client(proxy.port);
    a.client.connect();
    await connected(a);
    proxy.delay(100);
    const pending = a.client.publish('race', 'e', 'survivor');
    proxy.cut();
    proxy.heal();
    expect(await pending).toMatchObject({ status: 'acked' });
    await waitFor(() => got.length >= 1, 'delivered');
    expect(got).toEqual(['survivor']);
    expect(a.errors).toEqual([]);
  });
});
