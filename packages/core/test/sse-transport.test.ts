import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sse } from '../src/transports/sse.js';
import { httpServer, testClient, waitFor } from './net-helpers.js';

const LIMITS = { maxFrameBytes: 4096, maxChannels: 100, messagesPerSecond: 100 };

interface StreamRequest {
  channels: string[];
  session: string | null;
  lastEventId: string | null;
  channelAuth: string | null;
  res: ServerResponse;
}

/** A minimal native-protocol SSE endpoint: records every stream request, lets the test write to them. */
async function sseEndpoint(options: { heartbeatMs?: number; onOps?: (ops: { type: string; id?: string }[], res: ServerResponse) => void } = {}) {
  const streams: StreamRequest[] = [];
  const open = new Set<ServerResponse>();
  const { url } = await httpServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => options.onOps?.((JSON.parse(body) as { ops: { type: string; id?: string }[] }).ops, res));
      return;
    }
    const request: StreamRequest = {
      channels: u.searchParams.getAll('channel'),
      session: u.searchParams.get('session'),
      lastEventId: (req.headers['last-event-id'] as string | undefined) ?? null,
      channelAuth: (req.headers['x-switchboard-auth'] as string | undefined) ?? null,
      res,
    };
    streams.push(request);
    open.add(res);
    res.on('close', () => open.delete(res));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`event: welcome\ndata: ${JSON.stringify({ type: 'welcome', v: 1, session: 'sess-1', member: 'sess-1', heartbeatMs: options.heartbeatMs ?? 15000, limits: LIMITS })}\n\n`);
    const cursors = request.lastEventId?.split(',') ?? [];
    request.channels.forEach((channel, i) => {
      const cursor = cursors[i] || null;
      const subscribed = cursor ? { resumed: true, cursor } : { resumed: false, cursor: 'e.0' };
      res.write(`event: subscribed\ndata: ${JSON.stringify({ type: 'subscribed', channel, ...subscribed })}\n\n`);
    });
  });
  return { url, streams, open };
}

const frame = (res: ServerResponse, data: object, id?: string) => res.write(`${id ? `id: ${id}\n` : ''}event: ${(data as { type: string }).type}\ndata: ${JSON.stringify(data)}\n\n`);

describe('sse(): many channels over one stream', () => {
  it('subscribing to five channels at once opens one stream carrying all of them', async () => {
    const server = await sseEndpoint();
    const { client } = testClient({ transport: sse({ url: server.url }) });
    const channels = ['a', 'b', 'c', 'd', 'e'];
    for (const c of channels) client.channel(c).subscribe(() => {});
    await waitFor(() => channels.every((c) => client.channel(c).status.getSnapshot().status === 'subscribed'), 'all subscribed');
    // The handshake stream (no channels yet), then one stream with all five.
    expect(server.streams.map((s) => s.channels)).toEqual([[], channels]);
    await waitFor(() => server.open.size === 1, 'one open stream');
    expect(server.streams[1]!.session).toBe('sess-1');
  });

  it('reopens with the new set when a channel is left, and resumes with Last-Event-ID after a drop', async () => {
    const server = await sseEndpoint();
    const { client } = testClient({ transport: sse({ url: server.url }), channels: { lingerMs: 0 } });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    const offB = client.channel('b').subscribe(() => {});
    await waitFor(() => server.streams.length === 2 && client.channel('b').status.getSnapshot().status === 'subscribed', 'subscribed');
    frame(server.streams[1]!.res, { type: 'message', channel: 'a', event: 'e', data: 1, offset: 'e.7' }, 'e.7,e.0');
    await waitFor(() => got.length === 1, 'message');
    offB();
    await waitFor(() => server.streams.length === 3, 'reopened without b');
    expect(server.streams[2]).toMatchObject({ channels: ['a'], lastEventId: 'e.7' });
    server.streams[2]!.res.end(); // the server ends the stream: reconnect
    await waitFor(() => server.streams.length === 4 && client.getStats().connects === 2, 'reconnected');
    // One request on reconnect: it already carries the channel and its cursor.
    await waitFor(() => client.channel('a').status.getSnapshot().status === 'subscribed', 'resubscribed');
    expect(server.streams.slice(3).map((s) => [s.channels, s.lastEventId])).toEqual([[['a'], 'e.7']]);
  });

  it("honours the server's retry: as the backoff hint when the stream ends", async () => {
    const server = await sseEndpoint();
    const { client } = testClient({ transport: sse({ url: server.url }) });
    client.connect();
    await waitFor(() => server.streams.length === 1 && client.getSnapshot().status === 'connected', 'connected');
    server.streams[0]!.res.end('retry: 1500\n\n');
    await waitFor(() => client.getSnapshot().retryInMs !== null, 'retry scheduled');
    const { retryInMs, lastError } = client.getSnapshot();
    // hint + jitter of up to min(hint, cap = 100 ms in these tests)
    expect(retryInMs).toBeGreaterThanOrEqual(1500);
    expect(retryInMs).toBeLessThanOrEqual(1600);
    expect(lastError?.code).toBe('CONNECTION_LOST');
  });

  it('comment heartbeats keep a quiet stream alive; silence past the deadline drops it', async () => {
    // Margins wide enough for a loaded machine: a 400 ms deadline, comments every 50 ms.
    const server = await sseEndpoint({ heartbeatMs: 100 });
    const { client } = testClient({ transport: sse({ url: server.url }), heartbeat: { graceMs: 300 } });
    client.connect();
    await waitFor(() => server.streams.length === 1 && client.getSnapshot().status === 'connected', 'connected');
    const res = server.streams[0]!.res;
    const pinger = setInterval(() => res.write(': ping\n\n'), 50);
    try {
      const since = Date.now();
      // Three deadlines of nothing but comments.
      await waitFor(() => Date.now() - since > 1200 || client.getSnapshot().status !== 'connected', 'time passes', 3000);
      expect(client.getSnapshot().status).toBe('connected');
    } finally {
      clearInterval(pinger);
    }
    await waitFor(() => client.getSnapshot().lastError?.code === 'HEARTBEAT_TIMEOUT', 'heartbeat timeout');
  });

  it('reports malformed and oversized events, and keeps the stream', async () => {
    const server = await sseEndpoint();
    const { client, errors } = testClient({ transport: sse({ url: server.url, maxFrameBytes: 300 }) });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    await waitFor(() => server.streams.length === 2 && client.channel('a').status.getSnapshot().status === 'subscribed', 'subscribed');
    const res = server.streams[1]!.res;
    res.write('event: message\ndata: {broken\n\n');
    res.write('event: message\ndata: {"type":"warp"}\n\n');
    frame(res, { type: 'message', channel: 'a', event: 'e', data: 'x'.repeat(400), offset: 'e.1' });
    frame(res, { type: 'message', channel: 'a', event: 'e', data: 'fine', offset: 'e.2' });
    await waitFor(() => got.length === 1, 'the good message');
    expect(got).toEqual(['fine']);
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'UNKNOWN_FRAME', 'FRAME_TOO_LARGE']);
    expect(client.getStats().connects).toBe(1);
  });

  it('publishes over POST one request at a time, batching, in order, each acked', async () => {
    const batches: string[][] = [];
    const server = await sseEndpoint({
      onOps: (ops, res) => {
        batches.push(ops.map((o) => o.id!));
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: 1, results: ops.map((o) => ({ type: 'ack', id: o.id, offset: 'e.1' })) })), 20);
      },
    });
    const { client } = testClient({ transport: sse({ url: server.url }) });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.publish('room', 'n', i, { id: `m.${String(i).padStart(2, '0')}` })));
    expect(results.every((r) => r.status === 'acked')).toBe(true);
    expect(batches.flat()).toEqual(Array.from({ length: 20 }, (_, i) => `m.${String(i).padStart(2, '0')}`));
    expect(batches.length).toBeLessThan(20);
  });

  it('an unanswered publish request counts as a lost connection; the message is resent with the same id', async () => {
    const seen: string[] = [];
    const server = await sseEndpoint({
      onOps: (ops, res) => {
        seen.push(...ops.map((o) => o.id!));
        if (seen.length === 1) return; // the first request never gets an answer
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: 1, results: ops.map((o) => ({ type: 'ack', id: o.id })) }));
      },
    });
    const { client } = testClient({ transport: sse({ url: server.url, publishTimeoutMs: 400 }) });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    const result = await client.publish('room', 'n', 1, { id: 'once.1' });
    expect(result).toEqual({ id: 'once.1', status: 'acked' });
    expect(seen).toEqual(['once.1', 'once.1']);
    expect(client.getStats().connects).toBe(2);
  });

  it('fails a channel whose auth endpoint does not answer in time (AUTH_ERROR), not the connection', async () => {
    const server = await sseEndpoint();
    const { url: authUrl } = await httpServer(() => {
      // never answers
    });
    const { client } = testClient({ transport: sse({ url: server.url, auth: { endpoint: authUrl, timeoutMs: 50 } }) });
    client.channel('private-slow').subscribe(() => {});
    await waitFor(() => client.channel('private-slow').status.getSnapshot().status === 'failed', 'failed');
    expect(client.channel('private-slow').status.getSnapshot().error?.cause).toMatchObject({ code: 'AUTH_ERROR' });
    expect(client.getSnapshot().status).toBe('connected');
  });

  it('signs private channels with the auth option and sends the signatures in a header', async () => {
    const server = await sseEndpoint();
    const asked: unknown[] = [];
    const transport = sse({
      url: server.url,
      auth: async (request) => {
        asked.push(request);
        return { auth: `key:sig-for-${request.session}` };
      },
    });
    const { client } = testClient({ transport });
    client.channel('private-orders').subscribe(() => {});
    await waitFor(() => client.channel('private-orders').status.getSnapshot().status === 'subscribed', 'subscribed');
    expect(asked).toEqual([{ session: 'sess-1', channel: 'private-orders' }]);
    const last = server.streams[server.streams.length - 1]!;
    expect(JSON.parse(decodeURIComponent(last.channelAuth!))).toEqual({ 'private-orders': { auth: 'key:sig-for-sess-1' } });
  });

  it('signs again (once) when the server moved the connection to a new session, and never loops', async () => {
    for (const rotations of [1, Infinity]) {
      let streams = 0;
      const { url } = await httpServer((req, res) => {
        const u = new URL(req.url!, 'http://x');
        const session = streams++ <= rotations ? `sess-${streams}` : (u.searchParams.get('session') ?? 'sess-x');
        const auth = JSON.parse(decodeURIComponent((req.headers['x-switchboard-auth'] as string | undefined) ?? '%7B%7D')) as Record<string, { auth: string }>;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: welcome\ndata: ${JSON.stringify({ type: 'welcome', v: 1, session, member: session, heartbeatMs: 15000, limits: LIMITS })}\n\n`);
        for (const channel of u.searchParams.getAll('channel')) {
          const ok = auth[channel]?.auth === `sig-${session}`;
          const frame = ok ? { type: 'subscribed', channel, resumed: false, cursor: 'e.0' } : { type: 'refused', channel, code: 'UNAUTHORIZED' };
          res.write(`event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`);
        }
      });
      const { client } = testClient({ transport: sse({ url, auth: async ({ session }) => ({ auth: `sig-${session}` }) }) });
      client.channel('private-a').subscribe(() => {});
      await waitFor(() => ['subscribed', 'failed'].includes(client.channel('private-a').status.getSnapshot().status), 'settled');
      expect(client.channel('private-a').status.getSnapshot().status).toBe(rotations === 1 ? 'subscribed' : 'failed');
      expect(streams).toBeLessThanOrEqual(4);
    }
  });

  it('fails a private channel (not the connection) when its signature cannot be had', async () => {
    const server = await sseEndpoint();
    const { client } = testClient({ transport: sse({ url: server.url }) });
    client.channel('private-x').subscribe(() => {});
    await waitFor(() => client.channel('private-x').status.getSnapshot().status === 'failed', 'failed');
    expect(client.channel('private-x').status.getSnapshot().error?.code).toBe('CHANNEL_REFUSED');
    expect(client.getSnapshot().status).toBe('connected');
  });
});
