import { QUERY, SSE_RECONNECT_EVENT, decodeCursorList, encodeCursorList, type ServerFrame } from '@switchboard/core/protocol';
import { every } from '../clock.js';
import type { Hub } from '../hub.js';
import { authFailure, bearerToken, channelAuthHeader, requestedChannels } from './request.js';

export interface SseOptions {
  /** End each stream after this long (serverless time limits); the client resumes at once. Default: never. */
  maxStreamMs?: number;
  /** `retry:` sent when a stream is ended on purpose (time limit, shutdown). Default 500 ms. */
  retryMs?: number;
  /** A client this far behind (bytes not yet read) is disconnected; it resumes. Default 4 MiB. */
  maxBufferedBytes?: number;
}

/** A stream the handlers can end on shutdown. */
export interface OpenStream {
  end(retryMs?: number): void;
}

/**
 * Serves one SSE stream multiplexing every `channel` of the query. Message events carry
 * `id: <cursor list>` (one offset per channel, in query order), so `Last-Event-ID` resumes all of them
 * — from a plain `EventSource` too. Channel signatures come in `x-switchboard-auth`; a refused channel
 * is one `refused` event, never a failed stream.
 */
export async function openSseStream(hub: Hub, request: Request, url: URL, options: SseOptions, streams: Set<OpenStream>, release: () => void = () => {}): Promise<Response> {
  const auth = await hub.authenticate({ token: bearerToken(request.headers), headers: request.headers, transport: 'sse' });
  if (!auth.ok) {
    release();
    return authFailure(auth.code);
  }
  const channels = requestedChannels(url, hub.limits);
  const positions = new Map(channels.filter((c) => !c.refused).map((c) => [c.channel, c.index]));
  const requested = decodeCursorList(request.headers.get('last-event-id'), channels.length);
  const cursors = channels.map((c) => requested?.[c.index]?.cursor ?? null);
  const signatures = channelAuthHeader(request.headers);
  const encoder = new TextEncoder();
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let closed = false;
  const cleanups: Array<() => void> = [];

  const cleanup = () => {
    if (closed) return;
    closed = true;
    streams.delete(handle);
    hub.metrics.connections.sse--;
    release();
    for (const fn of cleanups.splice(0)) fn();
    void hub.closeSession(session, hub.presenceGraceMs);
    try {
      controller?.close();
    } catch {
      // already closed or cancelled
    }
  };

  const write = (text: string) => {
    if (closed || !controller) return;
    if (controller.desiredSize !== null && controller.desiredSize < -maxBuffered) {
      hub.metrics.dropped('slow_consumer');
      return cleanup();
    }
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      cleanup();
    }
  };

  const sink = (frame: ServerFrame) => {
    const data = JSON.stringify(frame);
    if (frame.type === 'message' || frame.type === 'subscribed') {
      const index = positions.get(frame.channel);
      if (index !== undefined) {
        if (frame.type === 'message') cursors[index] = frame.offset;
        else if (!frame.resumed) cursors[index] = frame.cursor;
        write(`id: ${encodeCursorList(cursors.map((cursor) => ({ cursor })))}\nevent: ${frame.type}\ndata: ${data}\n\n`);
        return;
      }
    }
    write(`event: ${frame.type}\ndata: ${data}\n\n`);
  };

  const session = hub.openSession({
    transport: 'sse',
    identity: auth.identity,
    id: hub.sessionId(url.searchParams.get(QUERY.session)),
    send: sink,
    drop: () => handle.end(),
  });
  hub.metrics.connections.sse++;
  const handle: OpenStream = {
    end(retryMs = options.retryMs ?? 500) {
      write(`retry: ${retryMs}\n\n`);
      cleanup();
    },
  };
  streams.add(handle);

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel: cleanup,
    },
    // Counted in bytes, so `desiredSize` is minus the bytes the client has not read yet.
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );

  sink(hub.welcome(session, hub.sseHeartbeatMs));
  cleanups.push(every(hub.clock, hub.sseHeartbeatMs, () => {
    write(': ping\n\n');
    void hub.touch(session).catch((error: unknown) => hub.reportError(error));
  }));
  if (options.maxStreamMs !== undefined) {
    // A planned end (a platform's time limit): say so first, so a switchboard client reopens the stream
    // with its cursors at once instead of reporting a drop. Plain EventSources ignore the event.
    const timer = hub.clock.setTimeout(() => {
      write(`event: ${SSE_RECONNECT_EVENT}\ndata: {}\n\n`);
      handle.end();
    }, options.maxStreamMs);
    cleanups.push(() => hub.clock.clearTimeout(timer));
  }
  const onAbort = () => cleanup();
  request.signal.addEventListener('abort', onAbort);
  if (request.signal.aborted) cleanup();
  cleanups.push(() => request.signal.removeEventListener('abort', onAbort));
  void (async () => {
    for (const requestedChannel of channels) {
      if (closed) return;
      const { channel, index, refused } = requestedChannel;
      if (refused) {
        sink({ type: 'refused', channel, code: refused.code, message: refused.message });
        continue;
      }
      const signature = signatures.get(channel);
      await hub.handle(session, { type: 'subscribe', channel, cursor: cursors[index] ?? null, ...signature });
    }
    // A reopened stream of the same session keeps the presence of the one before (see Hub.closeSession).
    if (!closed) await hub.touch(session);
  })().catch((error: unknown) => hub.reportError(error));

  return new Response(stream, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
