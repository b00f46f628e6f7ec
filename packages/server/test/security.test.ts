import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@switchboard/core/protocol';
import { authorizeChannel, serve, signToken, tokenAuthenticator, verifyToken, type RunningServer, type ServeOptions } from '../src/index.js';
import { rawClient, sseReader, type RawClient } from './helpers.js';

// Hostile or careless clients against a real server on 127.0.0.1: raw sockets and plain HTTP, since an
// attacker does not use our client. Every refusal has its documented code, and the server stays up.
const SECRET = 'security-secret';
let server: RunningServer | null = null;
const sockets: RawClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server?.close();
  server = null;
});

async function start(options: ServeOptions = {}): Promise<RunningServer> {
  server = await serve({ port: 0, secret: SECRET, ...options });
  return server;
}

const wsUrl = () => `ws://127.0.0.1:${server!.port}/realtime`;
const httpUrl = (query = '') => `${server!.url}/realtime${query}`;

async function ws(token?: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const c = await rawClient(wsUrl(), headers);
  sockets.push(c);
  c.send({ type: 'hello', v: 1, ...(token === undefined ? {} : { token }) });
  await c.next((f) => f.type === 'welcome' || f.type === 'error');
  return c;
}

const authHeader = (signatures: Record<string, { auth?: string; channelData?: string }>) => encodeURIComponent(JSON.stringify(signatures));

/** What the SSE stream says about each channel (after its welcome). */
async function sseVerdicts(query: string, headers: Record<string, string>, count: number) {
  const controller = new AbortController();
  const res = await fetch(httpUrl(query), { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events = sseReader(res);
  const welcome = (await events.event()).data;
  const verdicts: Record<string, unknown>[] = [];
  while (verdicts.length < count) {
    const e = await events.event();
    if (e.event === 'subscribed' || e.event === 'refused') verdicts.push(e.data);
  }
  controller.abort();
  return { welcome, verdicts: verdicts.map((v) => `${v.channel as string}:${v.type as string}${v.code ? `:${v.code as string}` : ''}`) };
}

async function pollVerdicts(query: string, headers: Record<string, string> = {}) {
  const res = await fetch(httpUrl(query), { headers: { accept: 'application/json', ...headers } });
  const body = (await res.json()) as { welcome: { session: string }; channels: { channel: string; type: string; code?: string }[] };
  return { session: body.welcome.session, verdicts: body.channels.map((v) => `${v.channel}:${v.type}${v.code ? `:${v.code}` : ''}`) };
}

describe('channel signatures on every native transport', () => {
  const channels = ['private-a', 'presence-b', 'private-c', 'presence-d'];
  const expected = ['private-a:refused:UNAUTHORIZED', 'presence-b:refused:UNAUTHORIZED', 'private-c:refused:UNAUTHORIZED', 'presence-d:subscribed'];
  /** none / a wrong secret / a valid private-style signature on a presence channel without channelData / valid. */
  const sign = (session: string) => {
    const d = authorizeChannel({ secret: SECRET }, session, 'presence-d', { userId: 'dora' });
    return {
      'presence-b': { auth: authorizeChannel({ secret: SECRET }, session, 'presence-b').auth },
      'private-c': { auth: authorizeChannel({ secret: 'not-the-secret' }, session, 'private-c').auth },
      'presence-d': { auth: d.auth, channelData: d.channel_data },
    };
  };

  it('WebSocket, SSE and polling refuse private-*/presence-* without a valid signature, and accept a valid one', async () => {
    await start();
    const c = await ws();
    const session = c.frames[0]!.session as string;
    const signatures = sign(session);
    for (const channel of channels) c.send({ type: 'subscribe', channel, ...signatures[channel as keyof typeof signatures] });
    const wsVerdicts = [];
    for (const channel of channels) {
      const f = await c.next((frame) => frame.channel === channel && (frame.type === 'subscribed' || frame.type === 'refused'));
      wsVerdicts.push(`${channel}:${f.type as string}${f.code ? `:${f.code as string}` : ''}`);
    }
    expect(wsVerdicts).toEqual(expected);

    const first = await pollVerdicts(`?${channels.map((ch) => `channel=${ch}`).join('&')}`);
    const httpSession = first.session;
    const query = `?${channels.map((ch) => `channel=${ch}`).join('&')}&session=${encodeURIComponent(httpSession)}`;
    const headers = { 'x-switchboard-auth': authHeader(sign(httpSession)) };
    expect((await sseVerdicts(query, headers, 4)).verdicts).toEqual(expected);
    expect((await pollVerdicts(query, headers)).verdicts).toEqual(expected);
  });

  it('a signature replayed from another connection (session) is refused on every transport', async () => {
    await start();
    const victim = await ws();
    const stolen = authorizeChannel({ secret: SECRET }, victim.frames[0]!.session as string, 'private-x');
    const thief = await ws();
    thief.send({ type: 'subscribe', channel: 'private-x', auth: stolen.auth });
    expect(await thief.next((f) => f.channel === 'private-x')).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
    thief.send({ type: 'publish', id: 'steal.1', channel: 'private-x', event: 'e', data: 1, auth: stolen.auth });
    expect(await thief.next((f) => f.id === 'steal.1')).toMatchObject({ type: 'nack', code: 'FORBIDDEN' });

    const headers = { 'x-switchboard-auth': authHeader({ 'private-x': { auth: stolen.auth } }) };
    const own = (await pollVerdicts('?channel=a')).session;
    expect((await sseVerdicts(`?channel=private-x&session=${encodeURIComponent(own)}`, headers, 1)).verdicts).toEqual(['private-x:refused:UNAUTHORIZED']);
    expect((await pollVerdicts(`?channel=private-x&session=${encodeURIComponent(own)}`, headers)).verdicts).toEqual(['private-x:refused:UNAUTHORIZED']);
    // A session id the server did not issue is replaced by a new one: it cannot be claimed either.
    const forged = await sseVerdicts('?channel=private-x&session=forged.id', headers, 1);
    expect(forged.welcome.session).not.toBe('forged.id');
    expect(forged.verdicts).toEqual(['private-x:refused:UNAUTHORIZED']);
    const publish = await fetch(httpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, session: own, ops: [{ type: 'publish', id: 'steal.2', channel: 'private-x', event: 'e', data: 1, auth: stolen.auth }] }),
    });
    expect(((await publish.json()) as { results: unknown[] }).results).toEqual([expect.objectContaining({ type: 'nack', code: 'FORBIDDEN' })]);
  });
});

describe('connection tokens', () => {
  const now = Date.now();
  const expired = signToken(SECRET, { sub: 'ann' }, { ttlSeconds: 60, now: now - 120_000 });
  const forged = signToken('another-secret', { sub: 'ann' });
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const unsigned = `${header}.${Buffer.from(JSON.stringify({ sub: 'ann', exp: now / 1000 + 60 })).toString('base64url')}.`;

  it('verifyToken accepts only a valid, unexpired HS256 token', () => {
    expect(verifyToken(SECRET, signToken(SECRET, { sub: 'ann', info: { role: 'x' } }))).toMatchObject({ sub: 'ann', info: { role: 'x' } });
    expect(verifyToken(SECRET, expired)).toBeNull();
    expect(verifyToken(SECRET, forged)).toBeNull();
    expect(verifyToken(SECRET, unsigned)).toBeNull();
    expect(verifyToken(SECRET, 'a.b')).toBeNull();
    expect(verifyToken(SECRET, undefined)).toBeNull();
    const early = signToken(SECRET, { sub: 'ann' }, { now: now + 600_000 });
    expect(verifyToken(SECRET, early, now)).toMatchObject({ sub: 'ann' }); // no nbf: valid until exp
  });

  it('expired, forged and unsigned tokens are refused on WebSocket (4100), SSE, polling and publish (401)', async () => {
    await start({ authenticate: tokenAuthenticator({ secret: SECRET }) });
    for (const token of [expired, forged, unsigned, undefined]) {
      const c = await ws(token);
      expect(c.frames[0]).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
      expect((await c.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      expect((await fetch(httpUrl('?channel=a'), { headers: { accept: 'text/event-stream', ...headers } })).status).toBe(401);
      expect((await fetch(httpUrl('?channel=a'), { headers: { accept: 'application/json', ...headers } })).status).toBe(401);
      const post = await fetch(httpUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ v: 1, ops: [] }) });
      expect(post.status).toBe(401);
    }
    const ok = await ws(signToken(SECRET, { sub: 'ann' }));
    expect(ok.frames[0]).toMatchObject({ type: 'welcome', member: 'ann' });
  });
});

describe('server-to-server publishing', () => {
  it('needs the exact server secret (or a channel signature); near misses are refused', async () => {
    await start();
    const publish = async (authorization?: string) => {
      const res = await fetch(httpUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ v: 1, ops: [{ type: 'publish', id: crypto.randomUUID(), channel: 'private-ops', event: 'deploy', data: 1 }] }),
      });
      return ((await res.json()) as { results: { type: string; code?: string }[] }).results[0];
    };
    for (const near of [SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase(), `Basic ${SECRET}`, '']) {
      expect(await publish(near.startsWith('Basic') ? near : `Bearer ${near}`)).toMatchObject({ type: 'nack', code: 'FORBIDDEN' });
    }
    expect(await publish()).toMatchObject({ type: 'nack', code: 'FORBIDDEN' });
    expect(await publish(`Bearer ${SECRET}`)).toMatchObject({ type: 'ack' });
  });
});

describe('origins', () => {
  it('refuses WebSocket upgrades and withholds CORS headers for origins not allowed; counts the refusals', async () => {
    await start({ allowedOrigins: ['https://app.example'], cors: { origin: ['https://app.example'] } });
    await expect(rawClient(wsUrl(), { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    sockets.push(await rawClient(wsUrl(), { origin: 'https://app.example' }));
    const evil = await fetch(httpUrl('?channel=a'), { headers: { accept: 'application/json', origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(httpUrl(), { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    const good = await fetch(httpUrl('?channel=a'), { headers: { accept: 'application/json', origin: 'https://app.example' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(await (await fetch(`${server!.url}/metrics`)).text()).toContain('switchboard_connections_refused_total{reason="origin"} 1');
  });
});

describe('limits: each has its code, and the server stays up', () => {
  it('connections per IP: WebSocket 1013, SSE and polling 429 with Retry-After; freed slots are reusable', async () => {
    await start({ maxConnectionsPerIp: 2 });
    const [one, two] = [await ws(), await ws()];
    const third = await rawClient(wsUrl());
    sockets.push(third);
    expect(await third.closed).toMatchObject({ code: CLOSE_CODES.TRY_AGAIN_LATER });
    const sse = await fetch(httpUrl('?channel=a'), { headers: { accept: 'text/event-stream' } });
    expect(sse.status).toBe(429);
    expect(sse.headers.get('retry-after')).toBe('5');
    expect(await sse.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await fetch(httpUrl('?channel=a'), { headers: { accept: 'application/json' } })).status).toBe(429);
    one.close();
    two.close();
    await one.closed;
    await two.closed;
    const again = await ws();
    expect(again.frames[0]).toMatchObject({ type: 'welcome' });
    expect((await fetch(httpUrl('?channel=a'), { headers: { accept: 'application/json' } })).status).toBe(200);
  });

  it('publishes per second over HTTP: nack RATE_LIMITED per op, other callers unaffected', async () => {
    await start({ limits: { messagesPerSecond: 1 }, burst: 2 });
    const ops = [1, 2, 3].map((n) => ({ type: 'publish', id: `r.${n}`, channel: 'room', event: 'e', data: n }));
    const post = (session?: string) =>
      fetch(httpUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, ...(session ? { session } : {}), ops }) });
    const flooded = ((await (await post()).json()) as { results: { type: string; code?: string }[] }).results;
    expect(flooded.map((r) => r.code ?? r.type)).toEqual(['ack', 'ack', 'RATE_LIMITED']);
    const session = (await pollVerdicts('?channel=room')).session;
    const other = ((await (await post(session)).json()) as { results: { type: string }[] }).results;
    expect(other[0]).toMatchObject({ type: 'ack' });
    expect(await (await fetch(`${server!.url}/metrics`)).text()).toMatch(/switchboard_dropped_total\{reason="rate_limited"\} [12]/);
  });

  it('frames, bodies and channels beyond the limits: FRAME_TOO_LARGE / 413 / 1009 / CHANNEL_REFUSED', async () => {
    await start({ limits: { maxFrameBytes: 1024, maxChannels: 2 } });
    const c = await ws();
    for (const channel of ['a', 'b', 'c']) c.send({ type: 'subscribe', channel });
    expect(await c.next((f) => f.channel === 'c')).toMatchObject({ type: 'refused', code: 'CHANNEL_REFUSED' });
    c.send({ type: 'publish', id: 'big', channel: 'a', event: 'e', data: 'x'.repeat(2000) });
    expect(await c.next((f) => f.id === 'big')).toMatchObject({ type: 'nack', code: 'FRAME_TOO_LARGE' });
    const body = await fetch(httpUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5000) });
    expect(body.status).toBe(413);
    c.sendText('z'.repeat(5000));
    expect((await c.closed).code).toBe(1009);
    expect((await ws()).frames[0]).toMatchObject({ type: 'welcome' });
  });
});
