import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/client.js';
import { polling } from '../src/transports/polling.js';
import { sse, sseStream } from '../src/transports/sse.js';
import { createFakeClock } from '../src/testing/index.js';

/**
 * Browsers throw "Illegal invocation" when `window.fetch` is called with any `this` but the window.
 * Node does not, so this models the browser's check: a global fetch that refuses a foreign `this`.
 */
function browserLikeFetch() {
  const calls: string[] = [];
  const fetchLikeWindow = function (this: unknown, input: RequestInfo | URL): Promise<Response> {
    if (this !== undefined && this !== globalThis) return Promise.reject(new TypeError("Failed to execute 'fetch' on 'Window': Illegal invocation"));
    calls.push(String(input));
    return Promise.resolve(new Response('', { status: 503 }));
  };
  vi.stubGlobal('fetch', fetchLikeWindow);
  return calls;
}

describe('the HTTP transports call fetch as a plain function (as browsers require)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each([
    ['sse', () => sse({ url: 'http://localhost/rt' })],
    ['polling', () => polling({ url: 'http://localhost/rt', intervalMs: 1000 })],
    ['sseStream', () => sseStream({ url: 'http://localhost/feed', channel: 'feed' })],
  ])('%s', async (_name, transport) => {
    const calls = browserLikeFetch();
    const clock = createFakeClock();
    const client = createClient({ transport: transport(), platform: clock });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    client.channel('feed').subscribe(() => {});
    await clock.flush();
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(0));
    expect(client.getSnapshot().lastError?.message ?? '').not.toMatch(/Illegal invocation/);
    expect(client.getSnapshot().lastError?.details.status).toBe(503);
    client.destroy();
  });
});
