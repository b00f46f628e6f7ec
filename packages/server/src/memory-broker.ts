import { randomBytes } from 'node:crypto';
import type { Broker, BrokerEvent, BrokerMessage, HistoryResult, PresenceEntry, PresenceList, PublishInput, PublishOutcome } from './broker.js';
import { systemClock, type ServerClock } from './clock.js';
import { PresenceRegistry } from './presence-registry.js';

export interface MemoryBrokerOptions {
  /** Messages kept per channel for resume. Default 1000; 0 keeps none (every resume is a gap). */
  historySize?: number;
  /** A resend with the same client id within this window is acked, not published again. Default 5 min. */
  dedupWindowMs?: number;
  /** Most client ids remembered for dedup (oldest forgotten first). Default 100 000. */
  dedupMax?: number;
  clock?: ServerClock;
}

interface ChannelState {
  seq: number;
  /** Highest sequence number evicted from history; a cursor below it cannot be resumed. */
  evictedUpTo: number;
  readonly history: Ring<{ seq: number; message: BrokerMessage }>;
  readonly listeners: Set<(event: BrokerEvent) => void>;
}

/** Fixed-capacity ring buffer, oldest first. */
class Ring<T> {
  #items: (T | undefined)[];
  #start = 0;
  length = 0;
  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }
  /** Appends; returns the evicted item when full. */
  push(item: T): T | undefined {
    if (this.capacity === 0) return item;
    if (this.length < this.capacity) {
      this.#items[(this.#start + this.length++) % this.capacity] = item;
      return undefined;
    }
    const evicted = this.#items[this.#start];
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }
  at(index: number): T {
    return this.#items[(this.#start + index) % this.capacity] as T;
  }
}

/**
 * The in-memory broker: one process, fan-out to local listeners, a history ring buffer per channel for
 * resume, publish dedup by client id within a window, and a presence registry with timeouts.
 *
 * Offsets are `<epoch>.<n>`: `n` counts up per channel (0 before the first message) and the epoch is
 * random per broker instance, so after a restart old cursors are recognised as foreign instead of
 * colliding with new offsets: the client is told "not resumed" (a discontinuity: what the old process
 * held is gone) and gets everything published since the restart — so what an offline client's outbox
 * sent to the restarted server reaches the clients that come back after it. A channel's state is only
 * forgotten while it has no listener and no message, so `n` never goes back.
 */
export class MemoryBroker implements Broker {
  readonly #historySize: number;
  readonly #dedupWindowMs: number;
  readonly #dedupMax: number;
  readonly #clock: ServerClock;
  readonly #channels = new Map<string, ChannelState>();
  readonly #dedup = new Map<string, { offset: string; at: number }>();
  readonly #presence: PresenceRegistry;
  /** Random per broker instance: offsets of a restarted broker never collide with old ones. */
  readonly #epoch = randomBytes(5).readUIntBE(0, 5).toString(36);
  #closed = false;

  constructor(options: MemoryBrokerOptions = {}) {
    this.#historySize = Math.max(0, Math.floor(options.historySize ?? 1000));
    this.#dedupWindowMs = options.dedupWindowMs ?? 5 * 60_000;
    this.#dedupMax = options.dedupMax ?? 100_000;
    this.#clock = options.clock ?? systemClock;
    this.#presence = new PresenceRegistry(this.#clock, (event) => this.#fanOut(event.channel, event));
  }

  async publish(input: PublishInput): Promise<PublishOutcome> {
    const state = this.#state(input.channel);
    const now = this.#clock.now();
    const key = !input.volatile && input.clientMessageId !== undefined ? `${input.channel}\u0000${input.clientMessageId}` : undefined;
    if (key !== undefined) {
      this.#purgeDedup(now);
      const seen = this.#dedup.get(key);
      if (seen) return { offset: seen.offset, duplicate: true };
    }
    const seq = ++state.seq;
    const offset = `${this.#epoch}.${seq}`;
    const message: BrokerMessage = {
      channel: input.channel,
      offset,
      event: input.event,
      data: input.data,
      ts: now,
      ...(input.clientMessageId === undefined ? {} : { clientMessageId: input.clientMessageId }),
    };
    if (!input.volatile) {
      const evicted = state.history.push({ seq, message });
      if (evicted) state.evictedUpTo = evicted.seq;
      if (key !== undefined) {
        this.#dedup.set(key, { offset, at: now });
        if (this.#dedup.size > this.#dedupMax) this.#dedup.delete(this.#dedup.keys().next().value as string);
      }
    }
    this.#fanOut(input.channel, { kind: 'message', message });
    return { offset, duplicate: false };
  }

  async history(channel: string, cursor: string | null): Promise<HistoryResult> {
    // A channel never published to is at `<epoch>.0`: a client subscribed to it resumes from there.
    const state = this.#channels.get(channel) ?? { seq: 0, evictedUpTo: 0, history: new Ring<{ seq: number; message: BrokerMessage }>(0) };
    const head = `${this.#epoch}.${state.seq}`;
    if (cursor === null) return { resumed: false, messages: [], head };
    const dot = cursor.lastIndexOf('.');
    const epoch = cursor.slice(0, dot);
    const seq = Number(cursor.slice(dot + 1));
    if (dot < 0 || !Number.isSafeInteger(seq) || seq < 0) return { resumed: false, messages: [], head };
    if (epoch !== this.#epoch) {
      // A cursor of an earlier broker (this process restarted): nothing this broker holds was ever
      // delivered to that client, so all of it follows — if none of it was evicted yet.
      const messages = state.evictedUpTo > 0 ? [] : this.#after(state, 0);
      return messages.length > 0 ? { resumed: false, messages, head, from: `${this.#epoch}.0` } : { resumed: false, messages, head };
    }
    if (seq > state.seq || seq < state.evictedUpTo) return { resumed: false, messages: [], head };
    return { resumed: true, messages: this.#after(state, seq), head };
  }

  /** History entries after `seq`, oldest first. */
  #after(state: Pick<ChannelState, 'history'>, seq: number): BrokerMessage[] {
    const ring = state.history;
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ring.at(mid).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    const messages: BrokerMessage[] = [];
    for (let i = lo; i < ring.length; i++) messages.push(ring.at(i).message);
    return messages;
  }

  async subscribe(channel: string, listener: (event: BrokerEvent) => void): Promise<() => void> {
    const state = this.#state(channel);
    state.listeners.add(listener);
    return () => {
      state.listeners.delete(listener);
      this.#collect(channel, state);
    };
  }

  async presenceSet(channel: string, entry: PresenceEntry, ttlMs: number): Promise<void> {
    if (!this.#closed) this.#presence.set(channel, entry, ttlMs);
  }

  async presenceTouch(session: string, channels: readonly string[], ttlMs: number): Promise<void> {
    this.#presence.touch(session, channels, ttlMs);
  }

  async presenceRemove(channel: string, session: string): Promise<void> {
    this.#presence.remove(channel, session);
  }

  async presenceList(channel: string): Promise<PresenceList> {
    return this.#presence.list(channel);
  }

  /** Number of live (channel, listener) subscriptions: for tests and metrics. */
  get listenerCount(): number {
    let n = 0;
    for (const state of this.#channels.values()) n += state.listeners.size;
    return n;
  }

  /** Number of (channel, session) presence entries. */
  get presenceCount(): number {
    return this.#presence.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#presence.close();
    for (const state of this.#channels.values()) state.listeners.clear();
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel);
    if (!state) {
      state = { seq: 0, evictedUpTo: 0, history: new Ring(this.#historySize), listeners: new Set() };
      this.#channels.set(channel, state);
    }
    return state;
  }

  /** Forgets a channel nobody listens to and that has nothing to resume. */
  #collect(channel: string, state: ChannelState): void {
    if (state.listeners.size === 0 && state.seq === 0 && this.#channels.get(channel) === state) this.#channels.delete(channel);
  }

  #fanOut(channel: string, event: BrokerEvent): void {
    const state = this.#channels.get(channel);
    if (!state) return;
    for (const listener of [...state.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener must not break fan-out to the others (listeners are the server's own code).
      }
    }
  }

  #purgeDedup(now: number): void {
    for (const [key, entry] of this.#dedup) {
      if (now - entry.at < this.#dedupWindowMs) break;
      this.#dedup.delete(key);
    }
  }
}

/** Creates the in-memory broker (the default of every server-kit entry point). */
export function createMemoryBroker(options?: MemoryBrokerOptions): MemoryBroker {
  return new MemoryBroker(options);
}
