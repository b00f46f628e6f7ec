/**
 * `@switchboard/core/sse`: Server-Sent Events. Every channel of the client travels over ONE stream
 * (browsers allow about six HTTP/1.1 connections per origin); publishes and presence go over `POST`.
 * Works against route handlers on serverless platforms: the stream request itself lists the channels,
 * and `Last-Event-ID` carries every channel's cursor (docs/protocol.md, "SSE").
 *
 * @example
 * import { sse } from '@switchboard/core/sse';
 * const client = createClient({ transport: sse({ url: '/api/realtime' }) });
 */
import { RealtimeError } from '../errors.js';
import type { Disconnect } from '../fatal.js';
import {
  DEFAULT_LIMITS,
  HEADERS,
  QUERY,
  SSE_RECONNECT_EVENT,
  decodeServerFrame,
  encodeCursorList,
  frameError,
  isSupportedVersion,
  type WireLimits,
} from '../protocol/index.js';
import type { OpenContext, Transport, TransportCapabilities, TransportConnection, TransportHandler } from '../transport.js';
import { ChannelAuthCache, type ChannelAuthOption } from './channel-auth.js';
import { ChannelSet, type RequestChannel } from './channel-set.js';
import { readEventStream } from './event-stream.js';
import { HttpOps } from './http-ops.js';
import { fetcher, requestHeaders, resolveUrl, toPresenceEvent, withQuery, type HeadersOption } from './shared.js';
import type { EventSourceMessage } from './sse-parser.js';

export type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer, ChannelAuthRequest } from './channel-auth.js';
export type { HeadersOption, NativeCredentials } from './shared.js';
export type { EventSourceMessage } from './sse-parser.js';
export { sseStream, type SseStreamOptions } from './sse-stream.js';

export interface SseTransportOptions {
  /** The endpoint (`createHandlers()` of `@switchboard/server`). Relative URLs work in browsers. */
  url: string | (() => string);
  /** Where publishes and presence are POSTed. Default: `url`. */
  publishUrl?: string;
  /** Send cookies cross-origin (`credentials: 'include'`). */
  withCredentials?: boolean;
  /** Extra headers for every request (a function is called per request). */
  headers?: HeadersOption;
  /** Signatures for `private-*`/`presence-*` channels. */
  auth?: ChannelAuthOption;
  /** A publish/presence request not answered within this counts as a lost connection (resent after). Default 15 s. */
  publishTimeoutMs?: number;
  /** `fetch` implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** A stream not ready (no `welcome`) within this time is abandoned. Default 10 s. */
  connectTimeoutMs?: number;
  /** Events larger than this are dropped with `FRAME_TOO_LARGE`. Default 128 KiB. */
  maxFrameBytes?: number;
}

const CAPABILITIES: TransportCapabilities = /* @__PURE__ */ Object.freeze({
  publish: 'http',
  acks: true,
  presence: true,
  resume: true,
  clientEvents: false,
  retries: 'core',
  serverless: true,
  auth: 'bearer token header; signed private-/presence- channels',
});

/** Creates the SSE transport. Nothing connects until the client needs it. */
export function sse(options: SseTransportOptions): Transport {
  const fetchFn = fetcher(options.fetch);
  const auth = new ChannelAuthCache(options.auth, () => fetchFn, 'sse');
  const memory = { session: null as string | null, remembered: new Map<string, RequestChannel>() };
  return {
    name: 'sse',
    capabilities: CAPABILITIES,
    open: (handler, context) => new SseConnection(options, fetchFn, auth, memory, handler, context),
  };
}

interface Stream {
  readonly controller: AbortController;
  readonly channels: readonly RequestChannel[];
  timer: ReturnType<typeof setTimeout> | null;
  /** The server announced it is about to end this stream on purpose. */
  planned: boolean;
}

class SseConnection implements TransportConnection {
  #closed = false;
  #ready = false;
  #limits: WireLimits = DEFAULT_LIMITS;
  #stream: Stream | null = null;
  #reconcileQueued = false;
  readonly #set: ChannelSet;
  readonly #ops: HttpOps;

  constructor(
    private readonly options: SseTransportOptions,
    private readonly fetchFn: typeof fetch,
    auth: ChannelAuthCache,
    private readonly memory: { session: string | null; remembered: Map<string, RequestChannel> },
    private readonly handler: TransportHandler,
    private readonly context: OpenContext,
  ) {
    this.#set = new ChannelSet(handler, auth, 'sse', memory.remembered, () => this.#scheduleReconcile());
    this.#ops = new HttpOps({
      transport: 'sse',
      url: options.publishUrl ?? resolveUrl(options.url),
      fetch: fetchFn,
      credentials: this.#credentials,
      headers: () => requestHeaders(options.headers, context.credentials),
      session: () => memory.session ?? '',
      handler,
      auth,
      maxFrameBytes: () => this.#limits.maxFrameBytes,
      timeoutMs: options.publishTimeoutMs ?? 15_000,
      fail: (disconnect) => this.#fail(disconnect),
    });
    this.#open(this.#set.initial());
  }

  get #credentials(): 'include' | 'same-origin' {
    return this.options.withCredentials ? 'include' : 'same-origin';
  }

  subscribe(channel: string, { cursor }: { cursor: string | null }): void {
    this.#set.add(channel, cursor);
  }

  unsubscribe(channel: string): void {
    this.#set.remove(channel);
  }

  publish(message: Parameters<TransportConnection['publish']>[0]): void {
    const { id, channel, event, data, volatile } = message;
    this.#ops.push({ type: 'publish', id, channel, event, data, ...(volatile ? { volatile: true } : {}) });
  }

  presence(channel: string, op: Parameters<NonNullable<TransportConnection['presence']>>[1]): void {
    this.#ops.push({ type: 'presence', channel, ...op });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#stream) {
      if (this.#stream.timer) clearTimeout(this.#stream.timer);
      this.#stream.controller.abort();
      this.#stream = null;
    }
    this.#ops.close();
  }

  #fail(disconnect: Disconnect): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cleanup();
    this.handler.close(disconnect);
  }

  /** (Re)opens the one stream with these channels; the previous stream is dropped (its cursors resume). */
  #open(channels: readonly RequestChannel[]): void {
    const previous = this.#stream;
    if (previous) {
      if (previous.timer) clearTimeout(previous.timer);
      previous.controller.abort();
    }
    const stream: Stream = { controller: new AbortController(), channels, timer: null, planned: false };
    stream.timer = setTimeout(
      () => this.#stream === stream && this.#fail({ type: 'network', error: new RealtimeError('CONNECTION_LOST', 'Event stream connect timeout.') }),
      this.options.connectTimeoutMs ?? 10_000,
    );
    this.#stream = stream;
    void this.#run(stream);
  }

  async #run(stream: Stream): Promise<void> {
    const params = new URLSearchParams();
    for (const c of stream.channels) params.append(QUERY.channel, c.channel);
    if (this.memory.session) params.set(QUERY.session, this.memory.session);
    const headers = await requestHeaders(this.options.headers, this.context.credentials);
    if (stream.channels.some((c) => c.cursor !== null)) headers['last-event-id'] = encodeCursorList(stream.channels);
    const signed = stream.channels.filter((c) => c.auth);
    if (signed.length > 0) {
      headers[HEADERS.channelAuth] = encodeURIComponent(JSON.stringify(Object.fromEntries(signed.map((c) => [c.channel, c.auth]))));
    }
    const maxFrame = this.options.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
    const ended = await readEventStream(
      {
        fetch: this.fetchFn,
        url: withQuery(resolveUrl(this.options.url), params),
        headers,
        credentials: this.#credentials,
        signal: stream.controller.signal,
        maxBufferBytes: Math.max(maxFrame * 4, 1024 * 1024),
      },
      {
        onEvent: (event) => this.#stream === stream && !this.#closed && this.#onEvent(stream, event, maxFrame),
        onActivity: () => this.#stream === stream && !this.#closed && this.handler.activity(),
      },
    );
    if (!ended || this.#stream !== stream) return;
    // A planned end (the server's time limit): reopen at once with the current cursors; nothing was lost,
    // so the core never sees a disconnect (no `reconnecting` flicker, no backoff).
    if (stream.planned && ended.type === 'end' && this.#ready && !this.#closed) return this.#open(this.#set.list());
    this.#fail(ended);
  }

  #onEvent(stream: Stream, event: EventSourceMessage, maxFrame: number): void {
    if (event.event === SSE_RECONNECT_EVENT) {
      stream.planned = true;
      return;
    }
    if (event.data.length > maxFrame) {
      this.handler.error(new RealtimeError('FRAME_TOO_LARGE', `An event exceeds ${maxFrame} bytes.`, { details: { transport: 'sse', limit: maxFrame } }));
      return;
    }
    const decoded = decodeServerFrame(event.data);
    if (!decoded.ok) return this.handler.error(decoded.error);
    const frame = decoded.frame;
    if (frame.type === 'welcome') {
      if (!isSupportedVersion(frame.v)) return this.#fail({ type: 'protocol', reason: `the server speaks protocol version ${frame.v}` });
      if (stream.timer) clearTimeout(stream.timer);
      stream.timer = null;
      this.memory.session = frame.session;
      this.#set.session = frame.session;
      this.#limits = frame.limits;
      if (this.#ready) return;
      this.#ready = true;
      this.handler.open({ sessionId: frame.session, memberId: frame.member, heartbeatMs: frame.heartbeatMs });
      return this.#scheduleReconcile();
    }
    if (!this.#ready) return this.#fail({ type: 'protocol', reason: `expected welcome, got ${frame.type}` });
    switch (frame.type) {
      case 'subscribed':
        return this.#set.subscribed(frame);
      case 'refused':
        return this.#set.refused(frame);
      case 'message':
        return this.#set.message(frame);
      case 'presence':
        if (frame.action === 'sync') return this.#set.presence(frame);
        if (this.#set.has(frame.channel)) this.handler.presence(frame.channel, toPresenceEvent(frame));
        return;
      case 'error':
        return this.handler.error(frameError(frame, 'sse'));
      default:
        return;
    }
  }

  #scheduleReconcile(): void {
    if (this.#reconcileQueued) return;
    this.#reconcileQueued = true;
    queueMicrotask(() => {
      this.#reconcileQueued = false;
      if (this.#closed || !this.#ready || !this.#stream) return;
      // Same channels with the same signatures: the stream already serves them (cursors move with it).
      const key = (c: RequestChannel) => `${c.channel}\n${c.auth?.auth ?? ''}`;
      const wanted = this.#set.list();
      const current = new Set(this.#stream.channels.map(key));
      if (wanted.length === current.size && wanted.every((c) => current.has(key(c)))) return;
      this.#open(wanted);
    });
  }
}
