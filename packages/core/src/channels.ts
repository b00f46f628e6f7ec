import { RealtimeError, toRealtimeError } from './errors.js';
import type { Logger } from './logger.js';
import type { Platform, TimerHandle } from './platform.js';
import { PresenceState, type PresenceOptions } from './presence.js';
import { runValidator, type ValidationResult } from './schema.js';
import { Store, patchObject, type ErrorSink, type Readable } from './store.js';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Message, PresenceEvent, SubscribedInfo, TransportConnection } from './transport.js';

export type ChannelStatus = 'idle' | 'subscribing' | 'subscribed' | 'failed';

export interface ChannelSnapshot {
  readonly status: ChannelStatus;
  /** Why the subscription failed (`CHANNEL_REFUSED`, …). */
  readonly error: RealtimeError | null;
  /** Resume cursor of the last message received. */
  readonly cursor: string | null;
}

export interface DiscontinuityInfo {
  readonly channel: string;
  /** `resume-failed`: resubscribed but the server could not replay from the cursor. `gap`: the server said so. */
  readonly reason: 'resume-failed' | 'gap';
}

export interface ChannelOptions {
  /** Wait this long after the last unsubscribe before leaving on the wire. Default 1500 ms. */
  lingerMs: number;
  /** Remember this many message ids per channel to drop duplicates. Default 1000. */
  dedupWindow: number;
}

export const DEFAULT_CHANNEL: Readonly<ChannelOptions> = /* @__PURE__ */ Object.freeze({ lingerMs: 1500, dedupWindow: 1000 });

type MessageListener = (message: Message) => void;

const IDLE: ChannelSnapshot = /* @__PURE__ */ Object.freeze({ status: 'idle', error: null, cursor: null });

/** Remembers the last N ids; O(1) per message. */
class DedupWindow {
  #seen = new Set<string>();
  #ring: (string | undefined)[];
  #pos = 0;
  constructor(size: number) {
    this.#ring = new Array<string | undefined>(size);
  }
  /** True if `id` was seen within the window; records it otherwise. */
  check(id: string): boolean {
    if (this.#ring.length === 0) return false;
    if (this.#seen.has(id)) return true;
    const evicted = this.#ring[this.#pos];
    if (evicted !== undefined) this.#seen.delete(evicted);
    this.#ring[this.#pos] = id;
    this.#seen.add(id);
    this.#pos = (this.#pos + 1) % this.#ring.length;
    return false;
  }
}

class ChannelState {
  refs = 0;
  linger: TimerHandle | null = null;
  onWire = false;
  /** Has been subscribed on some connection: a later resubscribe without resume is a gap. */
  live = false;
  cursor: string | null = null;
  readonly dedup: DedupWindow;
  readonly listeners = new Set<MessageListener>();
  readonly discontinuityListeners = new Set<(info: DiscontinuityInfo) => void>();
  readonly status: Store<ChannelSnapshot>;
  presence: PresenceState | null = null;
  /** This client's presence id on this channel, when the transport says it differs from the connection's. */
  memberId: string | null = null;
  /** Messages waiting behind an async schema validation, to keep order. */
  validating: Promise<void> | null = null;

  constructor(
    readonly name: string,
    dedupWindow: number,
    onError: ErrorSink,
  ) {
    this.dedup = new DedupWindow(dedupWindow);
    this.status = new Store<ChannelSnapshot>(IDLE, onError);
  }
}

export interface RegistryDeps {
  platform: Platform;
  logger: Logger;
  options: ChannelOptions;
  presenceOptions: PresenceOptions;
  transportName: string;
  validator: ((channel: string, event: string) => StandardSchemaV1 | undefined) | undefined;
  report: (error: RealtimeError) => void;
  onError: ErrorSink;
  stats: { received: number; duplicates: number; invalid: number; unknown: number };
  /** Some channel became (or stopped being) a reason to stay connected. */
  onDemandChange: () => void;
}

const RECENTLY_LEFT_MAX = 256;

/**
 * Ref-counted channels. The first subscriber subscribes on the wire; the last one leaves only after
 * `lingerMs`, so StrictMode double mounts and quick remounts cost zero network operations. After a
 * reconnect, every channel with subscribers is resubscribed exactly once, with its cursor.
 */
export class ChannelRegistry {
  #d: RegistryDeps;
  #states = new Map<string, ChannelState>();
  #conn: TransportConnection | null = null;
  #selfId: string | null = null;
  /** Channels left recently: late messages for them are expected, not an error. */
  #recentlyLeft = new Set<string>();

  constructor(deps: RegistryDeps) {
    this.#d = deps;
  }

  /** Any channel with subscribers, or lingering before it leaves. */
  get hasDemand(): boolean {
    for (const state of this.#states.values()) if (state.refs > 0 || state.linger !== null) return true;
    return false;
  }

  /** Channels known to the registry (live, lingering, or observed). */
  get size(): number {
    return this.#states.size;
  }

  /** Observes a channel's status without subscribing to it. Creates nothing until subscribed. */
  status(name: string): Readable<ChannelSnapshot> {
    return {
      subscribe: (listener) => {
        const state = this.#state(name);
        const off = state.status.subscribe(listener);
        return () => {
          off();
          this.#collect(state);
        };
      },
      getSnapshot: () => this.#states.get(name)?.status.getSnapshot() ?? IDLE,
    };
  }

  /** The presence state of a channel if it exists (no side effect). */
  peekPresence(name: string): PresenceState | undefined {
    return this.#states.get(name)?.presence ?? undefined;
  }

  /** Adds a subscriber reference; the first one subscribes on the wire. */
  acquire(name: string): () => void {
    const state = this.#state(name);
    state.refs++;
    if (state.linger !== null) {
      this.#d.platform.clearTimeout(state.linger);
      state.linger = null;
    }
    if (state.refs === 1) {
      if (!state.onWire) this.#subscribeOnWire(state);
      this.#d.onDemandChange();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release(state);
    };
  }

  /** Adds a message listener, holding a reference while it is registered. */
  listen(name: string, listener: MessageListener, since?: string | null): () => void {
    const state = this.#state(name);
    // A position the app already holds (its server-rendered snapshot), taken only while this client
    // has none of its own: the first subscribe resumes from it, and a failed resume is a gap.
    if (since && state.cursor === null && !state.live && !state.onWire) {
      state.cursor = since;
      state.live = true;
    }
    state.listeners.add(listener);
    const release = this.acquire(name);
    return () => {
      state.listeners.delete(listener);
      release();
    };
  }

  onDiscontinuity(name: string, listener: (info: DiscontinuityInfo) => void): () => void {
    const state = this.#state(name);
    state.discontinuityListeners.add(listener);
    return () => {
      state.discontinuityListeners.delete(listener);
      this.#collect(state);
    };
  }

  presence(name: string): PresenceState {
    const state = this.#state(name);
    if (!state.presence) {
      state.presence = new PresenceState({
        platform: this.#d.platform,
        options: this.#d.presenceOptions,
        onError: this.#d.onError,
        send: (op) => {
          const conn = this.#conn;
          if (!conn || !state.onWire || state.status.getSnapshot().status !== 'subscribed' || !conn.presence) return false;
          conn.presence(name, op);
          return true;
        },
      });
      state.presence.setSelfId(state.memberId ?? this.#selfId);
    }
    return state.presence;
  }

  /** The connection is protocol-ready: resubscribe every channel that has subscribers, once. */
  attach(conn: TransportConnection, selfId: string | null): void {
    this.#conn = conn;
    this.#selfId = selfId;
    this.#recentlyLeft.clear();
    for (const state of this.#states.values()) {
      state.memberId = null; // per connection: the transport tells it again when the channel is subscribed
      state.presence?.setSelfId(selfId);
      if (state.refs > 0) this.#subscribeOnWire(state);
    }
  }

  detach(): void {
    this.#conn = null;
    for (const state of this.#states.values()) {
      state.onWire = false;
      state.presence?.markStale();
      if (state.refs > 0) this.#setStatus(state, { status: 'subscribing', error: null });
    }
  }

  onSubscribed(name: string, info: SubscribedInfo = {}): void {
    const state = this.#states.get(name);
    if (!state || !state.onWire) return;
    if (info.cursor !== undefined) state.cursor = info.cursor;
    if (info.memberId !== undefined) {
      state.memberId = info.memberId;
      state.presence?.setSelfId(info.memberId);
    }
    const gap = state.live && info.resumed !== true;
    state.live = true;
    this.#setStatus(state, { status: 'subscribed', error: null, cursor: state.cursor });
    state.presence?.resume();
    if (gap) this.#discontinuity(state, 'resume-failed');
  }

  onSubscribeFailed(name: string, error: RealtimeError): void {
    const state = this.#states.get(name);
    if (!state) return;
    state.onWire = false;
    const reason = error.code === 'CHANNEL_REFUSED' ? error : new RealtimeError('CHANNEL_REFUSED', error.message, { cause: error, details: { ...error.details, channel: name } });
    this.#setStatus(state, { status: 'failed', error: reason });
    this.#d.report(reason);
  }

  onGap(name: string): void {
    const state = this.#states.get(name);
    if (state) this.#discontinuity(state, 'gap');
  }

  onPresence(name: string, event: PresenceEvent): void {
    const state = this.#states.get(name);
    if (!state) return this.#unknown(name, 'presence');
    (state.presence ?? this.presence(name)).apply(event);
  }

  /** Hot path: dedup, cursor, validation, delivery. */
  dispatch(message: Message): void {
    const stats = this.#d.stats;
    stats.received++;
    const state = this.#states.get(message.channel);
    if (!state) return this.#unknown(message.channel, message.event);
    if (message.id !== undefined && state.dedup.check(message.id)) {
      stats.duplicates++;
      return;
    }
    const cursor = message.cursor ?? message.id;
    if (cursor !== undefined) state.cursor = cursor;
    if (state.validating) {
      this.#enqueueValidated(state, message);
      return;
    }
    const schema = this.#d.validator?.(message.channel, message.event);
    if (!schema) return this.#deliver(state, message);
    const result = runValidator(schema, message.data);
    if (result instanceof Promise) {
      this.#enqueueValidated(state, message, result);
    } else {
      this.#afterValidation(state, message, result);
    }
  }

  /** Leaves every channel and forgets everything (client destroyed). */
  dispose(): void {
    for (const state of this.#states.values()) {
      if (state.linger !== null) this.#d.platform.clearTimeout(state.linger);
      state.presence?.dispose();
      state.status.clear();
      state.listeners.clear();
      state.discontinuityListeners.clear();
    }
    this.#states.clear();
    this.#conn = null;
  }

  #state(name: string): ChannelState {
    let state = this.#states.get(name);
    if (!state) {
      state = new ChannelState(name, this.#d.options.dedupWindow, this.#d.onError);
      this.#states.set(name, state);
      this.#recentlyLeft.delete(name);
    }
    return state;
  }

  /** Forgets a channel that is neither wanted nor observed any more. */
  #collect(state: ChannelState): void {
    if (state.refs > 0 || state.linger !== null || state.onWire || this.#states.get(state.name) !== state) return;
    if (state.status.listenerCount > 0 || state.discontinuityListeners.size > 0 || (state.presence?.listenerCount ?? 0) > 0) return;
    state.presence?.dispose();
    this.#states.delete(state.name);
  }

  #release(state: ChannelState): void {
    if (state.refs <= 0) return;
    state.refs--;
    if (state.refs > 0 || this.#states.get(state.name) !== state) return;
    state.linger = this.#d.platform.setTimeout(() => this.#leave(state), this.#d.options.lingerMs);
  }

  #leave(state: ChannelState): void {
    state.linger = null;
    if (state.refs > 0 || this.#states.get(state.name) !== state) return;
    if (state.onWire && this.#conn) {
      try {
        this.#conn.unsubscribe(state.name);
      } catch (error) {
        this.#d.report(toRealtimeError(error, 'CONNECTION_LOST', { channel: state.name }));
      }
    }
    state.onWire = false;
    state.listeners.clear();
    this.#recentlyLeft.add(state.name);
    if (this.#recentlyLeft.size > RECENTLY_LEFT_MAX) {
      const oldest = this.#recentlyLeft.values().next().value;
      if (oldest !== undefined) this.#recentlyLeft.delete(oldest);
    }
    this.#setStatus(state, { status: 'idle', error: null });
    this.#collect(state);
    this.#d.onDemandChange();
  }

  #subscribeOnWire(state: ChannelState): void {
    const conn = this.#conn;
    if (!conn) {
      this.#setStatus(state, { status: 'subscribing', error: null });
      return;
    }
    state.onWire = true;
    this.#setStatus(state, { status: 'subscribing', error: null });
    try {
      conn.subscribe(state.name, { cursor: state.cursor });
    } catch (error) {
      state.onWire = false;
      this.#d.report(toRealtimeError(error, 'CONNECTION_LOST', { channel: state.name }));
    }
  }

  #setStatus(state: ChannelState, patch: Partial<ChannelSnapshot>): void {
    state.status.set(patchObject(state.status.getSnapshot(), patch));
  }

  #discontinuity(state: ChannelState, reason: DiscontinuityInfo['reason']): void {
    this.#d.logger.debug(`discontinuity on ${state.name} (${reason})`);
    const info: DiscontinuityInfo = Object.freeze({ channel: state.name, reason });
    for (const listener of [...state.discontinuityListeners]) {
      try {
        listener(info);
      } catch (error) {
        this.#d.report(toRealtimeError(error, 'HANDLER_ERROR', { channel: state.name }));
      }
    }
  }

  #unknown(channel: string, event: string): void {
    this.#d.stats.unknown++;
    if (this.#recentlyLeft.has(channel)) {
      this.#d.logger.debug(`late ${event} for left channel ${channel} dropped`);
      return;
    }
    this.#d.report(new RealtimeError('UNKNOWN_CHANNEL', `Received "${event}" for "${channel}", which this client is not subscribed to.`, { details: { channel, event, transport: this.#d.transportName } }));
  }

  #enqueueValidated(state: ChannelState, message: Message, pending?: Promise<ValidationResult>): void {
    const schema = pending ? undefined : this.#d.validator?.(message.channel, message.event);
    const run = (): Promise<void> | void => {
      const result = pending ?? (schema ? runValidator(schema, message.data) : { ok: true as const, value: message.data });
      return Promise.resolve(result).then(
        (r) => this.#afterValidation(state, message, r),
        (error: unknown) => this.#afterValidation(state, message, { ok: false, issues: [{ message: String(error) }] }),
      );
    };
    const chain: Promise<void> = (state.validating ?? Promise.resolve()).then(run).finally(() => {
      if (state.validating === chain) state.validating = null;
    });
    state.validating = chain;
  }

  #afterValidation(state: ChannelState, message: Message, result: ValidationResult): void {
    if (result.ok) {
      this.#deliver(state, result.value === message.data ? message : { ...message, data: result.value });
      return;
    }
    this.#d.stats.invalid++;
    this.#d.report(
      new RealtimeError('INVALID_PAYLOAD', `Invalid "${message.event}" payload on "${message.channel}": ${result.issues.map((i) => i.message).join('; ')}`, {
        details: { channel: message.channel, event: message.event, issues: result.issues, id: message.id },
      }),
    );
  }

  #deliver(state: ChannelState, message: Message): void {
    for (const listener of state.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.#d.report(toRealtimeError(error, 'HANDLER_ERROR', { channel: message.channel, event: message.event }));
      }
    }
  }
}
