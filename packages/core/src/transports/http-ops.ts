import { RealtimeError } from '../errors.js';
import type { Disconnect } from '../fatal.js';
import { parseRetryAfter } from '../backoff.js';
import { PROTOCOL_VERSION, decodeServerFrame, frameError, isPrivateChannel, utf8Length, type PresenceFrame, type PublishFrame } from '../protocol/index.js';
import type { TransportHandler } from '../transport.js';
import type { ChannelAuthCache, ChannelAuthorization } from './channel-auth.js';

interface QueuedOp {
  readonly frame: PublishFrame | PresenceFrame;
  readonly auth: Promise<ChannelAuthorization | null> | null;
}

export interface HttpOpsDeps {
  readonly transport: string;
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly credentials: 'omit' | 'same-origin' | 'include';
  readonly headers: () => Promise<Record<string, string>>;
  readonly session: () => string;
  readonly handler: TransportHandler;
  readonly auth: ChannelAuthCache;
  readonly maxFrameBytes: () => number;
  /** A POST not answered within this fails the connection. */
  readonly timeoutMs: number;
  /** The connection is unusable (401, 5xx, network): the core reconnects and resends. */
  readonly fail: (disconnect: Disconnect) => void;
}

const MAX_BATCH = 50;

/**
 * The page's lifecycle: `leaving` on `beforeunload` (a navigation or tab close is starting: the last
 * moment before the browser aborts the page's requests, which would end an SSE connection first) and
 * on `pagehide` (also the back/forward cache, and mobile browsers that skip `beforeunload`); `back`
 * when a cached page returns (`pageshow` with `persisted`). Nothing outside a browser window.
 */
function onPageLifecycle(leaving: (stayCheck: boolean) => void, back: () => void): () => void {
  const page = globalThis as Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>;
  if (typeof page.addEventListener !== 'function' || typeof page.removeEventListener !== 'function') return () => {};
  const onBeforeUnload = () => leaving(true);
  const onHide = () => leaving(false);
  const onShow = (event: Event) => (event as { persisted?: unknown }).persisted === true && back();
  page.addEventListener('beforeunload', onBeforeUnload);
  page.addEventListener('pagehide', onHide);
  page.addEventListener('pageshow', onShow);
  return () => {
    page.removeEventListener?.('beforeunload', onBeforeUnload);
    page.removeEventListener?.('pagehide', onHide);
    page.removeEventListener?.('pageshow', onShow);
  };
}

/** An HTTP op carrying its channel's signature, if there is one. */
function withSignature<F extends PublishFrame | PresenceFrame>(frame: F, auth: ChannelAuthorization | null | undefined): F {
  return auth ? { ...frame, auth: auth.auth, ...(auth.channelData === undefined ? {} : { channelData: auth.channelData }) } : frame;
}

/** After a goodbye on `beforeunload`, a page still here this much later stayed (another handler asked to). */
const STAY_CHECK_MS = 1000;

/**
 * Publishes and presence operations over HTTP `POST`, for SSE and polling. One request at a time,
 * batching whatever queued up meanwhile, so operations reach the server in the order they were made
 * (concurrent requests could overtake each other).
 */
export class HttpOps {
  #d: HttpOpsDeps;
  #queue: QueuedOp[] = [];
  #busy = false;
  #closed = false;
  #inFlight: AbortController | null = null;
  /**
   * Presence this connection holds (the last enter/update per channel). Over HTTP the server cannot see
   * a tab close, so the page says goodbye itself (`#farewell`); otherwise a closed tab would stay in
   * everyone's member list until its presence timed out on the server.
   */
  #present = new Map<string, PresenceFrame>();
  /** What the last request carried, for the goodbye: it must be sent synchronously, while the page goes. */
  #lastHeaders: Record<string, string> = {};
  #away = false;
  #stayCheck: ReturnType<typeof setTimeout> | null = null;
  #offPage: () => void;

  constructor(deps: HttpOpsDeps) {
    this.#d = deps;
    this.#offPage = onPageLifecycle(
      (stayCheck) => this.#farewell(stayCheck),
      () => this.#returned(),
    );
  }

  push(frame: PublishFrame | PresenceFrame): void {
    if (this.#closed) throw new RealtimeError('CONNECTION_LOST', 'The connection is closed.', { details: { transport: this.#d.transport } });
    if (frame.type === 'presence') {
      if (frame.action === 'leave') this.#present.delete(frame.channel);
      else this.#present.set(frame.channel, { type: 'presence', channel: frame.channel, action: 'enter', ...(frame.data === undefined ? {} : { data: frame.data }) });
    }
    const needsAuth = isPrivateChannel(frame.channel) && this.#d.auth.configured;
    const auth = needsAuth ? this.#d.auth.get(this.#d.session(), frame.channel, this.#d.transport).catch(() => null) : null;
    this.#queue.push({ frame, auth });
    if (!this.#busy) void this.#flush();
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#inFlight?.abort();
    this.#offPage();
    if (this.#stayCheck) clearTimeout(this.#stayCheck);
  }

  /**
   * The page is going away: leave every presence channel in one `keepalive` request (it outlives the
   * page). Sent as is, synchronously — with the headers and signatures of earlier requests. Once: a
   * navigation fires both events. After `beforeunload` a timer checks whether the page stayed after all
   * (the timer dies with a page that went).
   */
  #farewell(stayCheck: boolean): void {
    if (this.#closed || this.#away || this.#present.size === 0) return;
    this.#away = true;
    if (stayCheck) this.#stayCheck = setTimeout(() => ((this.#stayCheck = null), this.#returned()), STAY_CHECK_MS);
    const session = this.#d.session();
    const ops = [...this.#present.keys()].map((channel) => withSignature({ type: 'presence', channel, action: 'leave' }, this.#d.auth.peek(session, channel)));
    this.#d
      .fetch(this.#d.url, {
        method: 'POST',
        keepalive: true,
        headers: { ...this.#lastHeaders, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ v: PROTOCOL_VERSION, session, ops }),
        credentials: this.#d.credentials,
      })
      .catch(() => {});
  }

  /** The page came back from the back/forward cache, or stayed: enter again what the goodbye left. */
  #returned(): void {
    if (this.#closed || !this.#away) return;
    this.#away = false;
    if (this.#stayCheck) clearTimeout(this.#stayCheck);
    this.#stayCheck = null;
    for (const frame of [...this.#present.values()]) this.push(frame);
  }

  async #flush(): Promise<void> {
    this.#busy = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        const ops = await Promise.all(batch.map((op) => this.#signed(op)));
        if (this.#closed) return;
        const sendable = ops.filter((op) => this.#fits(op));
        if (sendable.length > 0) await this.#send(sendable);
      }
    } finally {
      this.#busy = false;
    }
  }

  async #signed(op: QueuedOp): Promise<PublishFrame | PresenceFrame> {
    return withSignature(op.frame, op.auth ? await op.auth : null);
  }

  #fits(op: PublishFrame | PresenceFrame): boolean {
    const max = this.#d.maxFrameBytes();
    const bytes = utf8Length(JSON.stringify(op));
    if (bytes <= max) return true;
    const error = new RealtimeError('FRAME_TOO_LARGE', `The operation is ${bytes} bytes; the server accepts ${max}.`, { details: { transport: this.#d.transport, channel: op.channel } });
    if (op.type === 'publish' && !op.volatile) this.#d.handler.nack(op.id, error);
    else this.#d.handler.error(error);
    return false;
  }

  async #send(ops: (PublishFrame | PresenceFrame)[]): Promise<void> {
    const { handler, transport } = this.#d;
    let response: Response;
    const controller = (this.#inFlight = new AbortController());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#d.timeoutMs);
    try {
      this.#lastHeaders = await this.#d.headers();
      response = await this.#d.fetch(this.#d.url, {
        method: 'POST',
        headers: { ...this.#lastHeaders, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ v: PROTOCOL_VERSION, session: this.#d.session(), ops }),
        credentials: this.#d.credentials,
        signal: controller.signal,
      });
    } catch (error) {
      // Unanswered or failed: the connection is suspect. The core reconnects; the outbox resends.
      if (!this.#closed) this.#d.fail({ type: 'network', error: timedOut ? new RealtimeError('CONNECTION_LOST', 'Publish request timed out.') : error });
      return;
    } finally {
      clearTimeout(timer);
      if (this.#inFlight === controller) this.#inFlight = null;
    }
    if (this.#closed) return;
    if (response.status === 401 || response.status >= 500 || response.status === 408 || response.status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      this.#d.fail({ type: 'http', status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
      return;
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      body = undefined;
      handler.error(new RealtimeError('BAD_FRAME', `The publish endpoint answered ${response.status} without JSON.`, { cause, details: { transport, status: response.status } }));
    }
    const results = (body as { results?: unknown } | undefined)?.results;
    if (!response.ok || !Array.isArray(results)) {
      // The whole request was refused (403, 413, 400): every op in it failed with that reason.
      const decoded = decodeServerFrame(body);
      const reason =
        decoded.ok && decoded.frame.type === 'error'
          ? frameError(decoded.frame, transport)
          : new RealtimeError(response.status === 403 ? 'FORBIDDEN' : 'PUBLISH_REJECTED', `The publish endpoint answered ${response.status}.`, { details: { transport, status: response.status } });
      for (const op of ops) {
        if (op.type === 'publish' && !op.volatile) handler.nack(op.id, reason);
      }
      if (!ops.some((op) => op.type === 'publish')) handler.error(reason);
      return;
    }
    ops.forEach((op, i) => this.#result(op, results[i]));
  }

  #result(op: PublishFrame | PresenceFrame, raw: unknown): void {
    const { handler, transport } = this.#d;
    const decoded = (raw as { type?: unknown } | undefined)?.type === 'ok' ? null : decodeServerFrame(raw);
    if (decoded === null) {
      if (op.type === 'publish' && !op.volatile) handler.ack(op.id);
      return;
    }
    if (!decoded.ok) {
      handler.error(decoded.error);
      return;
    }
    const frame = decoded.frame;
    if (frame.type === 'ack') handler.ack(frame.id);
    else if (frame.type === 'nack') handler.nack(frame.id, frameError(frame, transport));
    else if (frame.type === 'error') {
      const error = frameError({ ...frame, ...(op.type === 'publish' ? { id: op.id } : {}) }, transport);
      if (op.type === 'publish' && !op.volatile) handler.nack(op.id, error);
      else handler.error(error);
    }
  }
}
