import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES } from '@switchboard/core/protocol';
import { MemoryBroker, attach, authorizeChannel, serve, type RunningServer, type ServeOptions } from '../src/index.js';
import { rawClient, until, type RawClient } from './helpers.js';

let server: RunningServer | null = null;
const clients: RawClient[] = [];

async function start(options: ServeOptions = {}) {
  server = await serve({ port: 0, ...options });
  return `ws://127.0.0.1:${server.port}/realtime`;
}

async function connect(url: string, token?: string): Promise<RawClient> {
  const c = await rawClient(url);
  clients.push(c);
  c.send({ type: 'hello', v: 1, ...(token === undefined ? {} : { token }) });
  await c.next((f) => f.type === 'welcome' || f.type === 'error');
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

describe('WebSocket server: handshake and authentication', () => {
  it('answers hello with welcome: session, member, heartbeat and limits', async () => {
    const c = await connect(await start({ heartbeatMs: 5000, limits: { maxChannels: 7 } }));
    const welcome = c.frames[0]!;
    expect(welcome).toMatchObject({ type: 'welcome', v: 1, heartbeatMs: 5000, limits: { maxChannels: 7, maxFrameBytes: 128 * 1024, messagesPerSecond: 100 } });
    expect(welcome.member).toBe(welcome.session);
    expect(server!.websocket.connections).toBe(1);
  });

  it('uses the user id from authenticate as the member id', async () => {
    const c = await connect(await start({ authenticate: ({ token }) => (token ? { userId: `user-${token}` } : null) }), '7');
    expect(c.frames[0]).toMatchObject({ type: 'welcome', member: 'user-7' });
  });

  it('closes 4100 for a missing or invalid token and 4003 for a refused user, after an error frame', async () => {
    const url = await start({ authenticate: ({ token }) => (token === 'ok' ? {} : token === 'banned' ? false : null) });
    const missing = await connect(url);
    expect(missing.frames[0]).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect((await missing.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    const banned = await connect(url, 'banned');
    expect(banned.frames[0]).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect((await banned.closed).code).toBe(CLOSE_CODES.FORBIDDEN);
    expect((await connect(url, 'ok')).frames[0]).toMatchObject({ type: 'welcome' });
  });

  it('closes 1011 when authenticate throws, and keeps serving', async () => {
    const errors: unknown[] = [];
    const url = await start({
      onError: (e) => errors.push(e),
      authenticate: ({ token }) => {
        if (token === 'boom') throw new Error('auth backend down');
        return {};
      },
    });
    const c = await connect(url, 'boom');
    expect((await c.closed).code).toBe(CLOSE_CODES.INTERNAL_ERROR);
    expect(errors).toHaveLength(1);
    expect((await connect(url, 'fine')).frames[0]).toMatchObject({ type: 'welcome' });
  });

  it('refuses another protocol version with PROTOCOL_ERROR and 1002', async () => {
    const c = await rawClient(await start());
    clients.push(c);
    c.send({ type: 'hello', v: 2 });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect((await c.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
  });

  it('requires hello first (1002) and in time (1008)', async () => {
    const url = await start({ helloTimeoutMs: 50 });
    const eager = await rawClient(url);
    clients.push(eager);
    eager.send({ type: 'subscribe', channel: 'room' });
    expect((await eager.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    const silent = await rawClient(url);
    clients.push(silent);
    expect((await silent.closed).code).toBe(CLOSE_CODES.POLICY_VIOLATION);
  });

  it('rejects the upgrade with 403 for an origin not allowed', async () => {
    const url = await start({ allowedOrigins: ['https://app.example'] });
    await expect(rawClient(url, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    clients.push(await rawClient(url, { origin: 'https://app.example' }));
  });

  it('closes connections beyond maxConnections with 1013', async () => {
    const url = await start({ maxConnections: 1 });
    await connect(url);
    const second = await rawClient(url);
    clients.push(second);
    expect((await second.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
  });
});

describe('WebSocket server: bad input never crashes it', () => {
  it('answers malformed, unknown, binary and invalid frames with typed errors, and keeps working', async () => {
    const url = await start();
    const c = await connect(url);
    c.sendText('{not json');
    c.send({ type: 'teleport' });
    c.send({ no: 'type' });
    c.send({ type: 'subscribe', channel: 'has space' });
    c.send({ type: 'publish', id: 'x', channel: 'room', event: 42 });
    c.sendText(Buffer.from([1, 2, 3]));
    await c.next(() => c.frames.filter((f) => f.type === 'error').length >= 6);
    expect(c.frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['BAD_FRAME', 'UNKNOWN_FRAME', 'BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME']);
    c.send({ type: 'ping', id: 'still-alive' });
    expect(await c.next((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 'still-alive' });
  });

  it('nacks an oversized publish with FRAME_TOO_LARGE and closes 1009 beyond the hard limit', async () => {
    const url = await start({ limits: { maxFrameBytes: 1024 } });
    const c = await connect(url);
    c.send({ type: 'publish', id: 'big.1', channel: 'room', event: 'e', data: 'x'.repeat(2000) });
    expect(await c.next((f) => f.type === 'nack')).toMatchObject({ id: 'big.1', code: 'FRAME_TOO_LARGE' });
    c.sendText('y'.repeat(3000));
    expect(await c.next((f) => f.type === 'error' && f.code === 'FRAME_TOO_LARGE')).toBeTruthy();
    c.sendText('z'.repeat(5000));
    expect((await c.closed).code).toBe(1009);
    expect((await connect(url)).frames[0]).toMatchObject({ type: 'welcome' });
  });

  it('closes with 1008 after too many invalid frames', async () => {
    const c = await connect(await start({ maxInvalidFrames: 3 }));
    for (let i = 0; i < 4; i++) c.sendText('nope');
    expect((await c.closed).code).toBe(CLOSE_CODES.POLICY_VIOLATION);
  });
});

describe('WebSocket server: channels, publish, presence', () => {
  it('subscribes with replay from a cursor, then live, each message once', async () => {
    const url = await start();
    const c = await connect(url);
    const offsets: string[] = [];
    for (let i = 0; i < 3; i++) offsets.push((await server!.hub.publish('feed', 'n', i)).offset);
    c.send({ type: 'subscribe', channel: 'feed', cursor: offsets[0] });
    expect(await c.next((f) => f.type === 'subscribed')).toEqual({ type: 'subscribed', channel: 'feed', resumed: true, cursor: offsets[0] });
    await server!.hub.publish('feed', 'n', 3);
    await c.next(() => c.frames.filter((f) => f.type === 'message').length === 3);
    expect(c.frames.filter((f) => f.type === 'message').map((f) => f.data)).toEqual([1, 2, 3]);
  });

  it('hub.cursor(): a page rendered at that position and subscribing later gets everything published since', async () => {
    const url = await start();
    await server!.hub.publish('feed', 'n', 'in the snapshot');
    const since = await server!.hub.cursor('feed');
    await server!.hub.publish('feed', 'n', 'after the render');
    const c = await connect(url);
    c.send({ type: 'subscribe', channel: 'feed', cursor: since });
    expect(await c.next((f) => f.type === 'subscribed')).toEqual({ type: 'subscribed', channel: 'feed', resumed: true, cursor: since });
    await c.next(() => c.frames.some((f) => f.type === 'message'));
    expect(c.frames.filter((f) => f.type === 'message').map((f) => f.data)).toEqual(['after the render']);
  });

  it('says resumed: false with the head for a fresh or unresumable subscription', async () => {
    const c = await connect(await start());
    const { offset } = await server!.hub.publish('feed', 'n', 0);
    c.send({ type: 'subscribe', channel: 'feed' });
    c.send({ type: 'subscribe', channel: 'other', cursor: 'zz.99' });
    expect(await c.next((f) => f.type === 'subscribed' && f.channel === 'feed')).toMatchObject({ resumed: false, cursor: offset });
    expect(await c.next((f) => f.type === 'subscribed' && f.channel === 'other')).toMatchObject({ resumed: false });
  });

  it('acks publishes, deduplicates resends, and echoes the client id', async () => {
    const c = await connect(await start());
    c.send({ type: 'subscribe', channel: 'chat' });
    await c.next((f) => f.type === 'subscribed');
    c.send({ type: 'publish', id: 'c.1', channel: 'chat', event: 'text', data: 'hi' });
    c.send({ type: 'publish', id: 'c.1', channel: 'chat', event: 'text', data: 'hi' });
    await c.next(() => c.frames.filter((f) => f.type === 'ack').length === 2);
    const acks = c.frames.filter((f) => f.type === 'ack');
    expect(acks[0]).toEqual(acks[1]);
    expect(c.frames.filter((f) => f.type === 'message')).toEqual([expect.objectContaining({ data: 'hi', clientMessageId: 'c.1', offset: acks[0]!.offset })]);
  });

  it('refuses private channels without a valid signature and accepts signed ones', async () => {
    const secret = 'test-secret';
    const c = await connect(await start({ secret }));
    const session = c.frames[0]!.session as string;
    c.send({ type: 'subscribe', channel: 'private-a' });
    c.send({ type: 'subscribe', channel: 'private-b', auth: authorizeChannel({ secret: 'wrong' }, session, 'private-b').auth });
    c.send({ type: 'subscribe', channel: 'private-c', auth: authorizeChannel({ secret }, session, 'private-c').auth });
    expect(await c.next((f) => f.channel === 'private-a')).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
    expect(await c.next((f) => f.channel === 'private-b')).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
    expect(await c.next((f) => f.channel === 'private-c')).toMatchObject({ type: 'subscribed' });
    // Publishing: allowed on the signed subscription, refused elsewhere.
    c.send({ type: 'publish', id: 'p.1', channel: 'private-c', event: 'e', data: 1 });
    c.send({ type: 'publish', id: 'p.2', channel: 'private-a', event: 'e', data: 1 });
    expect(await c.next((f) => f.id === 'p.1')).toMatchObject({ type: 'ack' });
    expect(await c.next((f) => f.id === 'p.2')).toMatchObject({ type: 'nack', code: 'FORBIDDEN' });
  });

  it('refuses a subscription with SERVER_ERROR when the broker fails, and keeps the connection', async () => {
    class FailingBroker extends MemoryBroker {
      override async history(): Promise<never> {
        throw new Error('broker down');
      }
    }
    const broker = new FailingBroker();
    const errors: unknown[] = [];
    const c = await connect(await start({ broker, onError: (e) => errors.push(e) }));
    c.send({ type: 'subscribe', channel: 'room' });
    expect(await c.next((f) => f.type === 'refused')).toMatchObject({ channel: 'room', code: 'SERVER_ERROR' });
    expect(errors).toHaveLength(1);
    expect(broker.listenerCount).toBe(0);
    c.send({ type: 'ping', id: 'after' });
    expect(await c.next((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 'after' });
  });

  it('refuses private channels on a server without a secret', async () => {
    const c = await connect(await start());
    c.send({ type: 'subscribe', channel: 'private-x', auth: 'switchboard:00' });
    expect(await c.next((f) => f.type === 'refused')).toMatchObject({ code: 'CHANNEL_REFUSED' });
  });

  it('presence-* members are the signed user id; joins, updates and leaves reach subscribers', async () => {
    const secret = 'test-secret';
    const url = await start({ secret });
    const [ann, bob] = [await connect(url), await connect(url)];
    const sub = (c: RawClient, user: string) => {
      const auth = authorizeChannel({ secret }, c.frames[0]!.session as string, 'presence-room', { userId: user });
      c.send({ type: 'subscribe', channel: 'presence-room', auth: auth.auth, channelData: auth.channel_data });
      return c.next((f) => f.type === 'subscribed');
    };
    await sub(bob, 'bob');
    await sub(ann, 'ann');
    ann.send({ type: 'presence', channel: 'presence-room', action: 'enter', data: { name: 'Ann' } });
    expect(await bob.next((f) => f.type === 'presence' && f.action === 'join')).toMatchObject({ member: { id: 'ann', data: { name: 'Ann' } } });
    ann.send({ type: 'presence', channel: 'presence-room', action: 'update', data: { name: 'Ann', away: true } });
    expect(await bob.next((f) => f.type === 'presence' && f.action === 'update')).toMatchObject({ member: { id: 'ann', data: { away: true } } });
    ann.close();
    expect(await bob.next((f) => f.type === 'presence' && f.action === 'leave')).toMatchObject({ member: { id: 'ann' } });
  });

  it('sends a presence sync to a new subscriber, and refuses presence on an unsubscribed channel', async () => {
    const url = await start();
    const [a, b] = [await connect(url), await connect(url)];
    a.send({ type: 'presence', channel: 'lobby', action: 'enter', data: 1 });
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: 'CHANNEL_REFUSED', channel: 'lobby' });
    a.send({ type: 'subscribe', channel: 'lobby' });
    a.send({ type: 'presence', channel: 'lobby', action: 'enter', data: 1 });
    await a.next((f) => f.type === 'presence');
    b.send({ type: 'subscribe', channel: 'lobby' });
    expect(await b.next((f) => f.type === 'presence')).toEqual({
      type: 'presence',
      channel: 'lobby',
      action: 'sync',
      members: [{ id: a.frames[0]!.session, data: 1 }],
    });
  });

  it('enforces the channel limit and the rate limit with documented codes', async () => {
    const c = await connect(await start({ limits: { maxChannels: 2, messagesPerSecond: 1 }, burst: 3 }));
    for (const ch of ['a', 'b', 'c']) c.send({ type: 'subscribe', channel: ch });
    expect(await c.next((f) => f.channel === 'c')).toMatchObject({ type: 'refused', code: 'CHANNEL_REFUSED' });
    for (let i = 0; i < 3; i++) c.send({ type: 'publish', id: `r.${i}`, channel: 'a', event: 'e', data: i });
    expect(await c.next((f) => f.id === 'r.1')).toMatchObject({ type: 'nack', code: 'RATE_LIMITED' });
  });

  it('canSubscribe and canPublish can refuse', async () => {
    const c = await connect(
      await start({
        canSubscribe: ({ channel }) => channel !== 'admin',
        canPublish: ({ event }) => event !== 'forbidden',
      }),
    );
    c.send({ type: 'subscribe', channel: 'admin' });
    expect(await c.next((f) => f.channel === 'admin')).toMatchObject({ type: 'refused', code: 'CHANNEL_REFUSED' });
    c.send({ type: 'publish', id: 'f.1', channel: 'room', event: 'forbidden', data: null });
    expect(await c.next((f) => f.id === 'f.1')).toMatchObject({ type: 'nack', code: 'FORBIDDEN' });
  });
});

describe('WebSocket server: heartbeats and lifecycle', () => {
  it('pings every heartbeat interval and terminates a client that stays silent', async () => {
    const url = await start({ heartbeatMs: 40 });
    const c = await connect(url);
    await c.next((f) => f.type === 'ping');
    // This raw client never answers: after 2.5 intervals the server gives up on it.
    const closed = await c.closed;
    expect(closed.code).toBe(1006);
    await until(() => server!.hub.sessions.size === 0);
  });

  it('keeps a client that answers pings', async () => {
    const c = await connect(await start({ heartbeatMs: 30 }));
    let pongs = 0;
    while (pongs < 6) {
      await c.next((f) => f.type === 'ping' && !f.answered);
      const ping = c.frames.find((f) => f.type === 'ping' && !f.answered)!;
      ping.answered = true;
      c.send({ type: 'pong' });
      pongs++;
    }
    expect(server!.websocket.connections).toBe(1);
  });

  it('attach() leaves upgrade requests on other paths to other listeners', async () => {
    const http = createServer();
    const realtime = attach(http, { path: '/realtime' });
    const others: string[] = [];
    http.on('upgrade', (req, socket) => {
      if (req.url === '/_next/webpack-hmr') {
        others.push(req.url);
        socket.end('HTTP/1.1 426 Upgrade Required\r\n\r\n');
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    const hmr = new WebSocket(`ws://127.0.0.1:${port}/_next/webpack-hmr`);
    await new Promise((resolve) => hmr.on('error', resolve));
    expect(others).toEqual(['/_next/webpack-hmr']);
    const c = await connect(`ws://127.0.0.1:${port}/realtime`);
    expect(c.frames[0]).toMatchObject({ type: 'welcome' });
    c.close();
    await realtime.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    expect(http.listenerCount('upgrade')).toBe(1);
  });

  it('close() says 1001 to every client and releases the hub', async () => {
    const c = await connect(await start());
    await server!.close();
    expect((await c.closed).code).toBe(CLOSE_CODES.GOING_AWAY);
    expect(server!.hub.sessions.size).toBe(0);
    server = null;
  });
});
