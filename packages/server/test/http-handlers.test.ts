import { describe, expect, it } from 'vitest';
import { authorizeChannel, createHandlers, createHub, type HandlerOptions } from '../src/index.js';
import { sseReader, until } from './helpers.js';

const BASE = 'http://realtime.test/api/realtime';

function setup(options: HandlerOptions = {}) {
  const hub = createHub(options);
  return { hub, handlers: createHandlers({ ...options, hub }) };
}

const streamRequest = (query: string, headers: Record<string, string> = {}) =>
  new Request(`${BASE}?${query}`, { headers: { accept: 'text/event-stream', ...headers } });
const pollRequest = (query: string, headers: Record<string, string> = {}) => new Request(`${BASE}?${query}`, { headers: { accept: 'application/json', ...headers } });
const opsRequest = (body: unknown, headers: Record<string, string> = {}) =>
  new Request(BASE, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

describe('SSE handler: one stream, many channels', () => {
  it('sends welcome, one subscribed per channel and messages whose id is the whole cursor list', async () => {
    const { hub, handlers } = setup();
    const res = await handlers.GET(streamRequest('channel=a&channel=b'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseReader(res);
    const welcome = await events.event();
    expect(welcome).toMatchObject({ event: 'welcome', data: { type: 'welcome', v: 1, heartbeatMs: 15_000 } });
    const [subA, subB] = [await events.event(), await events.event()];
    expect(subA.data).toMatchObject({ type: 'subscribed', channel: 'a', resumed: false });
    expect(subB.data).toMatchObject({ type: 'subscribed', channel: 'b', resumed: false });
    const headA = subA.data.cursor as string;
    const headB = subB.data.cursor as string;
    expect(subB.id).toBe(`${headA},${headB}`);
    const { offset } = await hub.publish('b', 'e', { hello: 1 });
    const message = await events.event();
    expect(message).toEqual({ id: `${headA},${offset}`, event: 'message', data: expect.objectContaining({ channel: 'b', data: { hello: 1 }, offset }) });
    expect(hub.sessions.size).toBe(1);
    await events.cancel();
    await until(() => hub.sessions.size === 0);
  });

  it('resumes every channel from Last-Event-ID (positional cursors), fresh where empty', async () => {
    const { hub, handlers } = setup();
    const first = await hub.publish('a', 'n', 1);
    await hub.publish('a', 'n', 2);
    await hub.publish('b', 'n', 'not replayed');
    const events = sseReader(await handlers.GET(streamRequest('channel=a&channel=b', { 'last-event-id': `${first.offset},` })));
    await events.event(); // welcome
    expect((await events.event()).data).toMatchObject({ type: 'subscribed', channel: 'a', resumed: true, cursor: first.offset });
    expect((await events.event()).data).toMatchObject({ type: 'message', channel: 'a', data: 2 });
    expect((await events.event()).data).toMatchObject({ type: 'subscribed', channel: 'b', resumed: false });
    await events.cancel();
  });

  it('refuses bad channels one by one: the stream itself opens', async () => {
    const secret = 'k';
    const { hub, handlers } = setup({ secret, limits: { maxChannels: 3 } });
    const session = hub.sessionId(null);
    const signature = authorizeChannel({ secret }, session, 'private-ok');
    const header = encodeURIComponent(JSON.stringify({ 'private-ok': { auth: signature.auth } }));
    const query = ['ok', 'ok', 'bad name', 'private-nope', 'private-ok', 'extra'].map((c) => `channel=${encodeURIComponent(c)}`).join('&');
    const events = sseReader(await handlers.GET(streamRequest(`${query}&session=${session}`, { 'x-switchboard-auth': header })));
    expect((await events.event()).data).toMatchObject({ type: 'welcome', session });
    const byChannel: Record<string, unknown>[] = [];
    for (let i = 0; i < 6; i++) byChannel.push((await events.event()).data);
    expect(byChannel.map((f) => [f.type, f.code ?? null])).toEqual([
      ['subscribed', null],
      ['refused', 'CHANNEL_REFUSED'], // listed twice
      ['refused', 'BAD_FRAME'], // invalid name
      ['refused', 'UNAUTHORIZED'], // no signature
      ['subscribed', null],
      ['refused', 'CHANNEL_REFUSED'], // beyond maxChannels
    ]);
    await events.cancel();
  });

  it('answers 401 / 403 when authenticate refuses, before any stream', async () => {
    const { handlers } = setup({ authenticate: ({ token }) => (token === 'ok' ? {} : token === 'banned' ? false : null) });
    expect((await handlers.GET(streamRequest('channel=a'))).status).toBe(401);
    expect((await handlers.GET(streamRequest('channel=a', { authorization: 'Bearer banned' }))).status).toBe(403);
    const ok = await handlers.GET(streamRequest('channel=a', { authorization: 'Bearer ok' }));
    expect(ok.status).toBe(200);
    await ok.body!.cancel();
  });

  it('sends comment heartbeats, and ends a stream after maxStreamMs with a retry hint', async () => {
    const { hub, handlers } = setup({ sseHeartbeatMs: 20, maxStreamMs: 150, retryMs: 250 });
    const events = sseReader(await handlers.GET(streamRequest('channel=a')));
    let comments = 0;
    let retry: number | undefined;
    for (;;) {
      const block = await events.next().catch(() => null);
      if (block === null) break;
      if (block === ': ping') comments++;
      if (block.startsWith('retry:')) retry = Number(block.slice(6));
    }
    expect(comments).toBeGreaterThanOrEqual(2);
    expect(retry).toBe(250);
    expect(hub.sessions.size).toBe(0);
  });
});

describe('SSE handler: a client that does not read', () => {
  it('is disconnected once its unread backlog passes maxBufferedBytes (it resumes when it comes back)', async () => {
    const { hub, handlers } = setup({ maxBufferedBytes: 2048 });
    const res = await handlers.GET(streamRequest('channel=firehose'));
    await until(() => [...hub.sessions][0]?.subscriptions.size === 1);
    for (let i = 0; i < 40 && hub.sessions.size > 0; i++) await hub.publish('firehose', 'n', 'x'.repeat(200));
    expect(hub.sessions.size).toBe(0);
    await res.body!.cancel();
  });
});

describe('poll handler: cursors in the ETag', () => {
  it('answers 200 with welcome, subscriptions and an ETag, then 304 until something happens', async () => {
    const { hub, handlers } = setup();
    const first = await handlers.GET(pollRequest('channel=a&channel=b'));
    expect(first.status).toBe(200);
    const body = (await first.json()) as { welcome: { session: string }; channels: unknown[]; messages: unknown[] };
    expect(body.channels).toEqual([expect.objectContaining({ type: 'subscribed', channel: 'a', resumed: false }), expect.objectContaining({ type: 'subscribed', channel: 'b' })]);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+\.0,.+\.0"$/);
    const session = body.welcome.session;
    const again = await handlers.GET(pollRequest(`channel=a&channel=b&session=${session}`, { 'if-none-match': etag }));
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    await hub.publish('b', 'n', 'news');
    const changed = await handlers.GET(pollRequest(`channel=a&channel=b&session=${session}`, { 'if-none-match': etag }));
    expect(changed.status).toBe(200);
    const next = (await changed.json()) as { messages: { data: unknown }[] };
    expect(next.messages.map((m) => m.data)).toEqual(['news']);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('never answers 304 to Last-Event-ID (a new connection needs the welcome)', async () => {
    const { handlers } = setup();
    const etag = (await handlers.GET(pollRequest('channel=a'))).headers.get('etag')!;
    const res = await handlers.GET(pollRequest('channel=a', { 'last-event-id': etag.slice(1, -1) }));
    expect(res.status).toBe(200);
  });

  it('holds a long poll until a message arrives, or answers 304 when the wait is over', async () => {
    const { hub, handlers } = setup({ maxWaitMs: 150 });
    const etag = (await handlers.GET(pollRequest('channel=a'))).headers.get('etag')!;
    const held = handlers.GET(pollRequest('channel=a&wait=10', { 'if-none-match': etag }));
    await until(() => (hub.broker as unknown as { listenerCount: number }).listenerCount === 1);
    await hub.publish('a', 'n', 'woken');
    const res = await held;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { messages: { data: unknown }[] }).messages.map((m) => m.data)).toEqual(['woken']);
    const idle = await handlers.GET(pollRequest('channel=a&wait=10', { 'if-none-match': res.headers.get('etag')! }));
    expect(idle.status).toBe(304);
    expect((hub.broker as unknown as { listenerCount: number }).listenerCount).toBe(0);
  });

  it('sends a presence list only when its version changed', async () => {
    const { hub, handlers } = setup();
    const first = await handlers.GET(pollRequest('channel=room'));
    const etag = first.headers.get('etag')!;
    const session = ((await first.json()) as { welcome: { session: string } }).welcome.session;
    await hub.broker.presenceSet('room', { session: 'other', member: { id: 'bob', data: { name: 'Bob' } } }, 10_000);
    const res = await handlers.GET(pollRequest(`channel=room&session=${session}`, { 'if-none-match': etag }));
    const body = (await res.json()) as { presence: unknown[] };
    expect(body.presence).toEqual([{ type: 'presence', channel: 'room', action: 'sync', members: [{ id: 'bob', data: { name: 'Bob' } }], version: 1 }]);
    expect(res.headers.get('etag')).toMatch(/~1"$/);
    expect((await handlers.GET(pollRequest(`channel=room&session=${session}`, { 'if-none-match': res.headers.get('etag')! }))).status).toBe(304);
  });
});

describe('POST handler: publishes and presence in order', () => {
  it('acks each publish in order and deduplicates resends', async () => {
    const { handlers } = setup();
    const ops = [1, 2, 1].map((n) => ({ type: 'publish', id: `c.${n}`, channel: 'room', event: 'e', data: n }));
    const res = await handlers.POST(opsRequest({ v: 1, ops }));
    const { results } = (await res.json()) as { results: { type: string; id: string; offset: string }[] };
    expect(results.map((r) => [r.type, r.id])).toEqual([
      ['ack', 'c.1'],
      ['ack', 'c.2'],
      ['ack', 'c.1'],
    ]);
    expect(results[2]!.offset).toBe(results[0]!.offset);
  });

  it('refuses bad requests with typed errors, per request or per op', async () => {
    const { handlers } = setup({ limits: { maxFrameBytes: 1000 } });
    const status = async (body: unknown) => {
      const res = await handlers.POST(opsRequest(body));
      return [res.status, ((await res.json()) as { code?: string }).code];
    };
    expect(await status('{oops')).toEqual([400, 'BAD_FRAME']);
    expect(await status({ v: 1 })).toEqual([400, 'BAD_FRAME']);
    expect(await status({ v: 9, ops: [] })).toEqual([400, 'PROTOCOL_ERROR']);
    expect(await status({ v: 1, ops: new Array(101).fill({ type: 'ping' }) })).toEqual([413, 'FRAME_TOO_LARGE']);
    expect(await status('x'.repeat(5000))).toEqual([413, 'FRAME_TOO_LARGE']);
    const res = await handlers.POST(
      opsRequest({
        v: 1,
        ops: [
          { type: 'teleport' },
          { type: 'publish', id: 'x', channel: 'bad channel', event: 'e' },
          { type: 'publish', id: 'big', channel: 'room', event: 'e', data: 'y'.repeat(990) },
          { type: 'subscribe', channel: 'room' },
          { type: 'presence', channel: 'room', action: 'enter', data: 1 },
        ],
      }),
    );
    const { results } = (await res.json()) as { results: { type: string; code: string }[] };
    expect(results.map((r) => `${r.type}:${r.code}`)).toEqual(['error:UNKNOWN_FRAME', 'error:BAD_FRAME', 'nack:FRAME_TOO_LARGE', 'error:UNKNOWN_FRAME', 'error:BAD_FRAME']);
  });

  it('private channels: the server secret publishes anywhere; a client needs the signature', async () => {
    const secret = 'k';
    const { hub, handlers } = setup({ secret });
    const session = hub.sessionId(null);
    const op = (id: string, extra = {}) => ({ type: 'publish', id, channel: 'private-x', event: 'e', data: 1, ...extra });
    const results = async (body: unknown, headers?: Record<string, string>) =>
      ((await (await handlers.POST(opsRequest(body, headers))).json()) as { results: { type: string; code?: string }[] }).results.map((r) => `${r.type}${r.code ? `:${r.code}` : ''}`);
    expect(await results({ v: 1, ops: [op('s.1')] }, { authorization: `Bearer ${secret}` })).toEqual(['ack']);
    expect(await results({ v: 1, session, ops: [op('c.1')] })).toEqual(['nack:FORBIDDEN']);
    expect(await results({ v: 1, session, ops: [op('c.2', { auth: authorizeChannel({ secret }, session, 'private-x').auth })] })).toEqual(['ack']);
    expect(await results({ v: 1, ops: [op('c.3')] }, { authorization: 'Bearer wrong' })).toEqual(['nack:FORBIDDEN']);
  });

  it('presence over HTTP needs a session, and expires without polls', async () => {
    const { hub, handlers } = setup({ presenceTimeoutMs: 60 });
    const session = hub.sessionId(null);
    const enter = { type: 'presence', channel: 'room', action: 'enter', data: { n: 1 } };
    expect(((await (await handlers.POST(opsRequest({ v: 1, ops: [enter] }))).json()) as { results: unknown[] }).results).toEqual([
      expect.objectContaining({ type: 'error', code: 'BAD_FRAME' }),
    ]);
    expect(((await (await handlers.POST(opsRequest({ v: 1, session, ops: [enter] }))).json()) as { results: unknown[] }).results).toEqual([{ type: 'ok' }]);
    expect((await hub.broker.presenceList('room')).members).toEqual([{ id: session, data: { n: 1 } }]);
    // No poll touches it: it expires after presenceTimeoutMs.
    for (let i = 0; i < 100 && (await hub.broker.presenceList('room')).members.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await hub.broker.presenceList('room')).members).toEqual([]);
  });

  it('answers 401 when authenticate refuses', async () => {
    const { handlers } = setup({ authenticate: () => null });
    expect((await handlers.POST(opsRequest({ v: 1, ops: [] }))).status).toBe(401);
  });
});

describe('CORS', () => {
  it('answers preflights and tags responses for allowed origins only', async () => {
    const { handlers } = setup({ cors: { origin: ['https://app.example'], credentials: true } });
    const preflight = await handlers.OPTIONS(new Request(BASE, { method: 'OPTIONS', headers: { origin: 'https://app.example' } }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('last-event-id');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const poll = await handlers.GET(pollRequest('channel=a', { origin: 'https://app.example' }));
    expect(poll.headers.get('access-control-expose-headers')).toContain('etag');
    const evil = await handlers.GET(pollRequest('channel=a', { origin: 'https://evil.example' }));
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
