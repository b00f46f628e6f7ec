import { randomBytes } from 'node:crypto';
import { RealtimeError } from '@switchboard/core/protocol';
import { Redis, type RedisOptions } from 'ioredis';
import type { Broker, BrokerEvent, BrokerHealth, HistoryResult, PresenceEntry, PresenceList, PublishInput, PublishOutcome } from '../broker.js';
import { every, systemClock, type ServerClock } from '../clock.js';
import { compareIds, decodeEntry, encodePayload, parseOffset } from './codec.js';
import { Fanout, type Position } from './fanout.js';
import { PresenceMirror } from './presence-mirror.js';
import { SCRIPTS } from './scripts.js';

export interface RedisBrokerOptions {
  /** `redis://[:password@]host:port[/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** More ioredis options (TLS, Sentinel, username…). The broker sets its own reconnect behaviour. */
  redis?: RedisOptions;
  /** Prefix of every key and pub/sub channel, so several apps can share a Redis. Default `switchboard:`. */
  prefix?: string;
  /** Messages kept per channel (a Redis Stream) for resume, on any process. Default 1000. */
  historySize?: number;
  /** A resend with the same client id within this window is acked, not published again — across processes. Default 5 min. */
  dedupWindowMs?: number;
  /** How long an operation waits for a lost Redis before failing with `SERVER_ERROR`. Default 5 s. */
  offlineTimeoutMs?: number;
  /** How often this process removes expired presence entries (of any process). Default 1 s. */
  presenceSweepMs?: number;
  clock?: ServerClock;
  /** Connection problems and ignored input. Default: `console.error`, once per outage. */
  onError?: (error: unknown) => void;
}

type Conn = 'command' | 'subscriber';

/**
 * The Redis broker: several server processes behind one load balancer, no sticky sessions.
 *
 * - **Fan-out**: every message and presence change goes through Redis pub/sub; each process holds one
 *   Redis subscription per channel its clients listen to.
 * - **History**: a Redis Stream per channel (`historySize` messages), so a client resumes on whichever
 *   process it reconnects to. Offsets are `<epoch>.<stream id>`; the epoch lives in Redis and changes
 *   only when Redis loses its data, which turns old cursors into an honest gap.
 * - **Dedup**: a publish's client id is remembered in Redis for `dedupWindowMs`, so an outbox resend to
 *   another process is acked with the first offset instead of published twice.
 * - **Presence**: shared in Redis with an expiry per session; entries of a process that died are not
 *   refreshed and expire (any process sweeps them and announces the `leave`).
 * - **Redis down**: clients stay connected; operations wait up to `offlineTimeoutMs`, then fail with
 *   `SERVER_ERROR`; `health()` says `degraded`. When Redis is back, each channel catches up from its
 *   stream (nothing published within the history window is lost), presence is written again and
 *   re-synced, and a channel whose history was lost tells its subscribers to reconnect (`reset`).
 *
 * Needs Redis ≥ 5 (Streams), a single node or Sentinel; not Redis Cluster. Configure `maxmemory-policy
 * noeviction` (evicted streams would lose messages silently) and persistence (AOF) if a Redis restart
 * must not cost clients a gap.
 *
 * @example
 * import { createHub, createRedisBroker } from '@switchboard/server';
 *
 * const hub = createHub({ broker: createRedisBroker({ url: process.env.REDIS_URL }), secret: process.env.SWITCHBOARD_SECRET });
 */
export class RedisBroker implements Broker {
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #historySize: number;
  readonly #dedupWindowMs: number;
  readonly #offlineTimeoutMs: number;
  readonly #clock: ServerClock;
  readonly #onError: (error: unknown) => void;
  readonly #fanout: Fanout;
  readonly #mirror = new PresenceMirror();
  readonly #stopSweep: () => void;
  /** Offered as the epoch if Redis has none yet; the first process to ask wins. */
  readonly #candidate = randomBytes(5).readUIntBE(0, 5).toString(36);
  /** Connections that were ready once and then lost (they are `recovering` until caught up). */
  readonly #lost = new Set<Conn>();
  #reported = false;
  #closed = false;
  /** Presence writes landed only in the mirror (Redis was not ready): write them when it is. */
  #presenceDirty = false;
  /** Times a connection came back after being lost. */
  reconnects = 0;

  constructor(options: RedisBrokerOptions = {}) {
    this.#prefix = options.prefix ?? 'switchboard:';
    this.#historySize = Math.max(0, Math.floor(options.historySize ?? 1000));
    this.#dedupWindowMs = options.dedupWindowMs ?? 5 * 60_000;
    this.#offlineTimeoutMs = options.offlineTimeoutMs ?? 5000;
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? ((error: unknown) => console.error('[switchboard/redis]', error));
    const redisOptions: RedisOptions = {
      ...options.redis,
      // Commands fail at once while disconnected (the broker waits for `ready` itself, bounded), and an
      // unanswered command is never resent behind our back: a retry is the broker's decision.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000) * (0.5 + Math.random() / 2),
    };
    this.#cmd = options.url ? new Redis(options.url, redisOptions) : new Redis(redisOptions);
    this.#sub = this.#cmd.duplicate();
    this.#watch(this.#cmd, 'command');
    this.#watch(this.#sub, 'subscriber');
    this.#fanout = new Fanout(this.#sub, this.#prefix, {
      position: (channel, from) => this.#position(channel, from),
      presenceList: (channel) => this.presenceList(channel),
      run: (fn) => this.#run(this.#sub, fn, true),
      onError: (error) => this.#report(error),
    });
    this.#stopSweep = every(this.#clock, options.presenceSweepMs ?? 1000, () => this.#sweep());
  }

  async publish(input: PublishInput): Promise<PublishOutcome> {
    const payload = encodePayload({ event: input.event, data: input.data, ts: this.#clock.now(), ...(input.clientMessageId === undefined ? {} : { clientMessageId: input.clientMessageId }) });
    const base = [this.#prefix, this.#candidate, input.channel, payload];
    if (input.volatile) {
      const tag = randomBytes(6).readUIntBE(0, 6).toString(36);
      const offset = await this.#run(this.#cmd, () => SCRIPTS.publishVolatile.run(this.#cmd, [...base, tag]), false);
      return { offset: String(offset), duplicate: false };
    }
    const id = input.clientMessageId ?? '';
    // With a client id a retry is safe (the script deduplicates); without one, a command whose answer
    // was lost may have run, so it is not retried.
    const result = await this.#run(this.#cmd, () => SCRIPTS.publish.run(this.#cmd, [...base, this.#historySize, id, this.#dedupWindowMs]), id !== '');
    const [offset, duplicate] = result as [string, number];
    return { offset, duplicate: duplicate === 1 };
  }

  async history(channel: string, cursor: string | null): Promise<HistoryResult> {
    const position = await this.#position(channel, parseOffset(cursor));
    const head = `${position.epoch}.${position.head}`;
    return position.after ? { resumed: true, messages: position.after, head } : { resumed: false, messages: [], head };
  }

  subscribe(channel: string, listener: (event: BrokerEvent) => void): Promise<() => void> {
    return this.#fanout.add(channel, listener);
  }

  async presenceSet(channel: string, entry: PresenceEntry, ttlMs: number): Promise<void> {
    if (this.#closed) return;
    this.#mirror.set(channel, entry, this.#clock.now() + ttlMs);
    await this.#presenceWrite(() => this.#presenceSetNow(channel, entry, ttlMs), () => {});
  }

  async presenceTouch(session: string, channels: readonly string[], ttlMs: number): Promise<void> {
    if (channels.length === 0) return;
    const expiresAt = this.#clock.now() + ttlMs;
    this.#mirror.touch(session, channels, expiresAt);
    await this.#presenceWrite(() => SCRIPTS.presenceTouch.run(this.#cmd, [this.#prefix, expiresAt, session, ...channels]), () => {});
  }

  async presenceRemove(channel: string, session: string): Promise<void> {
    this.#mirror.remove(channel, session);
    await this.#presenceWrite(
      () => SCRIPTS.presenceRemove.run(this.#cmd, [this.#prefix, channel, session]),
      () => this.#mirror.removeLater(channel, session),
    );
  }

  async presenceList(channel: string): Promise<PresenceList> {
    const [version, flat] = (await this.#run(this.#cmd, () => SCRIPTS.presenceList.run(this.#cmd, [this.#prefix, channel]), true)) as [string, string[]];
    const members = [];
    for (let i = 0; i + 1 < flat.length; i += 2) members.push({ id: flat[i]!, data: parseJson(flat[i + 1]!) });
    return { version: Number(version), members };
  }

  health(): BrokerHealth {
    const reconnects = this.reconnects;
    if (this.#closed) return { status: 'degraded', detail: 'redis: closed', reconnects };
    if (this.#cmd.status !== 'ready') return { status: 'degraded', detail: `redis: ${this.#cmd.status}`, reconnects };
    if (this.#sub.status !== 'ready') return { status: 'degraded', detail: `redis subscriber: ${this.#sub.status}`, reconnects };
    if (this.#lost.size > 0) return { status: 'degraded', detail: 'redis: catching up', reconnects };
    return { status: 'ok', reconnects };
  }

  /** This process' own presence entries (for tests and metrics). */
  get presenceCount(): number {
    return this.#mirror.size;
  }

  /** Channels this process holds a Redis subscription for. */
  get channelCount(): number {
    return this.#fanout.channels;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopSweep();
    this.#fanout.clear();
    this.#mirror.clear();
    await Promise.all([this.#cmd, this.#sub].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  }

  async #position(channel: string, from: { epoch: string; id: string } | null): Promise<Position> {
    const args = [this.#prefix, this.#candidate, channel, from?.epoch ?? '', from?.id ?? '', this.#historySize];
    const [epoch, head, resumed, entries] = (await this.#run(this.#cmd, () => SCRIPTS.history.run(this.#cmd, args), true)) as [string, string, number, unknown[]];
    if (resumed !== 1 || !from) return { epoch, head, after: null };
    const after = [];
    for (const entry of entries) {
      const message = decodeEntry(channel, epoch, entry);
      if (message && compareIds((entry as [string])[0], from.id) > 0) after.push(message);
    }
    return { epoch, head, after };
  }

  #presenceSetNow(channel: string, entry: PresenceEntry, ttlMs: number): Promise<unknown> {
    const args = [this.#prefix, channel, entry.session, entry.member.id, JSON.stringify(entry.member.data) ?? 'null', this.#clock.now() + ttlMs];
    return SCRIPTS.presenceSet.run(this.#cmd, args);
  }

  /**
   * Presence writes wait for Redis like everything else, but never fail: what Redis did not get stays
   * in the mirror and is written when it is back.
   */
  async #presenceWrite(write: () => Promise<unknown>, whenUnreachable: () => void): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#run(this.#cmd, write, true);
    } catch (error) {
      if (isReplyError(error) || this.#closed) throw error;
      this.#presenceDirty = true;
      whenUnreachable();
    }
  }

  /**
   * Runs `fn` once the connection is ready, waiting at most `offlineTimeoutMs`; retries a command whose
   * answer was lost if `retry`. Failures other than Redis' own replies become `SERVER_ERROR`.
   */
  async #run<T>(conn: Redis, fn: () => Promise<T>, retry: boolean): Promise<T> {
    const deadline = this.#clock.now() + this.#offlineTimeoutMs;
    for (;;) {
      if (this.#closed) throw new RealtimeError('SERVER_ERROR', 'The Redis broker is closed.');
      if (conn.status !== 'ready') await this.#ready(conn, deadline);
      try {
        return await fn();
      } catch (error) {
        if (isReplyError(error)) throw error;
        if (!retry || this.#clock.now() >= deadline) throw new RealtimeError('SERVER_ERROR', 'Redis is unreachable.', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  #ready(conn: Redis, deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: RealtimeError) => {
        this.#clock.clearTimeout(timer);
        conn.off('ready', onReady);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const timer = this.#clock.setTimeout(() => done(new RealtimeError('SERVER_ERROR', 'Redis is unreachable.')), Math.max(0, deadline - this.#clock.now()));
      conn.on('ready', onReady);
    });
  }

  #watch(conn: Redis, name: Conn): void {
    let wasReady = false;
    conn.on('error', (error: unknown) => this.#report(error));
    conn.on('close', () => {
      if (wasReady && !this.#closed) this.#lost.add(name);
    });
    conn.on('ready', () => {
      const recovering = this.#lost.has(name);
      wasReady = true;
      if (this.#closed) return;
      if (!recovering) {
        // First connection: presence set before it was ready is only in the mirror.
        if (name === 'command' && this.#presenceDirty) void this.#recover(name).catch((error: unknown) => this.#report(error));
        return;
      }
      this.reconnects++;
      this.#reported = false;
      void this.#recover(name).then(
        () => this.#lost.delete(name),
        (error: unknown) => this.#report(error),
      );
    });
  }

  async #recover(name: Conn): Promise<void> {
    if (name === 'subscriber') return this.#fanout.resync();
    this.#presenceDirty = false;
    const { set, remove } = this.#mirror.reconcile(this.#clock.now());
    for (const r of remove) await SCRIPTS.presenceRemove.run(this.#cmd, [this.#prefix, r.channel, r.session]);
    for (const s of set) await this.#presenceSetNow(s.channel, s.entry, s.ttlMs);
  }

  #sweep(): void {
    const now = this.#clock.now();
    this.#mirror.expire(now);
    if (this.#cmd.status !== 'ready' || this.#lost.has('command')) return;
    SCRIPTS.presenceSweep.run(this.#cmd, [this.#prefix, now, 1000]).catch((error: unknown) => this.#report(error));
  }

  /** Reports the first error of an outage (a reconnect loop would otherwise log every attempt). */
  #report(error: unknown): void {
    if (this.#closed || this.#reported) return;
    this.#reported = true;
    this.#onError(error);
  }
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Creates the Redis broker (pub/sub fan-out, Streams for history, shared presence and dedup).
 *
 * @example
 * const broker = createRedisBroker({ url: process.env.REDIS_URL, historySize: 5000 });
 * const server = await serve({ broker, secret: process.env.SWITCHBOARD_SECRET });
 */
export function createRedisBroker(options?: RedisBrokerOptions): RedisBroker {
  return new RedisBroker(options);
}
