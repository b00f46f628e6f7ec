import { backoffDelay, hintedDelay } from './backoff.js';
import { QueueFullError, RealtimeError, TimeoutError, isRealtimeError, toRealtimeError, type RealtimeErrorCode } from './errors.js';
import type { Platform, TimerHandle } from './platform.js';
import type { OutboxStorage, StoredOutboxEntry } from './storage/types.js';
import type { Listener, Readable, Unsubscribe } from './store.js';
import type { TransportConnection } from './transport.js';

export interface OutboxOptions {
  /** Most messages waiting for an ack. Default 1000; the next publish rejects with `QueueFullError`. */
  maxMessages: number;
  /** Most bytes (UTF-8 JSON of the payloads) waiting for an ack. Default 1 MiB. */
  maxBytes: number;
  /** A message not acknowledged this long after `publish()` fails with `TimeoutError`. Default 120 s. */
  ttlMs: number;
  /** Largest single payload. Default 64 KiB; larger rejects with `FRAME_TOO_LARGE`. */
  maxMessageBytes: number;
  /** Persist unacknowledged messages (e.g. `indexedDBStorage()`), so a reload loses nothing. */
  storage?: OutboxStorage;
}

export const DEFAULT_OUTBOX: Readonly<Omit<OutboxOptions, 'storage'>> = /* @__PURE__ */ Object.freeze({
  maxMessages: 1000,
  maxBytes: 1024 * 1024,
  ttlMs: 120_000,
  maxMessageBytes: 64 * 1024,
});

export interface PublishOptions {
  /** Fire-and-forget (cursor moves, typing): never queued, no ack awaited, dropped while offline. */
  volatile?: boolean;
  /** Time to live of this message instead of the outbox default. */
  ttlMs?: number;
  /** Your own idempotency key instead of a generated one. */
  id?: string;
}

/**
 * `acked`: the server confirmed it (at-least-once, deduplicated by id on the server).
 * `sent`: written to a transport without acks (at-most-once).
 * `dropped`: a volatile message published while not connected.
 */
export interface PublishResult {
  readonly id: string;
  readonly status: 'acked' | 'sent' | 'dropped';
}

export type OutboxEntryState = 'queued' | 'sending' | 'failed';

export interface OutboxEntry {
  readonly id: string;
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  readonly state: OutboxEntryState;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** How many times it was written to a connection. */
  readonly attempts: number;
  readonly bytes: number;
  readonly error: RealtimeError | null;
}

export interface OutboxSnapshot {
  /** Waiting for an ack, oldest first (`queued` while offline, `sending` once written). */
  readonly pending: readonly OutboxEntry[];
  /** Failed (nack, timeout, suspended); `retry(id)` or `discard(id)` them. Most recent last. */
  readonly failed: readonly OutboxEntry[];
  /** Bytes of the pending payloads. */
  readonly bytes: number;
}

interface OutboxRecord {
  entry: OutboxEntry;
  seq: number;
  /** After a transient nack: not before this wall-clock time. */
  retryAt?: number;
  resolve: (result: PublishResult) => void;
  reject: (error: RealtimeError) => void;
}

export interface OutboxDeps {
  platform: Platform;
  nextId: () => string;
  /** The transport acknowledges publishes. */
  acks: boolean;
  report: (error: RealtimeError) => void;
  /** Pending became empty or non-empty (connection demand). */
  onDemandChange: () => void;
}

/** Nacks that say "not now" rather than "no": the message is resent later. */
const TRANSIENT = new Set<RealtimeErrorCode>(['SERVER_ERROR', 'RATE_LIMITED']);
const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 30_000;

const EMPTY: OutboxSnapshot = /* @__PURE__ */ Object.freeze({ pending: /* @__PURE__ */ Object.freeze([]), failed: /* @__PURE__ */ Object.freeze([]), bytes: 0 });
const noop = () => {};

/**
 * FIFO of messages waiting for an ack. A message leaves only when acked (or fails); after a reconnect
 * everything unacked is resent in order with the same id. Observable for "sending…" UIs.
 */
export class Outbox implements Readable<OutboxSnapshot> {
  #o: Omit<OutboxOptions, 'storage'>;
  #storage: OutboxStorage | undefined;
  #d: OutboxDeps;
  #pending = new Map<string, OutboxRecord>();
  #failed = new Map<string, OutboxEntry>();
  #bytes = 0;
  #conn: TransportConnection | null = null;
  #hydrated: boolean;
  #lastSeq = 0;
  #ttlTimer: TimerHandle | null = null;
  #retryTimer: TimerHandle | null = null;
  #ttlAt = Infinity;
  #closed = false;
  #listeners = new Set<Listener>();
  #version = 0;
  #snapshotVersion = 0;
  #snapshot: OutboxSnapshot = EMPTY;
  #notifyQueued = false;

  constructor(options: OutboxOptions, deps: OutboxDeps) {
    const { storage, ...rest } = options;
    this.#o = rest;
    this.#storage = storage;
    this.#d = deps;
    this.#hydrated = !storage;
  }

  get hasPending(): boolean {
    return this.#pending.size > 0;
  }

  get hydrated(): boolean {
    return this.#hydrated;
  }

  readonly subscribe = (listener: Listener): Unsubscribe => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): OutboxSnapshot => {
    if (this.#snapshotVersion !== this.#version) {
      this.#snapshotVersion = this.#version;
      this.#snapshot = Object.freeze({
        pending: Object.freeze([...this.#pending.values()].map((r) => r.entry)),
        failed: Object.freeze([...this.#failed.values()]),
        bytes: this.#bytes,
      });
    }
    return this.#snapshot;
  };

  /** Loads persisted messages (older than anything published since) and sends them when connected. */
  async hydrate(): Promise<void> {
    if (this.#hydrated || !this.#storage) return;
    let stored: readonly StoredOutboxEntry[] = [];
    try {
      stored = await this.#storage.load();
    } catch (error) {
      this.#d.report(toRealtimeError(error, 'STORAGE_ERROR'));
    }
    if (this.#closed) return;
    const restored = new Map<string, OutboxRecord>();
    for (const s of [...stored].sort((a, b) => a.seq - b.seq)) {
      if (this.#pending.has(s.id) || restored.has(s.id)) continue;
      const bytes = jsonBytes(s.data) ?? 0;
      const entry: OutboxEntry = Object.freeze({
        id: s.id,
        channel: s.channel,
        event: s.event,
        data: s.data,
        state: 'queued',
        createdAt: s.createdAt,
        expiresAt: s.expiresAt,
        attempts: 0,
        bytes,
        error: null,
      });
      restored.set(s.id, { entry, seq: s.seq, resolve: noop, reject: noop });
      this.#bytes += bytes;
      this.#lastSeq = Math.max(this.#lastSeq, s.seq);
    }
    this.#pending = new Map([...restored, ...this.#pending]);
    this.#hydrated = true;
    this.#expire();
    this.#armTtl();
    this.#changed();
    this.#d.onDemandChange();
    if (this.#conn) this.#flush();
  }

  publish(channel: string, event: string, data: unknown, options: PublishOptions = {}, suspended = false): Promise<PublishResult> {
    const promise = this.#publish(channel, event, data, options, suspended);
    // Fire-and-forget callers must not produce unhandled rejections: the failure is in `failed`.
    promise.catch(noop);
    return promise;
  }

  #publish(channel: string, event: string, data: unknown, options: PublishOptions, suspended: boolean): Promise<PublishResult> {
    const details = { channel, event };
    if (this.#closed) return Promise.reject(new RealtimeError('CLOSED', 'The client is closed.', { details }));
    const bytes = jsonBytes(data);
    if (bytes === undefined) {
      return Promise.reject(new RealtimeError('INVALID_PAYLOAD', 'The payload is not JSON-serialisable.', { details }));
    }
    if (bytes > this.#o.maxMessageBytes) {
      return Promise.reject(
        new RealtimeError('FRAME_TOO_LARGE', `The payload is ${bytes} bytes; the limit is ${this.#o.maxMessageBytes}.`, {
          details: { ...details, bytes, limit: this.#o.maxMessageBytes },
        }),
      );
    }
    const id = options.id ?? this.#d.nextId();
    if (options.volatile) {
      if (!this.#conn || suspended) return Promise.resolve({ id, status: 'dropped' });
      try {
        this.#conn.publish({ id, channel, event, data, volatile: true });
      } catch (error) {
        this.#d.report(toRealtimeError(error, 'CONNECTION_LOST', { ...details, messageId: id }));
        return Promise.resolve({ id, status: 'dropped' });
      }
      return Promise.resolve({ id, status: 'sent' });
    }
    const existing = this.#pending.get(id);
    if (existing) {
      return new Promise((resolve, reject) => {
        const { resolve: r0, reject: j0 } = existing;
        existing.resolve = (v) => (r0(v), resolve(v));
        existing.reject = (e) => (j0(e), reject(e));
      });
    }
    const now = this.#d.platform.now();
    const entry: OutboxEntry = Object.freeze({
      id,
      channel,
      event,
      data,
      state: 'queued',
      createdAt: now,
      expiresAt: now + (options.ttlMs ?? this.#o.ttlMs),
      attempts: 0,
      bytes,
      error: null,
    });
    if (suspended) {
      const error = new RealtimeError('SUSPENDED', 'Disconnected too long: not queued.', { details: { ...details, messageId: id } });
      this.#addFailed({ ...entry, state: 'failed', error });
      return Promise.reject(error);
    }
    if (this.#pending.size >= this.#o.maxMessages || this.#bytes + bytes > this.#o.maxBytes) {
      return Promise.reject(
        new QueueFullError(
          `The outbox is full (${this.#pending.size} messages, ${this.#bytes} bytes; limits ${this.#o.maxMessages} / ${this.#o.maxBytes}).`,
          { details: { ...details, messageId: id, limit: this.#o.maxMessages, maxBytes: this.#o.maxBytes } },
        ),
      );
    }
    return new Promise<PublishResult>((resolve, reject) => {
      const seq = (this.#lastSeq = Math.max(this.#lastSeq + 1, now));
      const record: OutboxRecord = { entry, seq, resolve, reject };
      const wasEmpty = this.#pending.size === 0;
      this.#pending.set(id, record);
      this.#bytes += bytes;
      this.#persist(record);
      this.#armTtl();
      this.#changed();
      if (this.#conn && this.#hydrated) this.#send(record);
      if (wasEmpty && this.#pending.has(id)) this.#d.onDemandChange();
    });
  }

  /** The connection is protocol-ready: resend everything unacked, in order, with the same ids. */
  attach(conn: TransportConnection): void {
    this.#conn = conn;
    if (this.#hydrated) this.#flush();
  }

  /** The connection is gone: everything written but unacked goes back to `queued`. */
  detach(): void {
    this.#conn = null;
    let changed = false;
    for (const record of this.#pending.values()) {
      if (record.entry.state === 'sending') {
        record.entry = Object.freeze({ ...record.entry, state: 'queued' });
        changed = true;
      }
    }
    if (changed) this.#changed();
  }

  ack(id: string): void {
    const record = this.#pending.get(id);
    // Unknown ids are acks for messages already settled (a resend acked twice): nothing to do.
    if (record) this.#settle(record, { id, status: 'acked' });
  }

  /**
   * The server refused the message. A transient refusal (SERVER_ERROR, RATE_LIMITED: the server's
   * broker is down, or it is busy) keeps the message and resends it after a backoff — or the server's
   * `retryAfterMs` — within its time to live. Anything else fails it with the server's own code.
   */
  nack(id: string, error: RealtimeError): void {
    const record = this.#pending.get(id);
    if (!record) return;
    const reason = error.details.messageId === id ? error : new RealtimeError(error.code, error.message, { cause: error, details: { ...error.details, messageId: id } });
    const { platform } = this.#d;
    if (TRANSIENT.has(reason.code) && record.entry.expiresAt > platform.now()) {
      const hint = reason.details.retryAfterMs;
      const delay =
        typeof hint === 'number' && hint >= 0
          ? hintedDelay(hint, RETRY_CAP_MS, platform.random)
          : RETRY_BASE_MS + backoffDelay(record.entry.attempts - 1, 1000, RETRY_CAP_MS, platform.random);
      record.retryAt = platform.now() + delay;
      record.entry = Object.freeze({ ...record.entry, state: 'queued', error: reason });
      this.#changed();
      this.#armRetry();
      return;
    }
    this.#fail(record, reason);
  }

  /** Puts a failed message back at the end of the queue (same id), sending it when connected. */
  retry(id: string): Promise<PublishResult> {
    const failed = this.#failed.get(id);
    if (!failed) return Promise.reject(new RealtimeError('PUBLISH_REJECTED', `No failed message with id ${id}.`, { details: { messageId: id } }));
    this.#failed.delete(id);
    this.#changed();
    return this.publish(failed.channel, failed.event, failed.data, { id });
  }

  /** Forgets a failed message. */
  discard(id: string): void {
    if (this.#failed.delete(id)) this.#changed();
  }

  /** Rejects everything pending with `CLOSED`. Persisted copies stay for the next session. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn = null;
    if (this.#ttlTimer !== null) this.#d.platform.clearTimeout(this.#ttlTimer);
    this.#ttlTimer = null;
    if (this.#retryTimer !== null) this.#d.platform.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const records = [...this.#pending.values()];
    this.#pending.clear();
    this.#bytes = 0;
    const error = new RealtimeError('CLOSED', 'The client was destroyed before the message was acknowledged.');
    for (const record of records) record.reject(error);
    this.#changed();
    this.#listeners.clear();
  }

  #flush(): void {
    this.#expire();
    for (const record of [...this.#pending.values()]) {
      if (!this.#conn) return;
      // A new connection is a fresh start, also for messages waiting after a transient nack.
      delete record.retryAt;
      if (record.entry.state === 'queued' && this.#pending.has(record.entry.id)) this.#send(record);
    }
    this.#armRetry();
  }

  /** One timer for the earliest message waiting after a transient nack. */
  #armRetry(): void {
    const { platform } = this.#d;
    if (this.#retryTimer !== null) platform.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    let earliest = Infinity;
    for (const record of this.#pending.values()) if (record.retryAt !== undefined) earliest = Math.min(earliest, record.retryAt);
    if (earliest === Infinity) return;
    this.#retryTimer = platform.setTimeout(() => {
      this.#retryTimer = null;
      const now = platform.now();
      for (const record of [...this.#pending.values()]) {
        if (record.retryAt === undefined || record.retryAt > now) continue;
        delete record.retryAt;
        if (this.#conn && this.#hydrated && record.entry.state === 'queued') this.#send(record);
      }
      this.#armRetry();
    }, Math.max(0, earliest - platform.now()));
  }

  #send(record: OutboxRecord): void {
    const conn = this.#conn;
    if (!conn) return;
    const { id, channel, event, data } = record.entry;
    record.entry = Object.freeze({ ...record.entry, state: 'sending', attempts: record.entry.attempts + 1 });
    this.#changed();
    try {
      conn.publish({ id, channel, event, data, volatile: false });
    } catch (error) {
      if (isRealtimeError(error) && (error.code === 'CONNECTION_LOST' || error.code === 'CLOSED')) {
        // The connection broke under us: nothing is lost, it stays queued and is resent after the
        // reconnect (the transport reports the drop itself).
        record.entry = Object.freeze({ ...record.entry, state: 'queued' });
        this.#changed();
        return;
      }
      // Anything else is about this message, and would fail again: fail it, visibly.
      this.#fail(record, toRealtimeError(error, 'PUBLISH_REJECTED', { channel, event, messageId: id }));
      return;
    }
    if (!this.#d.acks) this.#settle(record, { id, status: 'sent' });
  }

  #settle(record: OutboxRecord, result: PublishResult): void {
    this.#remove(record);
    record.resolve(result);
  }

  #fail(record: OutboxRecord, error: RealtimeError): void {
    this.#remove(record);
    this.#addFailed({ ...record.entry, state: 'failed', error });
    record.reject(error);
  }

  #remove(record: OutboxRecord): void {
    const { id, bytes } = record.entry;
    if (!this.#pending.delete(id)) return;
    this.#bytes -= bytes;
    if (this.#storage) this.#storageOp(() => this.#storage?.delete(id));
    this.#changed();
    if (this.#pending.size === 0) {
      // Nothing left to expire or retry. Otherwise the timers stay: when they fire they rescan and re-arm.
      this.#armTtl();
      this.#armRetry();
      this.#d.onDemandChange();
    }
  }

  #addFailed(entry: OutboxEntry): void {
    this.#failed.delete(entry.id);
    this.#failed.set(entry.id, Object.freeze(entry));
    // Bounded like the queue: the oldest failure is forgotten first.
    while (this.#failed.size > this.#o.maxMessages) {
      const oldest = this.#failed.keys().next().value;
      if (oldest === undefined) break;
      this.#failed.delete(oldest);
    }
    this.#changed();
  }

  #persist(record: OutboxRecord): void {
    if (!this.#storage) return;
    const { id, channel, event, data, createdAt, expiresAt } = record.entry;
    const stored: StoredOutboxEntry = { id, seq: record.seq, channel, event, data, createdAt, expiresAt };
    this.#storageOp(() => this.#storage?.put(stored));
  }

  #storageOp(op: () => Promise<void> | void): void {
    try {
      const result = op();
      if (result) result.catch((error: unknown) => this.#d.report(toRealtimeError(error, 'STORAGE_ERROR')));
    } catch (error) {
      this.#d.report(toRealtimeError(error, 'STORAGE_ERROR'));
    }
  }

  /** Fails every pending message whose time to live is over (wall clock). */
  #expire(): void {
    const now = this.#d.platform.now();
    for (const record of [...this.#pending.values()]) {
      if (record.entry.expiresAt <= now) {
        const { id, channel, event } = record.entry;
        this.#fail(record, new TimeoutError(`Not acknowledged within its time to live.`, { details: { messageId: id, channel, event } }));
      }
    }
  }

  #armTtl(): void {
    let earliest = Infinity;
    for (const record of this.#pending.values()) earliest = Math.min(earliest, record.entry.expiresAt);
    if (earliest === this.#ttlAt) return;
    const { platform } = this.#d;
    if (this.#ttlTimer !== null) platform.clearTimeout(this.#ttlTimer);
    this.#ttlTimer = null;
    this.#ttlAt = earliest;
    if (earliest === Infinity) return;
    this.#ttlTimer = platform.setTimeout(() => {
      this.#ttlTimer = null;
      this.#ttlAt = Infinity;
      this.#expire();
      this.#armTtl();
    }, Math.max(0, earliest - platform.now()));
  }

  /** Marks the snapshot stale and notifies once per microtask, however many changes a burst makes. */
  #changed(): void {
    this.#version++;
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch (error) {
          this.#d.report(toRealtimeError(error, 'HANDLER_ERROR'));
        }
      }
    });
  }
}

/** UTF-8 byte length of `JSON.stringify(value)`, or `undefined` if it cannot be serialised. */
export function jsonBytes(value: unknown): number | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (json === undefined) return value === undefined ? 0 : undefined;
  let bytes = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
