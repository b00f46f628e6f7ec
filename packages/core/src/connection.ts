import { hintedDelay, reconnectDelay, type BackoffOptions } from './backoff.js';
import { RealtimeError, isRealtimeError } from './errors.js';
import { classifyDisconnect, describeDisconnect, type Disconnect } from './fatal.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import type { Logger } from './logger.js';
import type { Platform, TimerHandle } from './platform.js';
import { Store, patchObject, type ErrorSink } from './store.js';
import type { OpenInfo, Transport, TransportConnection, TransportHandler } from './transport.js';

/** The public connection status. */
export type ConnectionStatus =
  /** Not connected and not trying (nothing needs a connection, or never started). */
  | 'idle'
  /** Working on the first connection (may include retries). */
  | 'connecting'
  /** Protocol-ready: handshake done. */
  | 'connected'
  /** Was connected, lost it, retrying. */
  | 'reconnecting'
  /** Disconnected for longer than `suspendAfterMs`: sends fail fast, retries every ≤30 s, resync follows. */
  | 'suspended'
  /** Closed by the application or by the server's "stop" (terminal until `connect()`). */
  | 'closed'
  /** Gave up for good: credentials refused, fatal close code (terminal until `reconnect()`). */
  | 'failed';

export interface ConnectionSnapshot {
  readonly status: ConnectionStatus;
  /** Consecutive failed attempts since the last stable connection; 0 while connected. */
  readonly attempt: number;
  /** Delay chosen for the scheduled retry, or `null` when none is scheduled. */
  readonly retryInMs: number | null;
  /** Wall-clock time of the scheduled retry, or `null`. */
  readonly nextRetryAt: number | null;
  /** What ended the last connection or attempt. */
  readonly lastError: RealtimeError | null;
  /** Server session id of the current connection. */
  readonly sessionId: string | null;
  /** Name of the transport. */
  readonly transport: string;
}

/** What an auth provider is asked. */
export interface AuthContext {
  /** `initial` on the first call, `refresh` when the server said the credentials are invalid/expired. */
  readonly reason: 'initial' | 'refresh';
}

/**
 * Returns credentials handed to the transport on every attempt. Throw
 * `new RealtimeError('UNAUTHORIZED')` to stop for good; anything else thrown is retried with backoff.
 */
export type AuthProvider<Credentials = unknown> = (context: AuthContext) => Promise<Credentials> | Credentials;

export interface ConnectionOptions {
  transport: Transport;
  auth: AuthProvider | undefined;
  backoff: BackoffOptions;
  heartbeat: HeartbeatOptions | false;
  suspendAfterMs: number;
  platform: Platform;
  logger: Logger;
  onError: ErrorSink;
}

/** What the client does with a connection. Frame callbacks are only forwarded for the current attempt. */
export interface ConnectionCallbacks extends Omit<TransportHandler, 'open' | 'close' | 'activity'> {
  ready(connection: TransportConnection, info: OpenInfo): void;
  /** A connection that was ready is gone. */
  lost(): void;
  /** The connection has been down for `suspendAfterMs`. */
  suspended(): void;
}

type Phase = 'idle' | 'authenticating' | 'opening' | 'connected' | 'waiting' | 'closed' | 'failed';

/**
 * The private state machine behind `ConnectionStatus`. Owns attempts, credentials, backoff, the fatal
 * rules, heartbeats and online/visibility triggers. One `TransportConnection` per attempt; callbacks of
 * superseded attempts are ignored by generation number.
 */
export class Connection {
  readonly status: Store<ConnectionSnapshot>;
  #o: ConnectionOptions;
  #cb: ConnectionCallbacks;
  #phase: Phase = 'idle';
  #generation = 0;
  #conn: TransportConnection | null = null;
  #failures = 0;
  /** When the current outage began: its first failure since the last stable connection. */
  #outageSince = 0;
  #everConnected = false;
  #disconnectedSince = 0;
  #suspended = false;
  #credentials: unknown = undefined;
  #needCredentials = true;
  #refreshUsed = false;
  #retryTimer: TimerHandle | null = null;
  #stableTimer: TimerHandle | null = null;
  #suspendTimer: TimerHandle | null = null;
  #nextRetryAt: number | null = null;
  #retryInMs: number | null = null;
  #lastError: RealtimeError | null = null;
  #sessionId: string | null = null;
  #heartbeat: Heartbeat | null;
  #offPlatform: Array<() => void> = [];

  constructor(options: ConnectionOptions, callbacks: ConnectionCallbacks) {
    this.#o = options;
    this.#cb = callbacks;
    this.status = new Store<ConnectionSnapshot>(
      Object.freeze({
        status: 'idle',
        attempt: 0,
        retryInMs: null,
        nextRetryAt: null,
        lastError: null,
        sessionId: null,
        transport: options.transport.name,
      }),
      options.onError,
    );
    this.#heartbeat = options.heartbeat
      ? new Heartbeat(options.platform, options.heartbeat, () => this.#disconnect(this.#generation, { type: 'heartbeat' }))
      : null;
  }

  get phase(): Phase {
    return this.#phase;
  }

  get suspended(): boolean {
    return this.#suspended;
  }

  /** Active = connected or working on it (idle, closed and failed are not). */
  get active(): boolean {
    return this.#phase !== 'idle' && this.#phase !== 'closed' && this.#phase !== 'failed';
  }

  /** Starts connecting from idle/closed/failed. No-op while active. */
  start(): void {
    if (this.active) return;
    this.#failures = 0;
    this.#refreshUsed = false;
    this.#everConnected = false;
    this.#suspended = false;
    this.#disconnectedSince = this.#o.platform.now();
    this.#listenToPlatform();
    this.#armSuspendTimer();
    void this.#attempt();
  }

  /** Retry now: from a backoff wait, or restart from failed/closed. */
  reconnect(): void {
    if (this.#phase === 'waiting') {
      this.#clearRetry();
      // A vendor SDK that retries itself keeps its connection while waiting: replace it, never run two.
      if (this.#conn) this.#teardownAttempt('replaced');
      void this.#attempt();
    } else if (!this.active) {
      this.start();
    }
  }

  /** Goes to `idle` (nothing needs the connection) or `closed` (the application closed it). */
  stop(to: 'idle' | 'closed'): void {
    if (to === 'idle' && !this.active) return;
    const wasConnected = this.#phase === 'connected';
    this.#teardownAttempt();
    this.#clearAllTimers();
    this.#unlistenPlatform();
    this.#phase = to;
    this.#suspended = false;
    this.#failures = 0;
    this.#lastError = null; // the application asked for it: not an error
    this.#publish();
    if (wasConnected) this.#cb.lost();
  }

  /** Heartbeat check on a send (wall clock). */
  checkAlive(): void {
    this.#heartbeat?.check();
  }

  #listenToPlatform(): void {
    if (this.#offPlatform.length > 0) return;
    const { platform } = this.#o;
    this.#offPlatform.push(
      platform.onOnline((online) => {
        this.#o.logger.debug(online ? 'online' : 'offline');
        if (online) this.#wake();
        else if (this.#phase === 'waiting') this.#scheduleRetry(this.#retryInMs ?? 0);
      }),
      platform.onVisibility((visible) => {
        if (visible) this.#wake();
      }),
    );
  }

  #unlistenPlatform(): void {
    for (const off of this.#offPlatform.splice(0)) off();
  }

  /** Page visible or back online: re-check everything against the wall clock, retry soon. */
  #wake(): void {
    this.#checkSuspended();
    if (this.#phase === 'connected') {
      this.#heartbeat?.probe();
    } else if (this.#phase === 'waiting' && this.#retryTimer !== null) {
      const { platform, backoff } = this.#o;
      if (!platform.isOnline()) return; // visible but offline: keep waiting for `online`
      const delay = platform.random() * backoff.wakeJitterMs;
      const due = this.#nextRetryAt === null ? Infinity : this.#nextRetryAt - platform.now();
      if (delay < due) this.#setRetryTimer(delay);
    }
  }

  async #attempt(): Promise<void> {
    const generation = ++this.#generation;
    const { auth, transport, logger } = this.#o;
    if (auth && this.#needCredentials) {
      this.#phase = 'authenticating';
      this.#publish();
      const reason = this.#credentials === undefined ? 'initial' : 'refresh';
      try {
        logger.debug(`auth (${reason})`);
        this.#credentials = await auth({ reason });
        this.#needCredentials = false;
      } catch (error) {
        this.#disconnect(generation, { type: 'auth-provider', unauthorized: isRealtimeError(error, 'UNAUTHORIZED'), error });
        return;
      }
      if (generation !== this.#generation) return;
    }
    this.#phase = 'opening';
    this.#publish();
    logger.debug(`opening ${transport.name} (attempt ${this.#failures + 1})`);
    let conn: TransportConnection | undefined;
    let openedEarly: OpenInfo | undefined;
    const handler = this.#handler(generation, (info) => {
      if (conn) this.#onOpen(generation, conn, info);
      else openedEarly = info;
    });
    try {
      conn = transport.open(handler, { credentials: this.#credentials, attempt: this.#failures + 1 });
    } catch (error) {
      handler.close({ type: 'network', error });
      return;
    }
    if (generation !== this.#generation) {
      safeClose(conn);
      return;
    }
    this.#conn = conn;
    if (openedEarly) this.#onOpen(generation, conn, openedEarly);
  }

  #handler(generation: number, open: (info: OpenInfo) => void): TransportHandler {
    const current = () => generation === this.#generation;
    const cb = this.#cb;
    const hb = this.#heartbeat;
    return {
      open: (info) => {
        if (current() && this.#phase === 'opening') open(info ?? {});
        else if (current() && this.#phase === 'waiting' && this.#o.transport.capabilities.retries === 'sdk' && this.#conn) {
          // A vendor SDK that retries itself came back on its own.
          this.#clearRetry();
          this.#onOpen(generation, this.#conn, info ?? {});
        }
      },
      close: (disconnect) => this.#disconnect(generation, disconnect),
      activity: () => {
        if (current()) hb?.touch();
      },
      // Liveness is `activity()`, which a transport reports for every inbound frame (message and
      // presence frames included): the hot path touches the heartbeat once per frame.
      message: (message) => current() && cb.message(message),
      subscribed: (channel, info) => current() && cb.subscribed(channel, info),
      subscribeFailed: (channel, error) => current() && cb.subscribeFailed(channel, error),
      discontinuity: (channel) => current() && cb.discontinuity(channel),
      ack: (id) => current() && cb.ack(id),
      nack: (id, error) => current() && cb.nack(id, error),
      presence: (channel, event) => current() && cb.presence(channel, event),
      error: (error) => current() && cb.error(error),
    };
  }

  #onOpen(generation: number, conn: TransportConnection, info: OpenInfo): void {
    if (generation !== this.#generation) return;
    const { platform, backoff, logger } = this.#o;
    this.#phase = 'connected';
    this.#conn = conn;
    this.#everConnected = true;
    this.#suspended = false;
    this.#refreshUsed = false;
    this.#sessionId = info.sessionId ?? null;
    this.#clearRetry();
    this.#clearTimer('suspend');
    this.#clearTimer('stable');
    this.#stableTimer = platform.setTimeout(() => {
      this.#stableTimer = null;
      this.#failures = 0;
      this.#publish();
    }, backoff.stableAfterMs);
    this.#heartbeat?.start(info.heartbeatMs, conn.ping ? () => conn.ping?.() : undefined);
    logger.debug(`connected${info.sessionId ? ` (session ${info.sessionId})` : ''}`);
    this.#publish();
    this.#cb.ready(conn, info);
  }

  /** The single place where an attempt or a connection ends, and the fatal rules are applied. */
  #disconnect(generation: number, disconnect: Disconnect): void {
    if (generation !== this.#generation || !this.active) return;
    const wasConnected = this.#phase === 'connected';
    const { platform, backoff, logger, transport } = this.#o;
    const verdict = classifyDisconnect(disconnect);
    const sdkRetries = transport.capabilities.retries === 'sdk' && this.#conn !== null;
    const keepSdkConnection = sdkRetries && (verdict.outcome === 'retry' || verdict.outcome === 'retry-hint' || verdict.outcome === 'retry-now');
    if (!keepSdkConnection) this.#teardownAttempt();
    this.#heartbeat?.stop();
    this.#clearTimer('stable');
    if (wasConnected) {
      this.#disconnectedSince = platform.now();
      this.#armSuspendTimer();
    }
    if (this.#failures++ === 0) this.#outageSince = platform.now();
    const cause = 'error' in disconnect ? disconnect.error : undefined;
    this.#lastError = new RealtimeError(verdict.code, describeDisconnect(disconnect), {
      cause,
      details: {
        transport: transport.name,
        ...(disconnect.type === 'close' ? { closeCode: disconnect.code } : {}),
        ...(disconnect.type === 'http' ? { status: disconnect.status } : {}),
      },
    });
    logger.debug(`disconnected: ${describeDisconnect(disconnect)} → ${verdict.outcome}`);

    let delay: number | null = null;
    switch (verdict.outcome) {
      case 'close':
        this.#finish('closed');
        break;
      case 'fail':
        this.#finish('failed');
        break;
      case 'reauth':
        if (this.#refreshUsed) {
          this.#finish('failed');
        } else {
          this.#refreshUsed = true;
          this.#needCredentials = true;
          delay = 0;
        }
        break;
      case 'retry-now':
        delay = this.#failures <= 1 ? 0 : this.#backoff();
        break;
      case 'retry-hint': {
        const hint =
          'retryAfterMs' in disconnect && disconnect.retryAfterMs !== undefined
            ? disconnect.retryAfterMs
            : disconnect.type === 'close'
              ? backoff.capMs
              : undefined;
        delay = hint === undefined ? this.#backoff() : hintedDelay(hint, this.#cap(), platform.random);
        break;
      }
      case 'retry':
        delay = this.#backoff();
        break;
    }
    if (delay !== null) {
      this.#phase = 'waiting';
      this.#checkSuspended();
      // A vendor SDK that insists on retrying is not raced: the core only waits (and may still give up).
      if (keepSdkConnection) this.#publish();
      else this.#scheduleRetry(delay);
    }
    if (wasConnected) this.#cb.lost();
  }

  #finish(to: 'closed' | 'failed'): void {
    this.#clearAllTimers();
    this.#unlistenPlatform();
    this.#phase = to;
    this.#publish();
  }

  #cap(): number {
    return this.#suspended ? this.#o.backoff.suspendedCapMs : this.#o.backoff.capMs;
  }

  #backoff(): number {
    const { backoff, platform } = this.#o;
    return reconnectDelay(platform.now() - this.#outageSince, this.#failures <= 1, { ...backoff, capMs: this.#cap() }, platform.random);
  }

  /** Schedules the next attempt; while offline, waits for `online` with one fallback attempt per cap. */
  #scheduleRetry(delay: number): void {
    const offline = !this.#o.platform.isOnline();
    this.#setRetryTimer(offline ? Math.max(delay, this.#cap()) : delay);
  }

  #setRetryTimer(delay: number): void {
    const { platform } = this.#o;
    if (this.#retryTimer !== null) platform.clearTimeout(this.#retryTimer);
    this.#retryInMs = delay;
    this.#nextRetryAt = platform.now() + delay;
    this.#retryTimer = platform.setTimeout(() => {
      this.#retryTimer = null;
      this.#retryInMs = null;
      this.#nextRetryAt = null;
      void this.#attempt();
    }, delay);
    this.#publish();
  }

  #armSuspendTimer(): void {
    this.#clearTimer('suspend');
    const remaining = this.#disconnectedSince + this.#o.suspendAfterMs - this.#o.platform.now();
    this.#suspendTimer = this.#o.platform.setTimeout(() => {
      this.#suspendTimer = null;
      this.#checkSuspended();
    }, Math.max(0, remaining));
  }

  #checkSuspended(): void {
    if (this.#suspended || !this.active || this.#phase === 'connected') return;
    if (this.#o.platform.now() - this.#disconnectedSince < this.#o.suspendAfterMs) return;
    this.#suspended = true;
    this.#clearTimer('suspend');
    this.#o.logger.debug('suspended');
    this.#publish();
    this.#cb.suspended();
  }

  #teardownAttempt(reason?: 'replaced'): void {
    this.#generation++;
    this.#heartbeat?.stop();
    const conn = this.#conn;
    this.#conn = null;
    this.#sessionId = null;
    if (conn) safeClose(conn, reason);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#o.platform.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#retryInMs = null;
    this.#nextRetryAt = null;
  }

  #clearTimer(which: 'stable' | 'suspend'): void {
    const { platform } = this.#o;
    if (which === 'stable' && this.#stableTimer !== null) {
      platform.clearTimeout(this.#stableTimer);
      this.#stableTimer = null;
    }
    if (which === 'suspend' && this.#suspendTimer !== null) {
      platform.clearTimeout(this.#suspendTimer);
      this.#suspendTimer = null;
    }
  }

  #clearAllTimers(): void {
    this.#clearRetry();
    this.#clearTimer('stable');
    this.#clearTimer('suspend');
    this.#heartbeat?.stop();
  }

  #publicStatus(): ConnectionStatus {
    switch (this.#phase) {
      case 'idle':
      case 'connected':
      case 'closed':
      case 'failed':
        return this.#phase;
      default:
        if (this.#suspended) return 'suspended';
        return this.#everConnected ? 'reconnecting' : 'connecting';
    }
  }

  #publish(): void {
    const status = this.#publicStatus();
    const waiting = this.#phase === 'waiting';
    this.status.set(
      patchObject(this.status.getSnapshot(), {
        status,
        attempt: status === 'connected' || status === 'idle' ? 0 : this.#failures,
        retryInMs: waiting ? this.#retryInMs : null,
        nextRetryAt: waiting ? this.#nextRetryAt : null,
        lastError: this.#lastError,
        sessionId: this.#sessionId,
      }),
    );
  }
}

function safeClose(conn: TransportConnection, reason?: 'replaced'): void {
  try {
    conn.close(reason);
  } catch {
    // A transport's close must not break the state machine.
  }
}
