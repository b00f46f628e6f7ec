import { RealtimeError, type RealtimeErrorCode } from '../errors.js';
import type { Disconnect } from '../fatal.js';
import { defaultPlatform, type Platform } from '../platform.js';
import type {
  Message,
  OpenContext,
  OutgoingMessage,
  PresenceEvent,
  PresenceMember,
  PresenceOp,
  SubscribeOptions,
  Transport,
  TransportCapabilities,
  TransportConnection,
  TransportHandler,
} from '../transport.js';

/** What one connection attempt does. Scripted with `fake.script(…)`; the last behaviour repeats. */
export type Behavior =
  | {
      readonly kind: 'accept';
      /** Open after this many ms of (fake) time. */
      readonly delayMs?: number;
      /** Close with 1006 after delivering this many frames (messages, acks, presence…). */
      readonly dropAfterFrames?: number;
      /** Open, then deliver nothing at all, pongs included: a half-open connection. */
      readonly blackHole?: boolean;
    }
  | { readonly kind: 'refuse'; readonly disconnect: Disconnect; readonly delayMs?: number }
  | { readonly kind: 'hang' };

/** Opens at once. */
export const ACCEPT: Behavior = Object.freeze({ kind: 'accept' });
/** Never answers: neither opens nor closes. */
export const HANG: Behavior = Object.freeze({ kind: 'hang' });

export const accept = (options: Omit<Extract<Behavior, { kind: 'accept' }>, 'kind'> = {}): Behavior => ({ kind: 'accept', ...options });
/** Refuses: a number is a close code, otherwise any `Disconnect`. */
export const refuse = (disconnect: Disconnect | number, delayMs?: number): Behavior => ({
  kind: 'refuse',
  disconnect: typeof disconnect === 'number' ? { type: 'close', code: disconnect } : disconnect,
  ...(delayMs === undefined ? {} : { delayMs }),
});
export const refuseHttp = (status: number, retryAfterMs?: number): Behavior =>
  refuse({ type: 'http', status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
export const dropAfter = (frames: number): Behavior => accept({ dropAfterFrames: frames });
export const blackHole = (): Behavior => accept({ blackHole: true });

export type WireOp =
  | { readonly type: 'open'; readonly at: number; readonly attempt: number }
  | { readonly type: 'close'; readonly at: number }
  | { readonly type: 'subscribe'; readonly at: number; readonly channel: string; readonly cursor: string | null }
  | { readonly type: 'unsubscribe'; readonly at: number; readonly channel: string }
  | { readonly type: 'publish'; readonly at: number; readonly message: OutgoingMessage }
  | { readonly type: 'presence'; readonly at: number; readonly channel: string; readonly op: PresenceOp }
  | { readonly type: 'ping'; readonly at: number };

export interface ReceivedMessage {
  readonly id: string;
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** The member id of the connection that published it. */
  readonly from: string;
}

export type AckMode = 'auto' | 'manual' | 'nack';

interface HistoryEntry {
  offset: number;
  event: string;
  data: unknown;
  clientMessageId?: string;
}

export interface FakeServerOptions {
  /** Messages kept per channel for resume. Default 1000; 0 disables resume. */
  historySize?: number;
  /** Heartbeat interval announced to clients. Default 25 s; `false` announces none. */
  heartbeatMs?: number | false;
  /** Timers and clock for delays. Default: the real ones. Pass the `FakeClock` in tests. */
  clock?: Pick<Platform, 'setTimeout' | 'now'>;
  /** Server→client latency in ms. 0 (default) delivers on a microtask. */
  latencyMs?: number;
}

/**
 * An in-memory server speaking the native protocol's semantics: offsets and history for resume,
 * publish dedup by client id, acks, presence. Several fake transports may share one server.
 */
export class FakeServer {
  readonly ops: WireOp[] = [];
  readonly received: ReceivedMessage[] = [];
  /** Publishes whose client id had already been processed (resends): acked, not processed again. */
  duplicates = 0;
  ackMode: AckMode = 'auto';
  /** Client ids waiting for `ack()` / `nack()` in manual mode. */
  readonly pendingAcks: string[] = [];
  readonly connections = new Set<FakeConnection>();
  readonly #history = new Map<string, HistoryEntry[]>();
  readonly #offsets = new Map<string, number>();
  readonly #seen = new Set<string>();
  readonly #members = new Map<string, Map<string, PresenceMember>>();
  readonly #refused = new Map<string, RealtimeErrorCode>();
  #loseAcks = 0;
  readonly historySize: number;
  readonly heartbeatMs: number | undefined;
  readonly clock: Pick<Platform, 'setTimeout' | 'now'>;
  readonly latencyMs: number;

  constructor(options: FakeServerOptions = {}) {
    this.historySize = options.historySize ?? 1000;
    this.heartbeatMs = options.heartbeatMs === false ? undefined : (options.heartbeatMs ?? 25_000);
    this.clock = options.clock ?? defaultPlatform;
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** Publishes from the server side to every subscriber of `channel`. Returns the offset. */
  publish(channel: string, event: string, data: unknown, clientMessageId?: string): number {
    const offset = (this.#offsets.get(channel) ?? 0) + 1;
    this.#offsets.set(channel, offset);
    const entry: HistoryEntry = { offset, event, data, ...(clientMessageId ? { clientMessageId } : {}) };
    if (this.historySize > 0) {
      let history = this.#history.get(channel);
      if (!history) this.#history.set(channel, (history = []));
      history.push(entry);
      if (history.length > this.historySize) history.shift();
    }
    for (const conn of this.connections) if (conn.subscriptions.has(channel)) conn.deliverMessage(channel, entry);
    return offset;
  }

  /** Forgets a channel's history (or all), so the next resume fails with a discontinuity. */
  forgetHistory(channel?: string): void {
    if (channel === undefined) this.#history.clear();
    else this.#history.delete(channel);
  }

  /** The next `count` acks are lost on the way back (the message is still processed). 0 stops losing. */
  loseAcks(count: number): void {
    this.#loseAcks = Math.max(0, count);
  }

  /** Answers subscribes to `channel` with `subscribeFailed`. */
  refuseChannel(channel: string, code: RealtimeErrorCode = 'CHANNEL_REFUSED'): void {
    this.#refused.set(channel, code);
  }

  ack(id: string): void {
    this.#settleManual(id, (conn) => conn.deliver((h) => h.ack(id)));
  }

  /** Refuses a publish waiting in manual mode; `details` such as `{ retryAfterMs }` travel with it. */
  nack(id: string, code: RealtimeErrorCode = 'PUBLISH_REJECTED', details: Record<string, unknown> = {}): void {
    this.#settleManual(id, (conn) => conn.deliver((h) => h.nack(id, new RealtimeError(code, 'rejected by the fake server', { details }))));
  }

  /** Closes every open connection from the server side (default: abnormal closure 1006). */
  drop(disconnect: Disconnect = { type: 'close', code: 1006 }): void {
    for (const conn of [...this.connections]) conn.serverClose(disconnect);
  }

  /** Another client joins presence on `channel` (as seen by subscribers). */
  join(channel: string, member: PresenceMember): void {
    this.#setMember(channel, member, 'join');
  }

  leave(channel: string, memberId: string): void {
    const members = this.#members.get(channel);
    const member = members?.get(memberId);
    if (!members || !member) return;
    members.delete(memberId);
    this.#broadcastPresence(channel, { action: 'leave', member });
  }

  members(channel: string): PresenceMember[] {
    return [...(this.#members.get(channel)?.values() ?? [])];
  }

  /** Operations of one type, e.g. `opsOf('subscribe')`. */
  opsOf<T extends WireOp['type']>(type: T): Extract<WireOp, { type: T }>[] {
    return this.ops.filter((op): op is Extract<WireOp, { type: T }> => op.type === type);
  }

  clearOps(): void {
    this.ops.length = 0;
  }

  /** Channels with at least one subscribed connection. */
  subscribedChannels(): Set<string> {
    const channels = new Set<string>();
    for (const conn of this.connections) for (const channel of conn.subscriptions) channels.add(channel);
    return channels;
  }

  /** @internal */
  record(op: WireOp): void {
    this.ops.push(op);
  }

  /** @internal */
  handleSubscribe(conn: FakeConnection, channel: string, options: SubscribeOptions): void {
    const refusal = this.#refused.get(channel);
    if (refusal) {
      conn.deliver((h) => h.subscribeFailed(channel, new RealtimeError(refusal, `subscription to ${channel} refused`, { details: { channel } })));
      return;
    }
    conn.subscriptions.add(channel);
    const history = this.#history.get(channel) ?? [];
    const last = this.#offsets.get(channel) ?? 0;
    let resumed = false;
    let replay: HistoryEntry[] = [];
    if (options.cursor !== null && this.historySize > 0) {
      const from = Number(options.cursor);
      const oldest = history[0]?.offset ?? last + 1;
      // Resumable if nothing after the cursor has been evicted from history.
      if (Number.isFinite(from) && from >= oldest - 1 && from <= last) {
        resumed = true;
        replay = history.filter((entry) => entry.offset > from);
      }
    }
    conn.deliver((h) => h.subscribed(channel, { resumed, cursor: String(last) }));
    for (const entry of replay) conn.deliverMessage(channel, entry);
    const members = this.#members.get(channel);
    if (members) conn.deliver((h) => h.presence(channel, { action: 'sync', members: [...members.values()] }));
  }

  /** @internal */
  handlePublish(conn: FakeConnection, message: OutgoingMessage): void {
    if (message.volatile) {
      this.publish(message.channel, message.event, message.data, message.id);
      return;
    }
    if (this.#seen.has(message.id)) {
      this.duplicates++;
    } else {
      this.#seen.add(message.id);
      this.received.push({ id: message.id, channel: message.channel, event: message.event, data: message.data, from: conn.memberId });
      this.publish(message.channel, message.event, message.data, message.id);
    }
    if (this.#loseAcks > 0) {
      this.#loseAcks--;
      return;
    }
    if (this.ackMode === 'auto') conn.deliver((h) => h.ack(message.id));
    else if (this.ackMode === 'nack') conn.deliver((h) => h.nack(message.id, new RealtimeError('PUBLISH_REJECTED', 'rejected by the fake server')));
    else this.pendingAcks.push(message.id);
  }

  /** @internal */
  handlePresence(conn: FakeConnection, channel: string, op: PresenceOp): void {
    if (op.action === 'leave') this.leave(channel, conn.memberId);
    else this.#setMember(channel, { id: conn.memberId, data: op.data }, op.action === 'enter' ? 'join' : 'update');
  }

  /** @internal */
  handleClose(conn: FakeConnection): void {
    this.connections.delete(conn);
    for (const [channel, members] of this.#members) {
      if (!members.has(conn.memberId)) continue;
      const stillHere = [...this.connections].some((c) => c.memberId === conn.memberId && c.subscriptions.has(channel));
      if (!stillHere) this.leave(channel, conn.memberId);
    }
  }

  #setMember(channel: string, member: PresenceMember, action: 'join' | 'update'): void {
    let members = this.#members.get(channel);
    if (!members) this.#members.set(channel, (members = new Map()));
    const known = members.has(member.id);
    members.set(member.id, member);
    this.#broadcastPresence(channel, { action: known ? 'update' : action, member });
  }

  #broadcastPresence(channel: string, event: PresenceEvent): void {
    for (const conn of this.connections) if (conn.subscriptions.has(channel)) conn.deliver((h) => h.presence(channel, event));
  }

  #settleManual(id: string, send: (conn: FakeConnection) => void): void {
    const index = this.pendingAcks.indexOf(id);
    if (index >= 0) this.pendingAcks.splice(index, 1);
    for (const conn of this.connections) send(conn);
  }
}

/** The server side of one fake connection. */
export class FakeConnection implements TransportConnection {
  readonly subscriptions = new Set<string>();
  open = false;
  closed = false;
  #frames = 0;

  constructor(
    readonly server: FakeServer,
    readonly handler: TransportHandler,
    readonly behavior: Extract<Behavior, { kind: 'accept' }>,
    readonly memberId: string,
    readonly sessionId: string,
  ) {}

  subscribe(channel: string, options: SubscribeOptions): void {
    this.server.record({ type: 'subscribe', at: this.server.clock.now(), channel, cursor: options.cursor });
    if (!this.closed) this.server.handleSubscribe(this, channel, options);
  }

  unsubscribe(channel: string): void {
    this.server.record({ type: 'unsubscribe', at: this.server.clock.now(), channel });
    this.subscriptions.delete(channel);
    if (this.server.members(channel).some((m) => m.id === this.memberId)) this.server.leave(channel, this.memberId);
  }

  publish(message: OutgoingMessage): void {
    this.server.record({ type: 'publish', at: this.server.clock.now(), message });
    if (!this.closed) this.server.handlePublish(this, message);
  }

  presence(channel: string, op: PresenceOp): void {
    this.server.record({ type: 'presence', at: this.server.clock.now(), channel, op });
    if (!this.closed) this.server.handlePresence(this, channel, op);
  }

  ping(): void {
    this.server.record({ type: 'ping', at: this.server.clock.now() });
    this.deliver((h) => h.activity(), false);
  }

  close(): void {
    if (this.closed) return;
    this.server.record({ type: 'close', at: this.server.clock.now() });
    this.#end();
  }

  /** Server-initiated close. */
  serverClose(disconnect: Disconnect): void {
    if (this.closed) return;
    this.#end();
    this.handler.close(disconnect);
  }

  /** Sends a frame to the client after the server's latency; counts towards `dropAfterFrames`. */
  deliver(frame: (handler: TransportHandler) => void, countsAsFrame = true): void {
    if (this.behavior.blackHole) return;
    const run = () => {
      if (this.closed) return;
      // Any inbound frame is activity, as a real transport reports it (the core's liveness signal).
      if (countsAsFrame) this.handler.activity();
      frame(this.handler);
      if (!countsAsFrame) return;
      this.#frames++;
      const limit = this.behavior.dropAfterFrames;
      if (limit !== undefined && this.#frames >= limit) this.serverClose({ type: 'close', code: 1006 });
    };
    if (this.server.latencyMs > 0) this.server.clock.setTimeout(run, this.server.latencyMs);
    else queueMicrotask(run);
  }

  /** @internal */
  deliverMessage(channel: string, entry: HistoryEntry): void {
    const offset = String(entry.offset);
    const message: Message = {
      channel,
      event: entry.event,
      data: entry.data,
      id: offset,
      cursor: offset,
      ...(entry.clientMessageId ? { clientMessageId: entry.clientMessageId } : {}),
    };
    this.deliver((h) => h.message(message));
  }

  #end(): void {
    this.closed = true;
    this.open = false;
    this.server.handleClose(this);
  }
}

export interface FakeTransportOptions extends FakeServerOptions {
  name?: string;
  capabilities?: Partial<TransportCapabilities>;
  /** Share one server between several transports (several clients talking to each other). */
  server?: FakeServer;
  /** The id this client appears under in presence. Default `client`. */
  memberId?: string;
}

const FAKE_CAPABILITIES: TransportCapabilities = Object.freeze({
  publish: 'native',
  acks: true,
  presence: true,
  resume: true,
  clientEvents: false,
  retries: 'core',
  serverless: false,
});

/**
 * A transport for tests, driven by scripted behaviours per connection attempt.
 *
 * @example
 * const clock = createFakeClock();
 * const fake = createFakeTransport({ clock }).script(refuse(1006), ACCEPT);
 * const client = createClient({ transport: fake, platform: clock });
 */
export class FakeTransport implements Transport {
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  readonly server: FakeServer;
  readonly memberId: string;
  /** Number of `open()` calls: one per connection attempt. */
  attempts = 0;
  /** Credentials passed with each attempt, in order. */
  readonly credentials: unknown[] = [];
  current: FakeConnection | null = null;
  #script: Behavior[] = [];

  constructor(options: FakeTransportOptions = {}) {
    this.name = options.name ?? 'fake';
    this.capabilities = Object.freeze({ ...FAKE_CAPABILITIES, ...options.capabilities });
    this.server = options.server ?? new FakeServer(options);
    this.memberId = options.memberId ?? 'client';
  }

  /** Behaviours for the next attempts, in order; the last one repeats. Replaces the previous script. */
  script(...behaviors: Behavior[]): this {
    this.#script = behaviors;
    return this;
  }

  /** Connections this transport has open right now. */
  get openConnections(): number {
    return [...this.server.connections].filter((c) => c.memberId === this.memberId && !c.closed).length;
  }

  open(handler: TransportHandler, context: OpenContext): TransportConnection {
    this.attempts++;
    this.credentials.push(context.credentials);
    const server = this.server;
    server.record({ type: 'open', at: server.clock.now(), attempt: context.attempt });
    const behavior = (this.#script.length > 1 ? this.#script.shift() : this.#script[0]) ?? ACCEPT;
    const later = (fn: () => void, delayMs = 0) => (delayMs > 0 ? server.clock.setTimeout(fn, delayMs) : queueMicrotask(fn));
    const conn = new FakeConnection(
      server,
      handler,
      behavior.kind === 'accept' ? behavior : { kind: 'accept' },
      this.memberId,
      `session-${this.attempts}`,
    );
    this.current = conn;
    if (behavior.kind === 'refuse') {
      conn.closed = true;
      later(() => handler.close(behavior.disconnect), behavior.delayMs);
    } else if (behavior.kind === 'accept') {
      later(() => {
        if (conn.closed) return;
        conn.open = true;
        server.connections.add(conn);
        handler.open({
          sessionId: conn.sessionId,
          memberId: this.memberId,
          ...(server.heartbeatMs === undefined ? {} : { heartbeatMs: server.heartbeatMs }),
        });
      }, behavior.delayMs);
    }
    return conn;
  }
}

export function createFakeTransport(options: FakeTransportOptions = {}): FakeTransport {
  return new FakeTransport(options);
}
