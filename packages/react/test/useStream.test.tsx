import React from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { useStream } from '../src/index.js';
import { describeEachReactMode } from './utils.js';

/** A response body the test writes to chunk by chunk, and whose request signal it can watch. */
function controllableStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    body,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

const requests: Array<{ url: string; body: string; signal: AbortSignal }> = [];
let stream = controllableStream();

const server = setupServer(
  http.post('http://localhost/api/answer', async ({ request }) => {
    requests.push({ url: request.url, body: await request.clone().text(), signal: request.signal });
    return new HttpResponse(stream.body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }),
  http.get('http://localhost/api/broken', () => new HttpResponse('nope', { status: 500 })),
  http.get('http://localhost/api/offline', () => HttpResponse.error()),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
  stream = controllableStream();
});
afterAll(() => server.close());

describeEachReactMode('useStream', (mode) => {
  const wrapper = mode.strict ? ({ children }: { children: React.ReactNode }) => <React.StrictMode>{children}</React.StrictMode> : undefined;

  it('streams text as it arrives (one request, even under StrictMode) and finishes with done', async () => {
    const chunks: string[] = [];
    let done = '';
    const { result } = renderHook(
      () => useStream('http://localhost/api/answer', { method: 'POST', body: '{"q":"hi"}', onChunk: (c) => chunks.push(c), onDone: (t) => (done = t) }),
      { wrapper },
    );
    expect(result.current.status).toBe('idle');
    await waitFor(() => expect(result.current.status).toBe('streaming'));
    act(() => stream.push('Hel'));
    await waitFor(() => expect(result.current.text).toBe('Hel'));
    act(() => stream.push('lo'));
    await waitFor(() => expect(result.current.text).toBe('Hello'));
    act(() => stream.end());
    await waitFor(() => expect(result.current.status).toBe('done'));
    expect(chunks).toEqual(['Hel', 'lo']);
    expect(done).toBe('Hello');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toBe('{"q":"hi"}');
  });

  it('abort() stops the stream and the request', async () => {
    const { result } = renderHook(() => useStream('http://localhost/api/answer', { method: 'POST', body: 'x' }), { wrapper });
    await waitFor(() => expect(requests).toHaveLength(1));
    act(() => stream.push('partial'));
    await waitFor(() => expect(result.current.text).toBe('partial'));
    act(() => result.current.abort());
    await waitFor(() => expect(result.current.status).toBe('aborted'));
    expect(result.current.text).toBe('partial');
    expect(result.current.error).toBeNull();
    expect(requests[0]?.signal.aborted).toBe(true);
  });

  it('aborts on unmount', async () => {
    const { unmount } = renderHook(() => useStream('http://localhost/api/answer', { method: 'POST', body: 'x' }), { wrapper });
    await waitFor(() => expect(requests).toHaveLength(1));
    unmount();
    expect(requests[0]?.signal.aborted).toBe(true);
  });

  it('restarts when the body changes, aborting the previous request', async () => {
    const { result, rerender } = renderHook(({ body }) => useStream('http://localhost/api/answer', { method: 'POST', body }), {
      wrapper,
      initialProps: { body: 'first' },
    });
    await waitFor(() => expect(requests).toHaveLength(1));
    act(() => stream.push('old'));
    await waitFor(() => expect(result.current.text).toBe('old'));
    stream = controllableStream();
    rerender({ body: 'second' });
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[0]?.signal.aborted).toBe(true);
    expect(requests[1]?.body).toBe('second');
    // The new request starts in an effect; the text it resets commits with the next render.
    await waitFor(() => expect(result.current.text).toBe(''));
    act(() => stream.push('new'));
    await waitFor(() => expect(result.current.text).toBe('new'));
    rerender({ body: 'second' }); // same content: no restart
    expect(requests).toHaveLength(2);
  });

  it('restart() starts over', async () => {
    const { result } = renderHook(() => useStream('http://localhost/api/answer', { method: 'POST', body: 'x' }), { wrapper });
    await waitFor(() => expect(requests).toHaveLength(1));
    act(() => stream.end());
    await waitFor(() => expect(result.current.status).toBe('done'));
    stream = controllableStream();
    act(() => result.current.restart());
    await waitFor(() => expect(requests).toHaveLength(2));
  });

  it('reports HTTP and network failures as typed errors', async () => {
    const broken = renderHook(() => useStream('http://localhost/api/broken'), { wrapper });
    await waitFor(() => expect(broken.result.current.status).toBe('error'));
    expect(broken.result.current.error).toMatchObject({ code: 'SERVER_ERROR', details: { status: 500 } });
    const offline = renderHook(() => useStream('http://localhost/api/offline'), { wrapper });
    await waitFor(() => expect(offline.result.current.status).toBe('error'));
    expect(offline.result.current.error?.code).toBe('CONNECTION_LOST');
  });

  it('does nothing without a url or when disabled', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const a = renderHook(() => useStream(null), { wrapper });
    const b = renderHook(() => useStream('http://localhost/api/answer', { method: 'POST', enabled: false }), { wrapper });
    const c = renderHook(() => useStream('http://localhost/api/answer', { method: 'POST', body: 'x' }), { wrapper });
    await act(async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve(); // the start is deferred by one microtask
    });
    expect(a.result.current.status).toBe('idle');
    expect(b.result.current.status).toBe('idle');
    expect(c.result.current.status).toBe('streaming'); // the control: an enabled hook did start
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    fetchSpy.mockRestore();
  });
});
