import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connected, httpServer, peer, proxy, pusherClient, quietPeriod, status, subscribed, waitFor } from './helpers.js';

const clientEventsOnly = { publishUrl: undefined };

describe('publishing without publishUrl: client events', () => {
  it('on a subscribed private channel: others get the event (without the client- prefix), the sender does not', async () => {
    const p = await peer();
    const [a, b] = [pusherClient(p.port, clientEventsOnly), pusherClient(p.port, clientEventsOnly)];
    const [gotA, gotB] = [a.listen('private-chat'), b.listen('private-chat')];
    await Promise.all([subscribed(a, 'private-chat'), subscribed(b, 'private-chat')]);
    expect(await a.client.publish('private-chat', 'typing', { who: 'ann' })).toEqual({ id: expect.any(String), status: 'sent' });
    await waitFor(() => gotB.length === 1, 'b got it');
    expect(gotB).toEqual([{ event: 'typing', data: { who: 'ann' } }]);
    expect(p.received.filter((f) => f.event.startsWith('client-')).map((f) => f.event)).toEqual(['client-typing']);
    await quietPeriod(100);
    expect(gotA).toEqual([]);
  });

  it('published before the subscription succeeded: held, then sent', async () => {
    const p = await peer();
    const [a, b] = [pusherClient(p.port, clientEventsOnly), pusherClient(p.port, clientEventsOnly)];
    const gotB = b.listen('private-chat');
    await subscribed(b, 'private-chat');
    a.listen('private-chat');
    const sent = a.client.publish('private-chat', 'hello', 1);
    await waitFor(() => gotB.length === 1, 'b got it');
    expect(await sent).toMatchObject({ status: 'sent' });
    expect(a.errors).toEqual([]);
  });

  it('on a public channel: CAPABILITY_MISSING naming the transport and publishUrl; the message fails visibly', async () => {
    const p = await peer();
    const a = pusherClient(p.port, clientEventsOnly);
    a.listen('news');
    await subscribed(a, 'news');
    const error = await a.client.publish('news', 'e', 1).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CAPABILITY_MISSING', details: { transport: 'pusher', channel: 'news', messageId: expect.any(String) } });
    expect((error as Error).message).toMatch(/pusher transport cannot publish to "news".*publishUrl/);
    expect(a.client.outbox.getSnapshot().failed).toHaveLength(1);
    expect(status(a)).toBe('connected');
  });

  it('on a private channel this client is not subscribed to: CAPABILITY_MISSING', async () => {
    const p = await peer();
    const a = pusherClient(p.port, clientEventsOnly);
    a.client.connect();
    await connected(a);
    await expect(a.client.publish('private-chat', 'e', 1)).rejects.toMatchObject({ code: 'CAPABILITY_MISSING', message: expect.stringMatching(/subscribed/) });
  });

  it('with client events off and no publishUrl, the transport cannot publish at all (the core says so)', async () => {
    const p = await peer();
    const a = pusherClient(p.port, { publishUrl: undefined, clientEvents: false });
    expect(a.client.transport.capabilities).toMatchObject({ publish: false, clientEvents: false });
    expect(() => a.client.publish('private-chat', 'e', 1)).toThrow(expect.objectContaining({ code: 'CAPABILITY_MISSING' }));
  });

  it('a payload over Pusher’s 10 KiB limit: FRAME_TOO_LARGE naming the message (the limit is an option)', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.listen('news');
    await subscribed(a, 'news');
    await expect(a.client.publish('news', 'e', { big: 'x'.repeat(11 * 1024) })).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE', details: { messageId: expect.any(String) } });
    const b = pusherClient(p.port, { maxMessageBytes: 20 * 1024 });
    b.listen('news');
    await subscribed(b, 'news');
    await expect(b.client.publish('news', 'e', { big: 'x'.repeat(11 * 1024) })).resolves.toMatchObject({ status: 'acked' });
  });
});

describe('publishing with publishUrl: your server triggers through Pusher', () => {
  it('POSTs JSON { channel, event, data, id, socket_id } with the configured headers and the bearer token', async () => {
    const p = await peer();
    const posts: Array<{ body: unknown; headers: IncomingMessage['headers'] }> = [];
    const endpoint = await httpServer((req, res, body) => {
      posts.push({ body: JSON.parse(body), headers: req.headers });
      res.writeHead(204).end();
    });
    const a = pusherClient(p.port, { publishUrl: endpoint, headers: async () => ({ 'x-app': 'demo' }) }, { auth: () => 'tok-9' });
    a.listen('news');
    await subscribed(a, 'news');
    const { id } = await a.client.publish('news', 'headline', { n: 1 });
    await waitFor(() => posts.length === 1, 'posted');
    expect(posts[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'x-app': 'demo', authorization: 'Bearer tok-9' });
    expect(posts[0]?.body).toEqual({ channel: 'news', event: 'headline', data: { n: 1 }, id, socket_id: a.client.getSnapshot().sessionId });
  });

  it('non-volatile publishes on a private channel go over HTTP (the sender gets them too); volatile ones as client events', async () => {
    const p = await peer();
    const [a, b] = [pusherClient(p.port), pusherClient(p.port)];
    const [gotA, gotB] = [a.listen('private-doc'), b.listen('private-doc')];
    await Promise.all([subscribed(a, 'private-doc'), subscribed(b, 'private-doc')]);
    await a.client.publish('private-doc', 'saved', { v: 1 });
    await a.client.publish('private-doc', 'cursor', { x: 5 }, { volatile: true });
    await waitFor(() => gotB.length === 2 && gotA.length === 1, () => `b ${gotB.length}, a ${gotA.length}`);
    expect(gotA).toEqual([{ event: 'saved', data: { v: 1 } }]);
    expect(new Set(gotB.map((m) => m.event))).toEqual(new Set(['saved', 'cursor']));
    expect(p.received.filter((f) => f.event.startsWith('client-')).map((f) => f.event)).toEqual(['client-cursor']);
  });

  it('keeps publish order (one request at a time)', async () => {
    const p = await peer();
    const [a, b] = [pusherClient(p.port), pusherClient(p.port)];
    const got = b.listen('seq');
    a.listen('seq');
    await Promise.all([subscribed(a, 'seq'), subscribed(b, 'seq')]);
    await Promise.all(Array.from({ length: 30 }, (_, i) => a.client.publish('seq', 'n', i)));
    await waitFor(() => got.length === 30, () => `30, got ${got.length}`);
    expect(got.map((m) => m.data)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it.each([
    [403, 'PUBLISH_REJECTED'],
    [413, 'FRAME_TOO_LARGE'],
    [400, 'PUBLISH_REJECTED'],
  ])('an answer %i fails the message (%s): publish rejects, it is listed as failed, the socket stays', async (code, errorCode) => {
    const p = await peer();
    const a = pusherClient(p.port, { publishUrl: await httpServer((_req, res) => res.writeHead(code).end()) });
    a.listen('news');
    await subscribed(a, 'news');
    const sent = a.client.publish('news', 'e', 1);
    const error = await sent.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: errorCode, details: { status: code, channel: 'news', transport: 'pusher' } });
    const { failed } = a.client.outbox.getSnapshot();
    expect(failed.map((f) => [f.data, f.error?.code])).toEqual([[1, errorCode]]);
    expect(status(a)).toBe('connected');
  });

  it.each([
    [503, 'SERVER_ERROR'],
    [429, 'RATE_LIMITED'],
    [408, 'SERVER_ERROR'],
  ])('an answer %i is transient (%s): the outbox resends the same id until the endpoint acks it', async (code) => {
    const p = await peer();
    const ids: string[] = [];
    const endpoint = await httpServer((_req, res, body) => {
      ids.push((JSON.parse(body) as { id: string }).id);
      if (ids.length < 3) res.writeHead(code, code === 429 ? { 'retry-after': '0' } : {}).end();
      else res.writeHead(204).end();
    });
    const a = pusherClient(p.port, { publishUrl: endpoint });
    const got = a.listen('news');
    await subscribed(a, 'news');
    const result = await a.client.publish('news', 'e', { n: 1 });
    expect(result.status).toBe('acked');
    expect(ids).toEqual([result.id, result.id, result.id]);
    expect(a.client.outbox.getSnapshot().failed).toEqual([]);
    expect(status(a)).toBe('connected');
    expect(got.length).toBe(0); // the stand-in endpoint does not trigger: nothing arrives twice
  });

  it('an unreachable endpoint is transient too: the message is delivered once the endpoint is back', async () => {
    const p = await peer();
    let up = false;
    const posts: unknown[] = [];
    const endpoint = await httpServer((req, res, body) => {
      if (!up) return void req.socket.destroy();
      posts.push(JSON.parse(body));
      res.writeHead(204).end();
    });
    const a = pusherClient(p.port, { publishUrl: endpoint });
    a.listen('news');
    await subscribed(a, 'news');
    const sent = a.client.publish('news', 'e', 'hello');
    await waitFor(() => a.client.outbox.getSnapshot().pending[0]?.error?.code === 'SERVER_ERROR', 'nacked as transient');
    expect(a.client.outbox.getSnapshot().pending.map((m) => m.state)).toEqual(['queued']);
    up = true;
    await expect(sent).resolves.toMatchObject({ status: 'acked' });
    expect(posts).toMatchObject([{ channel: 'news', event: 'e', data: 'hello' }]);
  });

  it('a request whose answer comes back after the socket dropped: the outbox resends it after the reconnect (same id)', async () => {
    const p = await peer();
    const px = await proxy(p.port);
    const ids: string[] = [];
    let release: (() => void) | null = null;
    const url = await httpServer((_req, res, body) => {
      ids.push((JSON.parse(body) as { id: string }).id);
      if (ids.length === 1) release = () => res.writeHead(204).end();
      else res.writeHead(204).end();
    });
    const a = pusherClient(px.port, { publishUrl: url, authEndpoint: undefined, userAuthEndpoint: undefined }, { backoff: { baseMs: 1000, capMs: 1000, wakeJitterMs: 20 }, platform: { random: () => 0.5 } });
    a.listen('news');
    await subscribed(a, 'news');
    const sent = a.client.publish('news', 'e', 1);
    await waitFor(() => release !== null, 'the request is waiting for its answer');
    px.cut();
    await waitFor(() => status(a) === 'reconnecting', 'dropped');
    release!();
    await quietPeriod(100);
    expect(a.errors).toEqual([]);
    await connected(a);
    const { id, status: settled } = await sent;
    expect(settled).toBe('acked');
    // At-least-once: the first answer went to a connection that had ended; the resend carries the same id.
    expect(ids).toEqual([id, id]);
  });
});
