import { RealtimeError, type RealtimeErrorCode } from '@switchboard/core/protocol';
import {
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  isPresenceChannel,
  isPrivateChannel,
  type AckFrame,
  type ClientFrame,
  type ErrorFrame,
  type MessageFrame,
  type NackFrame,
  type PresenceFrame,
  type PublishFrame,
  type ServerFrame,
  type SubscribeFrame,
  type WelcomeFrame,
  type WireLimits,
} from '@switchboard/core/protocol';
import { DEFAULT_KEY, createSessionId, isValidSessionId, presenceUserId, verifyChannelAuth } from './auth.js';
import type { Broker, BrokerEvent, BrokerHealth, BrokerMessage } from './broker.js';
import { systemClock, type ServerClock } from './clock.js';
import { ConnectionLimit } from './connection-limit.js';
import { createMemoryBroker } from './memory-broker.js';
import { deliver } from './delivery.js';
import { Metrics } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import type { AuthenticateContext, ClientIpContext, HubOptions } from './hub-options.js';
import { HubSession, type Caller, type Identity, type Subscription, type TransportKind } from './session.js';

export type { Authenticate, AuthenticateContext, ChannelContext, ClientIpContext, HubHooks, HubOptions, PublishContext } from './hub-options.js';

type PresenceResult = { readonly type: 'ok' } | ErrorFrame;

/**
 * The protocol engine shared by the WebSocket server and the HTTP handlers: sessions, subscriptions
 * with gap-free replay, publishes with dedup and acks, presence, limits and channel authorisation.
 */
export class Hub {
  readonly broker: Broker;
  readonly limits: WireLimits;
  readonly clock: ServerClock;
  readonly heartbeatMs: number;
  readonly sseHeartbeatMs: number;
  readonly presenceTimeoutMs: number;
  readonly presenceGraceMs: number;
  readonly sessions = new Set<HubSession>();
  /** Counters for `/metrics`. */
  readonly metrics = new Metrics();
  readonly #connectionLimit: ConnectionLimit;
  readonly #o: HubOptions;
  readonly #ownsBroker: boolean;
  readonly #live = new Map<string, number>();
  /** One frame per message, shared by every subscriber (so a transport can encode it once). */
  readonly #frames = new WeakMap<BrokerMessage, MessageFrame>();

  constructor(options: HubOptions = {}) {
    this.#o = options;
    this.#ownsBroker = !options.broker;
    this.clock = options.clock ?? systemClock;
    this.broker = options.broker ?? createMemoryBroker({ clock: this.clock });
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
    this.heartbeatMs = options.heartbeatMs ?? 25_000;
    this.sseHeartbeatMs = options.sseHeartbeatMs ?? 15_000;
    this.presenceTimeoutMs = options.presenceTimeoutMs ?? 30_000;
    this.presenceGraceMs = options.presenceGraceMs ?? 5_000;
    this.#connectionLimit = new ConnectionLimit(options.maxConnectionsPerIp ?? Infinity);
  }

  /** The client's address (for `maxConnectionsPerIp`), as `clientIp` or the TCP peer says. */
  clientIp(context: ClientIpContext): string | null {
    try {
      return (this.#o.clientIp ? this.#o.clientIp(context) : context.remoteAddress) ?? null;
    } catch (error) {
      this.reportError(error);
      return null;
    }
  }

  /** Counts a connection from `ip` against `maxConnectionsPerIp`: its release, or `null` when refused. */
  admit(ip: string | null): (() => void) | null {
    const release = this.#connectionLimit.admit(ip);
    if (!release) this.metrics.refused('per_ip');
    return release;
  }

  /** `ok`, or `degraded` while the broker has lost its backend. */
  health(): BrokerHealth {
    return this.broker.health?.() ?? { status: 'ok' };
  }

  /** The Prometheus text of this process' counters. */
  metricsText(): string {
    const channels = new Set<string>();
    for (const session of this.sessions) for (const channel of session.subscriptions.keys()) channels.add(channel);
    const health = this.health();
    return this.metrics.render({ sessions: this.sessions.size, channels: channels.size, brokerUp: health.status === 'ok', brokerReconnects: health.reconnects ?? 0 });
  }

  get secret(): string | undefined {
    return this.#o.secret;
  }

  /** The key prefixed to channel signatures. */
  get key(): string {
    return this.#o.key ?? DEFAULT_KEY;
  }

  /** Runs `authenticate`; never throws. */
  async authenticate(context: AuthenticateContext): Promise<{ ok: true; identity: Identity } | { ok: false; code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'SERVER_ERROR' }> {
    const authenticate = this.#o.authenticate;
    if (!authenticate) return { ok: true, identity: {} };
    try {
      const result = await authenticate(context);
      if (result === false) return { ok: false, code: 'FORBIDDEN' };
      if (result === null || result === undefined) return { ok: false, code: 'UNAUTHORIZED' };
      return { ok: true, identity: result === true ? {} : result };
    } catch (error) {
      if (error instanceof RealtimeError && (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN')) return { ok: false, code: error.code };
      this.reportError(error);
      return { ok: false, code: 'SERVER_ERROR' };
    }
  }

  /** A session id brought back by a client, if this server issued it; otherwise a new one. */
  sessionId(requested: string | null | undefined): string {
    return requested && isValidSessionId(requested, this.secret) ? requested : createSessionId(this.secret);
  }

  newBucket(): TokenBucket {
    const rate = this.limits.messagesPerSecond;
    return new TokenBucket(rate, this.#o.burst ?? rate * 10, this.clock);
  }

  openSession(init: { transport: TransportKind; identity: Identity; id?: string; send: (frame: ServerFrame) => void; drop?: () => void }): HubSession {
    const id = init.id ?? createSessionId(this.secret);
    const send = (frame: ServerFrame) => {
      this.countFrame(frame);
      init.send(frame);
    };
    const session = new HubSession(id, init.identity.userId ?? id, init.identity, init.transport, this.newBucket(), send, (e) => this.reportError(e), init.drop);
    this.sessions.add(session);
    this.#live.set(id, (this.#live.get(id) ?? 0) + 1);
    this.#o.hooks?.onSessionOpen?.(session);
    return session;
  }

  /** Counts a frame sent to a client: messages out, and errors by code. */
  countFrame(frame: { readonly type: string; readonly code?: string }): void {
    if (frame.type === 'message') this.metrics.messagesOut++;
    else if (frame.code !== undefined && (frame.type === 'error' || frame.type === 'nack' || frame.type === 'refused')) this.metrics.error(frame.code);
  }

  welcome(session: HubSession, heartbeatMs: number): WelcomeFrame {
    return { type: 'welcome', v: PROTOCOL_VERSION, session: session.id, member: session.memberId, heartbeatMs, limits: this.limits };
  }

  /** Handles one frame of a connection (in the session's order). Results go to the session's sink. */
  handle(session: HubSession, frame: ClientFrame): Promise<void> {
    return session.run(async () => {
      if (session.closed) return;
      switch (frame.type) {
        case 'subscribe':
          return this.subscribe(session, frame);
        case 'unsubscribe':
          return this.unsubscribe(session, frame.channel);
        case 'publish': {
          const result = await this.publishFrom(session, frame);
          if (result) session.send(result);
          return;
        }
        case 'presence': {
          const result = await this.presenceFrom(session, frame);
          if (result.type === 'error') session.send(result);
          return;
        }
        case 'ping':
          return session.send({ type: 'pong', ...(frame.id === undefined ? {} : { id: frame.id }) });
        case 'pong':
          return;
        case 'hello':
          return session.send({ type: 'error', code: 'BAD_FRAME', message: 'hello was already received' });
      }
    });
  }

  /** Subscribes with replay from the cursor, without a gap between history and live messages. */
  async subscribe(session: HubSession, frame: SubscribeFrame): Promise<void> {
    const { channel } = frame;
    if (session.subscriptions.has(channel)) await this.unsubscribe(session, channel);
    const refusal = await this.#checkSubscribe(session, frame);
    if (refusal) {
      session.send({ type: 'refused', channel, code: refusal.code, message: refusal.message });
      this.#o.hooks?.onSubscribe?.(session, channel, { refused: refusal.code });
      return;
    }
    const verified = isPrivateChannel(channel) ? { ...(frame.channelData === undefined ? {} : { channelData: frame.channelData }) } : undefined;
    const sub: Subscription = { channel, cancelled: false, unsubscribe: null, verified, presenceVersion: 0 };
    session.subscriptions.set(channel, sub);
    const buffer: BrokerEvent[] = [];
    let live = false;
    const cursor = frame.cursor ?? null;
    let history: Awaited<ReturnType<Broker['history']>>;
    let presence: Awaited<ReturnType<Broker['presenceList']>>;
    try {
      const unsubscribe = await this.broker.subscribe(channel, (event) => {
        if (sub.cancelled) return;
        if (live) deliver(session, sub, this.#frames, event);
        else buffer.push(event);
      });
      if (sub.cancelled) return unsubscribe();
      sub.unsubscribe = unsubscribe;
      [history, presence] = await Promise.all([this.broker.history(channel, cursor), this.broker.presenceList(channel)]);
    } catch (error) {
      this.reportError(error);
      if (sub.cancelled) return;
      await this.unsubscribe(session, channel);
      session.send({ type: 'refused', channel, code: 'SERVER_ERROR', message: 'The broker failed to subscribe.' });
      return;
    }
    if (sub.cancelled) return;
    // Resumed: the client stays at its cursor while the replay follows. Otherwise it is at the head, or
    // where the replay starts (a cursor of a restarted broker).
    session.send({ type: 'subscribed', channel, resumed: history.resumed, cursor: history.resumed ? cursor : (history.from ?? history.head) });
    const replayed = new Set<string>();
    for (const message of history.messages) {
      replayed.add(message.offset);
      deliver(session, sub, this.#frames, { kind: 'message', message });
    }
    if (presence.members.length > 0) session.send({ type: 'presence', channel, action: 'sync', members: presence.members });
    sub.presenceVersion = presence.version;
    live = true;
    for (const event of buffer) {
      if (event.kind === 'message' && replayed.has(event.message.offset)) continue;
      deliver(session, sub, this.#frames, event);
    }
    this.#o.hooks?.onSubscribe?.(session, channel, { resumed: history.resumed, replayed: replayed.size });
  }

  async unsubscribe(session: HubSession, channel: string): Promise<void> {
    const sub = session.subscriptions.get(channel);
    if (!sub) return;
    session.subscriptions.delete(channel);
    sub.cancelled = true;
    sub.unsubscribe?.();
    if (session.presenceChannels.delete(channel)) await this.broker.presenceRemove(channel, session.id);
  }

  /** Publishes for a caller; `null` for volatile messages (no ack). */
  async publishFrom(caller: Caller, frame: PublishFrame): Promise<AckFrame | NackFrame | null> {
    const nack = (code: RealtimeErrorCode, message: string): NackFrame => ({ type: 'nack', id: frame.id, code, message });
    const { channel } = frame;
    if (caller.bucket && !caller.bucket.take()) {
      this.metrics.dropped('rate_limited');
      return frame.volatile ? null : nack('RATE_LIMITED', `More than ${this.limits.messagesPerSecond} messages per second.`);
    }
    if (!caller.server) {
      if (isPrivateChannel(channel) && !caller.verified(channel) && !this.#verify(caller.id, channel, frame.auth, frame.channelData)) {
        return frame.volatile ? null : nack('FORBIDDEN', `Publishing to ${channel} needs the channel's signature.`);
      }
      const canPublish = this.#o.canPublish;
      if (canPublish && !(await this.#allowed(() => canPublish({ channel, event: frame.event, data: frame.data, session: caller.id, identity: caller.identity })))) {
        return frame.volatile ? null : nack('FORBIDDEN', `Publishing to ${channel} is not allowed.`);
      }
    }
    try {
      const outcome = await this.broker.publish({
        channel,
        event: frame.event,
        data: frame.data,
        clientMessageId: frame.id,
        ...(frame.volatile ? { volatile: true } : {}),
      });
      if (!outcome.duplicate) this.metrics.messagesIn++;
      return frame.volatile ? null : { type: 'ack', id: frame.id, offset: outcome.offset };
    } catch (error) {
      this.reportError(error);
      return frame.volatile ? null : nack('SERVER_ERROR', 'The broker failed to publish.');
    }
  }

  /** Enter / update / leave presence for a caller. */
  async presenceFrom(caller: Caller, frame: PresenceFrame, ttlMs?: number): Promise<PresenceResult> {
    const { channel } = frame;
    const error = (code: RealtimeErrorCode, message: string): ErrorFrame => ({ type: 'error', code, message, channel });
    if (caller.id === null) return error('BAD_FRAME', 'Presence needs a session.');
    if (caller.bucket && !caller.bucket.take()) {
      this.metrics.dropped('rate_limited');
      return error('RATE_LIMITED', `More than ${this.limits.messagesPerSecond} operations per second.`);
    }
    const session = caller instanceof HubSession ? caller : null;
    if (session && !session.subscriptions.has(channel)) return error('CHANNEL_REFUSED', `Subscribe to ${channel} before entering its presence.`);
    let memberId = caller.memberId;
    if (isPrivateChannel(channel)) {
      const verified = caller.verified(channel) ?? (this.#verify(caller.id, channel, frame.auth, frame.channelData) ? { channelData: frame.channelData } : undefined);
      if (!verified) return error('FORBIDDEN', `Presence on ${channel} needs the channel's signature.`);
      if (isPresenceChannel(channel)) memberId = presenceUserId(verified.channelData) ?? memberId;
    }
    try {
      if (frame.action === 'leave') {
        session?.presenceChannels.delete(channel);
        await this.broker.presenceRemove(channel, caller.id);
      } else {
        session?.presenceChannels.add(channel);
        const ttl = ttlMs ?? (session ? this.#sessionTtl(session) : this.presenceTimeoutMs);
        await this.broker.presenceSet(channel, { session: caller.id, member: { id: memberId, data: frame.data } }, ttl);
      }
      return { type: 'ok' };
    } catch (cause) {
      this.reportError(cause);
      return error('SERVER_ERROR', 'The broker failed to update presence.');
    }
  }

  /** Keeps a live session's presence from expiring (called on every heartbeat). */
  touch(session: HubSession): Promise<void> {
    const channels = [...session.subscriptions.keys()];
    return channels.length === 0 ? Promise.resolve() : this.broker.presenceTouch(session.id, channels, this.#sessionTtl(session));
  }

  /** Ends a session. `graceMs` keeps its presence that long, for the same session id to come back. */
  async closeSession(session: HubSession, graceMs = 0): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session);
    const live = (this.#live.get(session.id) ?? 1) - 1;
    if (live > 0) this.#live.set(session.id, live);
    else this.#live.delete(session.id);
    const channels = [...session.subscriptions.keys()];
    for (const sub of session.subscriptions.values()) {
      sub.cancelled = true;
      sub.unsubscribe?.();
    }
    session.subscriptions.clear();
    this.#o.hooks?.onSessionClose?.(session);
    try {
      // Another stream of the same session (an SSE reopen) holds the presence now: leave it alone.
      if (live > 0) return;
      if (graceMs > 0) await this.broker.presenceTouch(session.id, channels, graceMs);
      else for (const channel of session.presenceChannels) await this.broker.presenceRemove(channel, session.id);
    } catch (error) {
      this.reportError(error);
    }
  }

  /**
   * Publishes from the server (your API route, a job): no signature needed, deduplicated on `id`.
   *
   * @example
   * await hub.publish('room:42', 'message', { text: 'deployed' });
   */
  async publish(channel: string, event: string, data: unknown, options: { id?: string } = {}): Promise<{ offset: string; duplicate: boolean }> {
    const outcome = await this.broker.publish({ channel, event, data, ...(options.id === undefined ? {} : { clientMessageId: options.id }) });
    if (!outcome.duplicate) this.metrics.messagesIn++;
    return outcome;
  }

  /**
   * The channel's position now: read it BEFORE the query behind a server-rendered snapshot and pass
   * it to the client (`useChannel(channel, { since })`), and the subscription resumes from there —
   * nothing published between the render and the subscribe is lost (messages already in the snapshot
   * may arrive again: merge by id). `null` from a broker that has no position for the channel.
   *
   * @example
   * const since = await hub.cursor('room:42');
   * const messages = await db.messages.latest('room:42');
   * return <Chat initial={messages} since={since} />;
   */
  async cursor(channel: string): Promise<string | null> {
    return (await this.broker.history(channel, null)).head;
  }

  /** A caller for one stateless HTTP request. */
  httpCaller(init: { session: string | null; identity: Identity; server: boolean; bucket: TokenBucket | null }): Caller {
    return {
      id: init.session,
      memberId: init.identity.userId ?? init.session ?? 'server',
      identity: init.identity,
      transport: 'http',
      server: init.server,
      bucket: init.bucket,
      verified: () => undefined,
    };
  }

  /** Checks a signature for a channel (`false` without a secret). */
  verify(session: string | null, channel: string, auth: string | undefined, channelData: string | undefined): boolean {
    return this.#verify(session, channel, auth, channelData);
  }

  reportError(error: unknown): void {
    this.metrics.error('INTERNAL');
    (this.#o.onError ?? ((e: unknown) => console.error('[switchboard/server]', e)))(error);
  }

  /** Closes every session and, if the hub created it, the broker. */
  async close(): Promise<void> {
    for (const session of [...this.sessions]) await this.closeSession(session);
    if (this.#ownsBroker) await this.broker.close();
  }

  async #checkSubscribe(session: HubSession, frame: SubscribeFrame): Promise<{ code: RealtimeErrorCode; message: string } | null> {
    const { channel } = frame;
    if (session.subscriptions.size >= this.limits.maxChannels) return { code: 'CHANNEL_REFUSED', message: `At most ${this.limits.maxChannels} channels per connection.` };
    if (!session.bucket.take()) {
      this.metrics.dropped('rate_limited');
      return { code: 'RATE_LIMITED', message: `More than ${this.limits.messagesPerSecond} operations per second.` };
    }
    if (isPrivateChannel(channel)) {
      if (this.secret === undefined) return { code: 'CHANNEL_REFUSED', message: 'This server has no secret: private and presence channels are disabled.' };
      if (!this.#verify(session.id, channel, frame.auth, frame.channelData)) return { code: 'UNAUTHORIZED', message: `Invalid or missing signature for ${channel}.` };
      if (isPresenceChannel(channel) && presenceUserId(frame.channelData) === null) return { code: 'UNAUTHORIZED', message: `${channel} needs channelData with a user_id.` };
    }
    const canSubscribe = this.#o.canSubscribe;
    if (canSubscribe && !(await this.#allowed(() => canSubscribe({ channel, session: session.id, identity: session.identity })))) {
      return { code: 'CHANNEL_REFUSED', message: `Subscribing to ${channel} is not allowed.` };
    }
    return null;
  }

  #verify(session: string | null, channel: string, auth: string | undefined, channelData: string | undefined): boolean {
    const secret = this.secret;
    if (secret === undefined || session === null) return false;
    return verifyChannelAuth({ secret, key: this.key }, session, channel, auth, channelData);
  }

  async #allowed(check: () => boolean | Promise<boolean>): Promise<boolean> {
    try {
      return (await check()) === true;
    } catch (error) {
      this.reportError(error);
      return false;
    }
  }

  #sessionTtl(session: HubSession): number {
    return session.transport === 'websocket' ? (this.heartbeatMs + this.presenceGraceMs) * 2 : this.sseHeartbeatMs * 2 + this.presenceGraceMs;
  }

}

/** Creates the protocol engine to share between `attach()` and `createHandlers()`. */
export function createHub(options?: HubOptions): Hub {
  return new Hub(options);
}
