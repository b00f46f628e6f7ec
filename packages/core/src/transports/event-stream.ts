import { parseRetryAfter } from '../backoff.js';
import type { Disconnect } from '../fatal.js';
import { createSseParser, type EventSourceMessage } from './sse-parser.js';

export interface EventStreamRequest {
  readonly fetch: typeof fetch;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly credentials: 'omit' | 'same-origin' | 'include';
  readonly signal: AbortSignal;
  /** Largest event the parser buffers before giving up on the stream. */
  readonly maxBufferBytes: number;
}

export interface EventStreamCallbacks {
  /** The response is a 200 event stream. */
  onOpen?(): void;
  onEvent(event: EventSourceMessage): void;
  /** Any bytes arrived (comments included): the connection is alive. */
  onActivity(): void;
}

/**
 * Reads one Server-Sent Events response with `fetch` and `createSseParser` (so it can send headers,
 * see comment heartbeats and report the HTTP status). Resolves with what ended it, exactly as the
 * core's fatal rules expect it — or `null` when it was aborted on purpose.
 */
export async function readEventStream(request: EventStreamRequest, callbacks: EventStreamCallbacks): Promise<Disconnect | null> {
  const { signal } = request;
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', ...request.headers },
      credentials: request.credentials,
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    return signal.aborted ? null : { type: 'network', error };
  }
  if (response.status !== 200) {
    void response.body?.cancel().catch(() => {});
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    return { type: 'http', status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  const contentType = response.headers.get('content-type');
  if (!contentType || !contentType.toLowerCase().includes('text/event-stream') || !response.body) {
    void response.body?.cancel().catch(() => {});
    return { type: 'content-type', contentType };
  }
  callbacks.onOpen?.();
  let retryAfterMs: number | undefined;
  const parser = createSseParser(
    (event) => callbacks.onEvent(event),
    (ms) => {
      retryAfterMs = ms;
    },
  );
  // The parser drops the one leading BOM itself (the spec's rule), so the decoder keeps it.
  const reader = response.body.pipeThrough(new TextDecoderStream('utf-8', { ignoreBOM: true })).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      callbacks.onActivity();
      if (parser.feed(value) > request.maxBufferBytes) {
        void reader.cancel().catch(() => {});
        return { type: 'protocol', reason: `an event exceeded ${request.maxBufferBytes} characters` };
      }
    }
  } catch (error) {
    return signal.aborted ? null : { type: 'network', error };
  }
  return signal.aborted ? null : { type: 'end', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}
