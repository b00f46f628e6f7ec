import type { Platform, TimerHandle } from './platform.js';

export interface HeartbeatOptions {
  /**
   * Deadline without any inbound frame before the connection is declared dead (half-open).
   * Used when the server does not announce its heartbeat interval. Default 45 s.
   */
  timeoutMs: number;
  /** When the server announces its interval, the deadline is interval + grace. Default 20 s. */
  graceMs: number;
  /**
   * After waking up (page visible, back online) a connected client pings and expects any frame
   * within this time, so a connection that died while asleep is noticed in seconds. Default 5 s.
   */
  probeTimeoutMs: number;
}

export const DEFAULT_HEARTBEAT: Readonly<HeartbeatOptions> = /* @__PURE__ */ Object.freeze({
  timeoutMs: 45_000,
  graceMs: 20_000,
  probeTimeoutMs: 5_000,
});

/**
 * Watches one connection for liveness. Deadlines are compared with wall-clock time on every check,
 * so a background tab whose timers were throttled, or a laptop that slept, is detected at the next
 * timer, send, visibility or online event — not minutes later.
 *
 * `touch()` is on the hot path (every inbound frame): it only stores a timestamp. The single timer is
 * re-armed lazily when it fires.
 */
export class Heartbeat {
  #platform: Platform;
  #options: HeartbeatOptions;
  #onDead: () => void;
  #running = false;
  #deadlineMs = 0;
  #ping: (() => void) | undefined;
  #lastActivity = 0;
  #pingSentAt = -Infinity;
  #probeStartedAt = -Infinity;
  #timer: TimerHandle | null = null;

  constructor(platform: Platform, options: HeartbeatOptions, onDead: () => void) {
    this.#platform = platform;
    this.#options = options;
    this.#onDead = onDead;
  }

  /**
   * Starts watching. Without a server interval and without a way to ping, liveness cannot be told
   * from silence, so nothing is enforced.
   */
  start(serverIntervalMs: number | undefined, ping: (() => void) | undefined): void {
    this.stop();
    const hasInterval = serverIntervalMs !== undefined && serverIntervalMs > 0;
    if (!hasInterval && !ping) return;
    this.#deadlineMs = hasInterval ? serverIntervalMs + this.#options.graceMs : this.#options.timeoutMs;
    this.#ping = ping;
    this.#running = true;
    this.#lastActivity = this.#platform.now();
    this.#pingSentAt = -Infinity;
    this.#probeStartedAt = -Infinity;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#ping = undefined;
    if (this.#timer !== null) {
      this.#platform.clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  get running(): boolean {
    return this.#running;
  }

  /** Any inbound frame. */
  touch(): void {
    this.#lastActivity = this.#platform.now();
  }

  /** Compares deadlines with the wall clock now. Returns false if the connection was declared dead. */
  check(): boolean {
    if (!this.#running) return true;
    const now = this.#platform.now();
    const probing = this.#probeStartedAt > this.#lastActivity;
    if (now - this.#lastActivity >= this.#deadlineMs || (probing && now - this.#probeStartedAt >= this.#options.probeTimeoutMs)) {
      this.stop();
      this.#onDead();
      return false;
    }
    return true;
  }

  /** On wake: check the deadline, then ping and expect an answer within `probeTimeoutMs`. */
  probe(): void {
    if (!this.check() || !this.#ping) return;
    const now = this.#platform.now();
    if (this.#probeStartedAt > this.#lastActivity) return; // already probing
    this.#probeStartedAt = now;
    this.#sendPing(now);
    this.#arm();
  }

  #sendPing(now: number): void {
    this.#pingSentAt = now;
    this.#ping?.();
  }

  /** A quiet connection is pinged early enough for the answer to arrive before the deadline. */
  #pingAt(): number {
    return this.#lastActivity + Math.max(this.#deadlineMs - this.#options.probeTimeoutMs * 2, this.#deadlineMs / 2);
  }

  #arm(): void {
    if (this.#timer !== null) this.#platform.clearTimeout(this.#timer);
    const now = this.#platform.now();
    let next = this.#lastActivity + this.#deadlineMs;
    if (this.#ping && this.#pingSentAt <= this.#lastActivity) next = Math.min(next, this.#pingAt());
    if (this.#probeStartedAt > this.#lastActivity) next = Math.min(next, this.#probeStartedAt + this.#options.probeTimeoutMs);
    this.#timer = this.#platform.setTimeout(() => this.#onTimer(), Math.max(0, next - now));
  }

  #onTimer(): void {
    this.#timer = null;
    if (!this.check()) return;
    const now = this.#platform.now();
    if (this.#ping && this.#pingSentAt <= this.#lastActivity && now >= this.#pingAt()) this.#sendPing(now);
    this.#arm();
  }
}
