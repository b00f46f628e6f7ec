import { RealtimeError } from '../errors.js';
import { DEFAULT_LIMITS } from '../protocol/index.js';
import type { OpenContext, Transport, TransportCapabilities, TransportConnection, TransportHandler } from '../transport.js';
import { readEventStream } from './event-stream.js';
import { fetcher, requestHeaders, resolveUrl, type HeadersOption } from './shared.js';
import type { EventSourceMessage } from './sse-parser.js';

export interface SseStreamOptions {
  /** Any `text/event-stream` endpoint — not necessarily a switchboard server. */
  url: string | (() => string);
  /** The channel its events arrive on (the only one this transport serves). */
  channel: string;
  withCredentials?: boolean;
  headers?: HeadersOption;
  fetch?: typeof fetch;
  /**
   * The server replays what was missed after `Last-Event-ID`: a reconnect then counts as resumed.
   * Default `false`: after a reconnect the channel reports a discontinuity (refetch what you show).
   */
  resumable?: boolean;
  /** How often the server sends something (events or comments), if it promises to: enables the dead-connection deadline. */
  heartbeatMs?: number;
  /** Reads an event's data. Default: JSON when it parses, the string otherwise. */
  parse?: (data: string, event: EventSourceMessage) => unknown;
  /** Events larger than this are dropped with `FRAME_TOO_LARGE`. Default 128 KiB. */
  maxFrameBytes?: number;
}

function defaultParse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/**
 * Reads any Server-Sent Events stream (`event:`/`data:`/`id:`) as one channel: no switchboard server
 * needed. Each event becomes a message whose `event` is the SSE event type (`message` when absent) and
 * whose id — the SSE `id:` — deduplicates and resumes (`Last-Event-ID` on reconnect). Receive only.
 *
 * @example
 * const client = createClient({ transport: sseStream({ url: '/api/notifications', channel: 'notifications' }) });
 * client.channel('notifications').on('alert', (data) => toast(data));
 */
export function sseStream(options: SseStreamOptions): Transport {
  const capabilities: TransportCapabilities = Object.freeze({
    publish: false,
    acks: false,
    presence: false,
    resume: options.resumable === true,
    clientEvents: false,
    retries: 'core',
    serverless: true,
    auth: "your endpoint's own (cookies, headers)",
  });
  const memory = { lastEventId: null as string | null };
  return {
    name: 'sse-stream',
    capabilities,
    open: (handler, context) => openStream(options, memory, handler, context),
  };
}

function openStream(options: SseStreamOptions, memory: { lastEventId: string | null }, handler: TransportHandler, context: OpenContext): TransportConnection {
  const controller = new AbortController();
  const resumedFrom = memory.lastEventId;
  const parse = options.parse ?? defaultParse;
  const maxFrame = options.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
  let subscribed = false;
  let closed = false;

  const onEvent = (event: EventSourceMessage) => {
    if (event.id) memory.lastEventId = event.id;
    if (!subscribed) return;
    if (event.data.length > maxFrame) {
      handler.error(new RealtimeError('FRAME_TOO_LARGE', `An event exceeds ${maxFrame} bytes.`, { details: { transport: 'sse-stream', limit: maxFrame } }));
      return;
    }
    let data: unknown;
    try {
      data = parse(event.data, event);
    } catch (cause) {
      handler.error(new RealtimeError('BAD_FRAME', 'An event could not be read.', { cause, details: { transport: 'sse-stream' } }));
      return;
    }
    handler.message({ channel: options.channel, event: event.event || 'message', data, ...(event.id ? { id: event.id, cursor: event.id } : {}) });
  };

  void (async () => {
    const headers = await requestHeaders(options.headers, context.credentials);
    if (resumedFrom !== null) headers['last-event-id'] = resumedFrom;
    const ended = await readEventStream(
      {
        fetch: fetcher(options.fetch),
        url: resolveUrl(options.url),
        headers,
        credentials: options.withCredentials ? 'include' : 'same-origin',
        signal: controller.signal,
        maxBufferBytes: Math.max(maxFrame * 4, 1024 * 1024),
      },
      {
        onOpen: () => !closed && handler.open(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        onEvent: (event) => !closed && onEvent(event),
        onActivity: () => !closed && handler.activity(),
      },
    );
    if (ended && !closed) {
      closed = true;
      handler.close(ended);
    }
  })().catch((error: unknown) => {
    if (closed) return;
    closed = true;
    handler.close({ type: 'network', error });
  });

  return {
    subscribe(channel) {
      // Deliver from now on (events of the first chunk included); confirm on the next microtask.
      if (channel === options.channel) subscribed = true;
      queueMicrotask(() => {
        if (closed) return;
        if (channel !== options.channel) {
          handler.subscribeFailed(channel, new RealtimeError('CHANNEL_REFUSED', `This event stream only carries "${options.channel}".`, { details: { channel, transport: 'sse-stream' } }));
          return;
        }
        handler.subscribed(channel, { resumed: options.resumable === true && resumedFrom !== null, ...(resumedFrom === null ? {} : { cursor: resumedFrom }) });
      });
    },
    unsubscribe(channel) {
      if (channel === options.channel) subscribed = false;
    },
    publish(message) {
      throw new RealtimeError('CAPABILITY_MISSING', 'An event stream is receive-only.', { details: { transport: 'sse-stream', messageId: message.id } });
    },
    close() {
      closed = true;
      controller.abort();
    },
  };
}
