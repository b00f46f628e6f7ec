import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { polling, type VisibilitySource } from '../src/transports/polling.js';
import { httpServer, testClient, waitFor } from './net-helpers.js';

interface Poll {
  channels: string[];
  ifNoneMatch: string | null;
  lastEventId: string | null;
  wait: string | null;
  status?: number;
}

/** A small polling endpoint: per-channel logs with offsets `e.<n>`, 304 when the client is up to date. */
async function pollEndpoint() {
  const logs = new Map<string, unknown[]>();
  const polls: Poll[] = [];
  const held = new Set<() => void>();
  const { url } = await httpServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const poll: Poll = {
      channels: u.searchParams.getAll('channel'),
      ifNoneMatch: (req.headers['if-none-match'] as string | undefined) ?? null,
      lastEventId: (req.headers['last-event-id'] as string | undefined) ?? null,
      wait: u.searchParams.get('wait'),
    };
    polls.push(poll);
    const answer = () => respond(poll, res);
    if (poll.wait && poll.ifNoneMatch && !changed(poll)) {
      held.add(answer);
      res.on('close', () => held.delete(answer));
    } else answer();
  });
  const cursorsOf = (poll: Poll) => (poll.ifNoneMatch?.slice(1, -1) ?? poll.lastEventId)?.split(',') ?? [];
  const changed = (poll: Poll) =>
    poll.channels.some((c, i) => {
      const cursor = cursorsOf(poll)[i];
      return !cursor || Number(cursor.slice(2)) < (logs.get(c)?.length ?? 0);
    });
  function respond(poll: Poll, res: ServerResponse) {
    const cursors = cursorsOf(poll);
    if (poll.ifNoneMatch && !changed(poll)) {
      poll.status = 304;
      res.writeHead(304, { etag: poll.ifNoneMatch }).end();
      return;
    }
    const channels: unknown[] = [];
    const messages: unknown[] = [];
    const next: string[] = [];
    for (const [i, channel] of poll.channels.entries()) {
      const log = logs.get(channel) ?? [];
      const cursor = cursors[i];
      const from = cursor ? Number(cursor.slice(2)) : log.length;
      channels.push({ type: 'subscribed', channel, resumed: Boolean(cursor), cursor: cursor || `e.${log.length}` });
      log.slice(from).forEach((data, k) => messages.push({ type: 'message', channel, event: 'e', data, offset: `e.${from + k + 1}` }));
      next.push(`e.${log.length}`);
    }
    poll.status = 200;
    const welcome = { type: 'welcome', v: 1, session: 'p-1', member: 'p-1', heartbeatMs: 30000, limits: { maxFrameBytes: 4096, maxChannels: 10, messagesPerSecond: 10 } };
    res.writeHead(200, { 'content-type': 'application/json', etag: `"${next.join(',')}"` }).end(JSON.stringify({ v: 1, welcome, channels, messages, presence: [] }));
  }
  return {
    url,
    polls,
    publish(channel: string, data: unknown) {
      logs.set(channel, [...(logs.get(channel) ?? []), data]);
      for (const answer of [...held]) {
        held.delete(answer);
        answer();
      }
    },
    get held() {
      return held.size;
    },
  };
}

function visibility(initial = true): VisibilitySource & { set(visible: boolean): void; readonly listeners: number } {
  let visible = initial;
  const listeners = new Set<(v: boolean) => void>();
  return {
    isVisible: () => visible,
    onVisibility(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value) {
      visible = value;
      for (const l of [...listeners]) l(value);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

describe('polling()', () => {
  it('sends the cursors as If-None-Match, gets 304 while nothing is new, and the messages once something is', async () => {
    const server = await pollEndpoint();
    const { client } = testClient({ transport: polling({ url: server.url, intervalMs: 10, visibility: false }) });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    await waitFor(() => server.polls.filter((p) => p.status === 304).length >= 2, 'polls answered 304');
    expect(server.polls.find((p) => p.status === 304)).toMatchObject({ channels: ['a'], ifNoneMatch: '"e.0"' });
    server.publish('a', 'first');
    await waitFor(() => got.length === 1, 'the message');
    server.publish('a', 'second');
    await waitFor(() => got.length === 2, 'the next one');
    expect(got).toEqual(['first', 'second']);
    expect(client.channel('a').status.getSnapshot().status).toBe('subscribed');
  });

  it('a channel added with a cursor (since) and nothing new is confirmed: its first poll is not conditional', async () => {
    const server = await pollEndpoint();
    server.publish('a', 'in the snapshot');
    const { client } = testClient({ transport: polling({ url: server.url, intervalMs: 10, visibility: false }) });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data), { since: 'e.1' });
    await waitFor(() => client.channel('a').status.getSnapshot().status === 'subscribed', 'subscribed although nothing is new');
    const first = server.polls.find((p) => p.channels.includes('a'));
    expect(first).toMatchObject({ ifNoneMatch: null, lastEventId: 'e.1', status: 200 });
    // Confirmed: from then on conditional, 304 while nothing is new.
    await waitFor(() => server.polls.some((p) => p.channels.includes('a') && p.status === 304), 'a 304');
    server.publish('a', 'after it');
    await waitFor(() => got.length === 1, 'the next message');
    expect(got).toEqual(['after it']);
  });

  it('pauses while the page is hidden and polls at once when it is visible again', async () => {
    const server = await pollEndpoint();
    const page = visibility();
    const { client } = testClient({ transport: polling({ url: server.url, intervalMs: 20, visibility: page }) });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    await waitFor(() => server.polls.length >= 3, 'polling');
    page.set(false);
    const atHide = server.polls.length;
    server.publish('a', 'while hidden');
    const since = Date.now();
    await waitFor(() => Date.now() - since > 200, 'ten intervals pass');
    expect(server.polls.length - atHide).toBeLessThanOrEqual(1); // at most the one already in flight
    expect(client.getSnapshot().status).toBe('connected');
    page.set(true);
    await waitFor(() => got.includes('while hidden'), 'delivered on visible');
    expect(page.listeners).toBe(1);
    client.destroy();
    expect(page.listeners).toBe(0);
  });

  it('polls at once when the page becomes visible, however long the interval', async () => {
    const server = await pollEndpoint();
    const page = visibility();
    const { client } = testClient({ transport: polling({ url: server.url, intervalMs: 60_000, visibility: page }) });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    await waitFor(() => client.channel('a').status.getSnapshot().status === 'subscribed', 'subscribed');
    page.set(false);
    server.publish('a', 'news');
    page.set(true);
    await waitFor(() => got.length === 1, 'news without waiting a minute');
  });

  it('long poll: every poll waits on the server; a new channel does not wait for the held one', async () => {
    const server = await pollEndpoint();
    const { client } = testClient({ transport: polling({ url: server.url, longPoll: { waitMs: 20_000 }, visibility: false }) });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    await waitFor(() => server.held === 1, 'a held poll');
    expect(server.polls[server.polls.length - 1]).toMatchObject({ channels: ['a'], wait: '20' });
    server.publish('a', 1);
    await waitFor(() => got.length === 1, 'delivered from the held poll');
    await waitFor(() => server.held === 1, 'held again');
    client.channel('b').subscribe((m) => got.push(m.data));
    await waitFor(() => client.channel('b').status.getSnapshot().status === 'subscribed', 'b subscribed without waiting 20 s');
    server.publish('b', 2);
    await waitFor(() => got.length === 2, 'b delivered');
  });

  it('long poll without channels (connect() only) does not spin', async () => {
    const server = await pollEndpoint();
    const { client } = testClient({ transport: polling({ url: server.url, longPoll: true, intervalMs: 1000, visibility: false }) });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    const since = Date.now();
    await waitFor(() => Date.now() - since > 200, 'time passes');
    expect(server.polls.length).toBe(1);
  });

  it('the first poll of a new connection resumes (Last-Event-ID), never a 304', async () => {
    const server = await pollEndpoint();
    const { client } = testClient({ transport: polling({ url: server.url, intervalMs: 10, visibility: false }) });
    const got: unknown[] = [];
    client.channel('a').subscribe((m) => got.push(m.data));
    await waitFor(() => client.channel('a').status.getSnapshot().status === 'subscribed', 'subscribed');
    server.publish('a', 1);
    await waitFor(() => got.length === 1, 'first');
    client.close();
    server.publish('a', 2);
    client.connect();
    await waitFor(() => got.length === 2, 'resumed');
    const first = server.polls.find((p, i) => i > 0 && p.lastEventId !== null);
    expect(first).toMatchObject({ channels: ['a'], ifNoneMatch: null, status: 200 });
  });

  it('a poll that gets no answer in time counts as a lost connection', async () => {
    const { url } = await httpServer(() => {
      // never answers
    });
    const { client } = testClient({ transport: polling({ url, requestTimeoutMs: 50, visibility: false }) });
    client.connect();
    await waitFor(() => client.getSnapshot().attempt >= 1, 'attempt failed');
    expect(client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', message: expect.stringContaining('timed out') });
  });
});
