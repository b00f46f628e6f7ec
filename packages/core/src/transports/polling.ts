/**
 * `@switchboard/core/polling`: HTTP polling with cursors. Each poll lists every channel; the `ETag` of
 * an answer encodes the cursors and goes back as `If-None-Match`, so "nothing new" is a `304` and any
 * server instance can answer (serverless). `longPoll` holds each request until something happens.
 * Polling pauses while the page is hidden and resumes at once when it is visible again.
 *
 * @example
 * import { polling } from '@switchboard/core/polling';
 * const client = createClient({ transport: polling({ url: '/api/realtime', intervalMs: 5000 }) });
 */
import { parseRetryAfter } from '../backoff.js';
import { RealtimeError } from '../errors.js';
import type { Disconnect } from '../fatal.js';
import { defaultPlatform } from '../platform.js';
import {
  DEFAULT_LIMITS,
  HEADERS,
  QUERY,
  decodeServerFrame,
  encodeCursorList,
  isSupportedVersion,
  toEntityTag,
  utf8Length,
  type WireLimits,
} from '../protocol/index.js';
import type { OpenContext, Transport, TransportCapabilities, TransportConnection, TransportHandler } from '../transport.js';
import { ChannelAuthCache, type ChannelAuthOption } from './channel-auth.js';
import { ChannelSet, type RequestChannel } from './channel-set.js';
import { HttpOps } from './http-ops.js';
import { fetcher, requestHeaders, resolveUrl, withQuery, type HeadersOption } from './shared.js';

export type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer, ChannelAuthRequest } from './channel-auth.js';
export type { HeadersOption, NativeCredentials } from './shared.js';

/** Where polling learns that the page is hidden or visible again. */
export interface VisibilitySource {
  isVisible(): boolean;
  /** Calls back with `true` when the page becomes visible, `false` when hidden. Returns the unsubscribe. */
  onVisibility(listener: (visible: boolean) => void): () => void;
}

export interface PollingTransportOptions {
  url: string | (() => string);
  /** Where publishes and presence are POSTed. Default: `url`. */
  publishUrl?: string;
  /** Pause between polls. Default 3000 ms (between long polls: none). */
  intervalMs?: number;
  /** Hold each poll on the server until something happens (up to `waitMs`, default 25 s). */
  longPoll?: boolean | { readonly waitMs?: number };
  withCredentials?: boolean;
  headers?: HeadersOption;
  auth?: ChannelAuthOption;
  /** A publish/presence request not answered within this counts as a lost connection (resent after). Default 15 s. */
  publishTimeoutMs?: number;
  fetch?: typeof fetch;
  /** A poll not answered within this (plus the long-poll wait) counts as a lost connection. Default 15 s. */
  requestTimeoutMs?: number;
  /** Default: the page's `document` visibility. `false`: never pause. */
  visibility?: VisibilitySource | false;
  /** Messages larger than this are skipped with `FRAME_TOO_LARGE`. Default 128 KiB. */
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

/** Creates the polling transport. Nothing is requested until the client needs it. */
export function polling(options: PollingTransportOptions): Transport {
  const fetchFn = fetcher(options.fetch);
  const auth = new ChannelAuthCache(options.auth, () => fetchFn, 'polling');
  const memory = { session: null as string | null, remembered: new Map<string, RequestChannel>() };
  return {
    name: 'polling',
    capabilities: CAPABILITIES,
    open: (handler, context) => new PollingConnection(options, fetchFn, auth, memory, handler, context),
  };
}

interface InFlight {
  readonly controller: AbortController;
  readonly waitMs: number;
  /** Aborted by us to ask again with a changed channel set. */
  superseded: boolean;
  timedOut: boolean;
}

class PollingConnection implements TransportConnection {
  #closed = false;
  #ready = false;
  #limits: WireLimits = DEFAULT_LIMITS;
  #inFlight: InFlight | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #dirty = false;
  #paused = false;
  readonly #set: ChannelSet;
  readonly #ops: HttpOps;
  readonly #visibility: VisibilitySource | null;
  readonly #offVisibility: () => void;

  constructor(
    private readonly options: PollingTransportOptions,
    private readonly fetchFn: typeof fetch,
    auth: ChannelAuthCache,
    private readonly memory: { session: string | null; remembered: Map<string, RequestChannel> },
    private readonly handler: TransportHandler,
    private readonly context: OpenContext,
  ) {
    this.#set = new ChannelSet(handler, auth, 'polling', memory.remembered, () => this.#changed());
    this.#ops = new HttpOps({
      transport: 'polling',
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
    this.#visibility = options.visibility === false ? null : (options.visibility ?? defaultPlatform);
    this.#offVisibility = this.#visibility?.onVisibility((visible) => visible && this.#resume()) ?? (() => {});
    void this.#poll();
  }

  get #credentials(): 'include' | 'same-origin' {
    return this.options.withCredentials ? 'include' : 'same-origin';
  }

  get #waitMs(): number {
    const long = this.options.longPoll;
    if (!long) return 0;
    return typeof long === 'object' && long.waitMs !== undefined ? long.waitMs : 25_000;
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
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#inFlight?.controller.abort();
    this.#inFlight = null;
    this.#offVisibility();
    this.#ops.close();
  }

  #fail(disconnect: Disconnect): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cleanup();
    this.handler.close(disconnect);
  }

  /** The channel set changed: ask at once (a held long poll is replaced). */
  #changed(): void {
    if (!this.#ready || this.#closed) return;
    const inFlight = this.#inFlight;
    if (inFlight) {
      this.#dirty = true;
      if (inFlight.waitMs > 0) {
        inFlight.superseded = true;
        inFlight.controller.abort();
      }
      return;
    }
    this.#schedule(0);
  }

  #resume(): void {
    if (this.#closed || !this.#ready || this.#inFlight) return;
    if (this.#paused || this.#timer !== null) this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#poll();
    }, ms);
  }

  async #poll(): Promise<void> {
    if (this.#closed || this.#inFlight) return;
    // The first poll (the handshake) always runs; later ones wait while the page is hidden.
    if (this.#ready && this.#visibility && !this.#visibility.isVisible()) {
      this.#paused = true;
      return;
    }
    this.#paused = false;
    this.#dirty = false;
    const channels = this.#ready ? this.#set.list() : this.#set.initial();
    // Conditional (304 when nothing is new) only once every channel was confirmed: a channel added
    // with a cursor (a resubscribe, `since`) needs its `subscribed` even when nothing is new.
    const resumable = channels.length > 0 && channels.every((c) => c.cursor !== null) && this.#set.confirmed;
    const waitMs = this.#ready && resumable ? this.#waitMs : 0;
    const params = new URLSearchParams();
    for (const c of channels) params.append(QUERY.channel, c.channel);
    if (this.memory.session) params.set(QUERY.session, this.memory.session);
    if (waitMs > 0) params.set(QUERY.wait, String(Math.ceil(waitMs / 1000)));
    const flight: InFlight = { controller: new AbortController(), waitMs, superseded: false, timedOut: false };
    this.#inFlight = flight;
    const timeout = setTimeout(() => {
      flight.timedOut = true;
      flight.controller.abort();
    }, (this.options.requestTimeoutMs ?? 15_000) + waitMs);
    const startedAt = Date.now();
    let next = this.options.intervalMs ?? 3000;
    try {
      const headers = await requestHeaders(this.options.headers, this.context.credentials);
      // Ready: a conditional poll (304 when nothing is new). First poll of a connection: the same
      // cursors unconditionally, so the answer always carries the welcome.
      if (this.#ready && resumable) headers['if-none-match'] = toEntityTag(encodeCursorList(channels));
      else if (channels.some((c) => c.cursor !== null)) headers['last-event-id'] = encodeCursorList(channels);
      const signed = channels.filter((c) => c.auth);
      if (signed.length > 0) headers[HEADERS.channelAuth] = encodeURIComponent(JSON.stringify(Object.fromEntries(signed.map((c) => [c.channel, c.auth]))));
      const response = await this.fetchFn(withQuery(resolveUrl(this.options.url), params), {
        method: 'GET',
        headers: { accept: 'application/json', ...headers },
        credentials: this.#credentials,
        cache: 'no-store',
        signal: flight.controller.signal,
      });
      if (this.#closed) return;
      if (response.status === 304 && this.#ready) {
        this.handler.activity();
        // A long poll answered "nothing" long before its wait: the server does not hold polls.
        if (waitMs > 0 && Date.now() - startedAt >= waitMs / 2) next = 0;
      } else if (response.status === 200) {
        this.handler.activity();
        this.#answer(await response.text());
        if (!this.#ready) return this.#fail({ type: 'protocol', reason: 'the first poll answer was unreadable' });
        // Long polling: ask again at once (the next poll waits on the server) — unless there is no
        // channel to wait on, which would answer at once and spin.
        if (this.#waitMs > 0 && this.#set.size > 0) next = 0;
      } else {
        void response.body?.cancel().catch(() => {});
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
        return this.#fail({ type: 'http', status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
      }
    } catch (error) {
      if (this.#closed) return;
      if (!flight.superseded) {
        return this.#fail({ type: 'network', error: flight.timedOut ? new RealtimeError('CONNECTION_LOST', 'Poll timed out.') : error });
      }
    } finally {
      clearTimeout(timeout);
      if (this.#inFlight === flight) this.#inFlight = null;
    }
    if (this.#closed || !this.#ready) return;
    this.#schedule(this.#dirty ? 0 : next);
  }

  /** Applies a 200 answer. A malformed one is reported and changes nothing (the next poll asks again). */
  #answer(text: string): void {
    let body: { welcome?: unknown; channels?: unknown; messages?: unknown; presence?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
      if (typeof body !== 'object' || body === null) throw new TypeError('not an object');
    } catch (cause) {
      return this.handler.error(new RealtimeError('BAD_FRAME', 'A poll answer is not valid JSON.', { cause, details: { transport: 'polling' } }));
    }
    const welcome = decodeServerFrame(body.welcome);
    if (!welcome.ok || welcome.frame.type !== 'welcome') {
      if (!this.#ready) return this.#fail({ type: 'protocol', reason: 'the first poll answer has no welcome' });
      return this.handler.error(welcome.ok ? new RealtimeError('BAD_FRAME', 'A poll answer has no welcome.') : welcome.error);
    }
    const w = welcome.frame;
    if (!isSupportedVersion(w.v)) return this.#fail({ type: 'protocol', reason: `the server speaks protocol version ${w.v}` });
    this.memory.session = w.session;
    this.#set.session = w.session;
    this.#limits = w.limits;
    if (!this.#ready) {
      this.#ready = true;
      // No heartbeat interval: every poll checks liveness itself (request timeout).
      this.handler.open({ sessionId: w.session, memberId: w.member });
    }
    const max = this.options.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
    for (const raw of list(body.channels)) {
      const decoded = decodeServerFrame(raw);
      if (!decoded.ok) this.handler.error(decoded.error);
      else if (decoded.frame.type === 'subscribed') this.#set.subscribed(decoded.frame);
      else if (decoded.frame.type === 'refused') this.#set.refused(decoded.frame);
    }
    for (const raw of list(body.messages)) {
      const decoded = decodeServerFrame(raw);
      if (!decoded.ok || decoded.frame.type !== 'message') {
        this.handler.error(decoded.ok ? new RealtimeError('BAD_FRAME', 'A poll answer lists a non-message.') : decoded.error);
        continue;
      }
      const frame = decoded.frame;
      if (utf8Length(JSON.stringify(raw)) > max) {
        this.#set.skip(frame);
        this.handler.error(new RealtimeError('FRAME_TOO_LARGE', `A message exceeds ${max} bytes.`, { details: { transport: 'polling', channel: frame.channel, limit: max } }));
        continue;
      }
      this.#set.message(frame);
    }
    for (const raw of list(body.presence)) {
      const decoded = decodeServerFrame(raw);
      const version = (raw as { version?: unknown } | null)?.version;
      if (decoded.ok && decoded.frame.type === 'presence' && decoded.frame.action === 'sync') {
        this.#set.presence({ ...decoded.frame, ...(typeof version === 'number' ? { version } : {}) });
      } else {
        this.handler.error(decoded.ok ? new RealtimeError('BAD_FRAME', 'A poll answer lists an invalid presence entry.') : decoded.error);
      }
    }
  }
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
