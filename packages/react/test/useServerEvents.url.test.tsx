import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { useServerEvents } from '../src/index.js';
import { describeEachReactMode, harness } from './utils.js';

/** What a Next.js route handler writing `event: notification` lines would send. */
const NOTIFICATIONS = [
  { id: '1', title: 'deploy started' },
  { id: '2', title: 'deploy finished' },
  { id: '3', title: 'new comment' },
];
const requests: Array<{ lastEventId: string | null }> = [];
let endAfter = 2; // the first stream ends after two events (e.g. a serverless time limit)

const encoder = new TextEncoder();
const server = setupServer(
  http.get('http://localhost/api/notifications', ({ request }) => {
    const lastEventId = request.headers.get('last-event-id');
    requests.push({ lastEventId });
    const from = lastEventId === null ? 0 : NOTIFICATIONS.findIndex((n) => n.id === lastEventId) + 1;
    const send = NOTIFICATIONS.slice(from, requests.length === 1 ? endAfter : undefined);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('retry: 10\n: hello\n\n'));
        for (const n of send) controller.enqueue(encoder.encode(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify({ title: n.title })}\n\n`));
        if (requests.length === 1) controller.close(); // later streams stay open
      },
    });
    return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
  }),
  http.get('http://localhost/api/missing', () => new HttpResponse('not here', { status: 404 })),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
  endAfter = 2;
});
afterAll(() => server.close());

describeEachReactMode('useServerEvents (plain SSE URL)', (mode) => {
  it('reads any event: / data: / id: stream and resumes with Last-Event-ID, without duplicates', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => useServerEvents({ url: 'http://localhost/api/notifications', resumable: true }), { wrapper: h.wrapper });
    await waitFor(() => expect(result.current.events).toHaveLength(2));
    expect(result.current.events.map((e) => [e.id, e.event, e.data])).toEqual([
      ['1', 'notification', { title: 'deploy started' }],
      ['2', 'notification', { title: 'deploy finished' }],
    ]);
    // The stream ended; the server asked for `retry: 10`: the core waits 10 ms + jitter on its clock.
    await h.advance(20);
    await waitFor(() => expect(result.current.events).toHaveLength(3));
    expect(result.current.events.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(requests).toEqual([{ lastEventId: null }, { lastEventId: '2' }]);
    expect(result.current.status).toBe('subscribed');
    expect(result.current.error).toBeNull();
  });

  it('two components reading one URL share one connection', async () => {
    const h = harness(mode);
    endAfter = 3;
    const source = { url: 'http://localhost/api/notifications' };
    const a = renderHook(() => useServerEvents(source), { wrapper: h.wrapper });
    const b = renderHook(() => useServerEvents({ url: 'http://localhost/api/notifications' }, { max: 1 }), { wrapper: h.wrapper });
    await waitFor(() => expect(a.result.current.events).toHaveLength(3));
    await waitFor(() => expect(b.result.current.events).toHaveLength(1));
    expect(b.result.current.events[0]?.id).toBe('3');
    expect(requests).toHaveLength(1);
  });

  it('a URL that is not an event stream fails with a typed error', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => useServerEvents({ url: 'http://localhost/api/missing' }), { wrapper: h.wrapper });
    await waitFor(() => expect(result.current.status).toBe('failed'));
    expect(result.current.error).toMatchObject({ code: 'FORBIDDEN', details: { status: 404 } });
    await act(async () => {});
  });
});

it('destroying the provider’s client closes the URL streams it owns', async () => {
  const h = harness({ strict: false, name: 'no StrictMode' });
  let aborted = false;
  server.use(
    http.get('http://localhost/api/notifications', ({ request }) => {
      request.signal.addEventListener('abort', () => (aborted = true));
      const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(encoder.encode(': open\n\n')) });
      return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
    }),
  );
  const { result, unmount } = renderHook(() => useServerEvents({ url: 'http://localhost/api/notifications' }), { wrapper: h.wrapper });
  await waitFor(() => expect(result.current.status).toBe('subscribed'));
  unmount();
  act(() => h.client.destroy());
  await waitFor(() => expect(aborted).toBe(true));
});
