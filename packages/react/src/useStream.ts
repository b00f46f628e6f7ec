import { RealtimeError } from '@switchboard/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLatest } from './internal/useLatest.js';

export type StreamStatus = 'idle' | 'streaming' | 'done' | 'error' | 'aborted';

export interface UseStreamInit extends Omit<RequestInit, 'signal'> {
  /** `false` does not start (default `true`). */
  enabled?: boolean;
  /** Called with each decoded chunk (always the latest function). */
  onChunk?: (chunk: string) => void;
  /** Called once when the stream ends normally, with the whole text. */
  onDone?: (text: string) => void;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface UseStreamResult {
  /** Everything received so far. */
  readonly text: string;
  readonly status: StreamStatus;
  /** `SERVER_ERROR` (non-2xx; `details.status`), `CONNECTION_LOST` (network) or `PROTOCOL_ERROR` (no body). */
  readonly error: RealtimeError | null;
  /** Stops the stream; `status` becomes `aborted`. Stable. */
  readonly abort: () => void;
  /** Starts the request again from scratch. Stable. */
  readonly restart: () => void;
}

interface State {
  text: string;
  status: StreamStatus;
  error: RealtimeError | null;
}

const IDLE: State = { text: '', status: 'idle', error: null };

/**
 * Streams a response body as text — AI answers token by token from a route handler. Starts in an
 * effect (never during render or SSR), aborts on unmount, restarts when `url`, method or a string
 * `body` changes. StrictMode's mount → unmount → mount sends one request, not two.
 *
 * @example
 * function Answer({ question }: { question: string }) {
 *   const { text, status, abort } = useStream('/api/answer', { method: 'POST', body: JSON.stringify({ question }) });
 *   return (
 *     <p>
 *       {text}
 *       {status === 'streaming' && <button onClick={abort}>stop</button>}
 *     </p>
 *   );
 * }
 */
export function useStream(url: string | null | undefined, init: UseStreamInit = {}): UseStreamResult {
  const [state, setState] = useState<State>(IDLE);
  const [generation, setGeneration] = useState(0);
  const options = useLatest(init);
  const controller = useRef<AbortController | null>(null);
  const { enabled = true, method = 'GET', body } = init;
  // A string body restarts the stream when its content changes; other bodies when their identity does.
  const bodyKey = body ?? null;

  useEffect(() => {
    if (!enabled || !url) return;
    const abort = new AbortController();
    let cancelled = false;
    // Deferred a microtask: StrictMode's immediate cleanup cancels before any request is made.
    queueMicrotask(() => {
      if (cancelled) return;
      controller.current = abort;
      void run(url, options, abort.signal, setState);
    });
    return () => {
      cancelled = true;
      abort.abort();
    };
  }, [url, method, bodyKey, enabled, generation, options]);

  const abort = useCallback(() => controller.current?.abort(), []);
  const restart = useCallback(() => setGeneration((g) => g + 1), []);
  return useMemo(() => ({ ...state, abort, restart }), [state, abort, restart]);
}

async function run(
  url: string,
  options: { readonly current: UseStreamInit },
  signal: AbortSignal,
  setState: (update: (s: State) => State) => void,
): Promise<void> {
  const { enabled: _enabled, onChunk: _onChunk, onDone: _onDone, fetch: customFetch, ...request } = options.current;
  const doFetch = customFetch ?? globalThis.fetch;
  setState(() => ({ text: '', status: 'streaming', error: null }));
  let text = '';
  const fail = (error: RealtimeError) => setState(() => ({ text, status: 'error', error }));
  let response: Response;
  try {
    response = await doFetch(url, { ...request, signal });
  } catch (error) {
    if (signal.aborted) return setState((s) => ({ ...s, status: 'aborted' }));
    return fail(new RealtimeError('CONNECTION_LOST', `useStream: ${errorMessage(error)}`, { cause: error, details: { url } }));
  }
  if (!response.ok) {
    return fail(new RealtimeError('SERVER_ERROR', `useStream: HTTP ${response.status} from ${url}`, { details: { url, status: response.status } }));
  }
  if (!response.body) {
    return fail(new RealtimeError('PROTOCOL_ERROR', `useStream: the response from ${url} has no body`, { details: { url } }));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  // Not every fetch errors the body when its signal aborts: cancel the reader ourselves.
  const onAbort = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!value) continue;
      text += value;
      options.current.onChunk?.(value);
      const snapshot = text;
      setState(() => ({ text: snapshot, status: 'streaming', error: null }));
    }
  } catch (error) {
    if (signal.aborted) return setState(() => ({ text, status: 'aborted', error: null }));
    return fail(new RealtimeError('CONNECTION_LOST', `useStream: the stream broke: ${errorMessage(error)}`, { cause: error, details: { url } }));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) return setState(() => ({ text, status: 'aborted', error: null }));
  setState(() => ({ text, status: 'done', error: null }));
  options.current.onDone?.(text);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
