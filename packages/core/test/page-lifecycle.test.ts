import { beforeEach, describe, expect, it } from 'vitest';
import { polling } from '../src/transports/polling.js';
import { sse } from '../src/transports/sse.js';
import { httpServer, onCleanup, testClient, waitFor } from './net-helpers.js';

/**
 * Over HTTP the server cannot see a tab close: the page says goodbye itself on `pagehide` (a
 * `keepalive` POST leaving its presence channels) and enters again if it comes back from the
 * back/forward cache. Node has no window: a plain EventTarget stands in for it here.
 */
const page = new EventTarget();
const g = globalThis as unknown as Record<string, unknown>;
beforeEach(() => {
  g.addEventListener = page.addEventListener.bind(page);
  g.removeEventListener = page.removeEventListener.bind(page);
  // Registered first, so undone last: after the test's clients were destroyed (they unlisten).
  onCleanup(() => {
    delete g.addEventListener;
    delete g.removeEventListener;
  });
});

const pageEvent = (type: 'pagehide' | 'pageshow' | 'beforeunload', persisted = false) => page.dispatchEvent(Object.assign(new Event(type), { persisted }));

interface Ops {
  session: string;
  ops: Array<{ type: string; channel: string; action?: string; data?: unknown }>;
}

/** Answers polls (and the SSE stream) with a welcome and `subscribed`, records every POST of ops. */
async function endpoint() {
  const posts: Ops[] = [];
  const welcome = { type: 'welcome', v: 1, session: 's-1', member: 's-1', heartbeatMs: 30000, limits: { maxFrameBytes: 4096, maxChannels: 10, messagesPerSecond: 10 } };
  const { url } = await httpServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as Ops;
        posts.push(parsed);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: 1, results: parsed.ops.map(() => ({ type: 'ok' })) }));
      });
      return;
    }
    const channels = u.searchParams.getAll('channel').map((channel) => ({ type: 'subscribed', channel, resumed: false, cursor: 'e.0' }));
    if ((req.headers.accept ?? '').includes('text/event-stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(welcome)}\n\n`);
      for (const frame of channels) res.write(`data: ${JSON.stringify(frame)}\n\n`);
      return; // held open
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: 1, welcome, channels, messages: [], presence: [] }));
  });
  return { url, posts, presenceOps: () => posts.flatMap((p) => p.ops.filter((op) => op.type === 'presence').map((op) => ({ ...op, session: p.session }))) };
}

describe.each([
  ['polling', (url: string) => polling({ url, intervalMs: 60_000, visibility: false })],
  ['sse', (url: string) => sse({ url })],
] as const)('%s: presence when the page goes away', (_name, transport) => {
  it('pagehide leaves every presence channel at once; a page back from the bfcache enters again with its data', async () => {
    const server = await endpoint();
    const { client } = testClient({ transport: transport(server.url) });
    client.channel('room').presence.enter({ name: 'ann' });
    await waitFor(() => server.presenceOps().some((op) => op.action === 'enter'), 'the enter');

    pageEvent('pagehide', true);
    await waitFor(() => server.presenceOps().some((op) => op.action === 'leave'), 'the goodbye');
    expect(server.presenceOps().at(-1)).toEqual({ type: 'presence', channel: 'room', action: 'leave', session: 's-1' });

    pageEvent('pageshow', true);
    await waitFor(() => server.presenceOps().filter((op) => op.action === 'enter').length === 2, 'entered again');
    expect(server.presenceOps().at(-1)).toEqual({ type: 'presence', channel: 'room', action: 'enter', data: { name: 'ann' }, session: 's-1' });
  });

  it('beforeunload says goodbye once (before the browser aborts the page requests); a page that stays enters again', async () => {
    const server = await endpoint();
    const { client } = testClient({ transport: transport(server.url) });
    client.channel('room').presence.enter({ name: 'ann' });
    await waitFor(() => server.presenceOps().length === 1, 'the enter');
    pageEvent('beforeunload');
    pageEvent('pagehide'); // the same navigation: no second goodbye
    await waitFor(() => server.presenceOps().length === 2, 'the goodbye');
    // Another beforeunload handler kept the page (a "leave site?" prompt): it is back within a second.
    await waitFor(() => server.presenceOps().length === 3, 'entered again', 3000);
    expect(server.presenceOps().map((op) => op.action)).toEqual(['enter', 'leave', 'enter']);
  });

  it('nothing is sent for a page without presence, after leaving, or after destroy()', async () => {
    const server = await endpoint();
    const { client } = testClient({ transport: transport(server.url) });
    const room = client.channel('room');
    room.presence.enter({ name: 'ann' });
    await waitFor(() => server.presenceOps().length === 1, 'the enter');
    room.presence.leave();
    await waitFor(() => server.presenceOps().length === 2, 'the leave');
    pageEvent('pagehide', false);
    pageEvent('pageshow', true);
    room.presence.enter({ name: 'ann' });
    await waitFor(() => server.presenceOps().length === 3, 'entered again');
    client.destroy();
    const before = server.posts.length;
    pageEvent('pagehide', false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.posts.length).toBe(before);
    expect(server.presenceOps().map((op) => op.action)).toEqual(['enter', 'leave', 'enter']);
  });
});
