/**
 * One reconnect policy for every transport. The retry window grows with how long the connection has
 * been down, not with how many attempts failed:
 *
 *   window = min(cap, max(baseMs, growth × time since the outage began))
 *   first retry of an outage: random() × window            (full jitter)
 *   later retries:            window × (1 + random()) / 2  (equal jitter)
 *
 * Why time and not attempts: an attempt against a dead host is refused in a millisecond, so an
 * attempt-counted exponent races ahead — a client whose first retries were refused quickly ends up
 * waiting 8–15 s, others 1–2 s, and a fleet dropped at once comes back as an early burst plus a long
 * tail (measured: 7–8× the uniform rate in the fullest 250 ms, docs/performance.md). Windows that depend
 * on the outage's age are the same for every client dropped together, so the fleet's attempt rate
 * declines smoothly; the first retry's full jitter spreads the fleet over its first window, and the
 * narrower jitter of later retries keeps each client's attempts regular, so when the server returns,
 * clients arrive evenly over one window instead of bunched at its start.
 */
export interface BackoffOptions {
  /** The retry window at the start of an outage. Default 1000 ms. */
  baseMs: number;
  /**
   * How fast the window grows: this fraction of the time since the outage began. Default 0.2 — after
   * 10 s down, retries are 1–2 s apart; the 15 s cap is reached 75 s into an outage.
   */
  growth: number;
  /** Largest retry window. Default 15 s. */
  capMs: number;
  /** Largest retry window once the connection is `suspended`. Default 30 s. */
  suspendedCapMs: number;
  /** A connection must stay up this long before an outage counts as over (window and attempt counter reset). Default 5 s. */
  stableAfterMs: number;
  /** After an `online` event or the page becoming visible, retry within [0, this). Default 500 ms. */
  wakeJitterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = /* @__PURE__ */ Object.freeze({
  baseMs: 1000,
  growth: 0.2,
  capMs: 15_000,
  suspendedCapMs: 30_000,
  stableAfterMs: 5000,
  wakeJitterMs: 500,
});

const MAX_EXPONENT = 30;

function unit(random: () => number): number {
  const r = random();
  // Guard against a misbehaving injected random: stay within [0, 1).
  return r >= 0 && r < 1 ? r : 0;
}

function positive(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Delay before the next reconnect attempt, `elapsedMs` after the outage began; `first` for the outage's
 * first retry. Always a finite number in [0, capMs].
 */
export function reconnectDelay(
  elapsedMs: number,
  first: boolean,
  options: Pick<BackoffOptions, 'baseMs' | 'growth'> & { capMs: number },
  random: () => number,
): number {
  const cap = positive(options.capMs);
  const window = Math.min(cap, Math.max(positive(options.baseMs), positive(options.growth) * positive(elapsedMs)));
  const r = unit(random);
  return first ? r * window : window * (1 + r) * 0.5;
}

/**
 * Attempt-counted capped exponential backoff with full jitter, for retrying one operation (the outbox's
 * per-message retries): delay before retry number `attempt` (0 for the first retry).
 * Always a finite number in [0, capMs).
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const exponent = Number.isFinite(attempt) ? Math.min(Math.max(Math.floor(attempt), 0), MAX_EXPONENT) : MAX_EXPONENT;
  const window = Math.min(positive(capMs), positive(baseMs) * 2 ** exponent);
  return unit(random) * window;
}

/**
 * Delay honouring a server hint (SSE `retry:`, `Retry-After`, close 1013): the hint plus jitter of up
 * to one more hint (bounded by the cap), so clients told "come back in 10 s" do not all return at 10 s.
 */
export function hintedDelay(hintMs: number, capMs: number, random: () => number): number {
  const hint = positive(hintMs);
  return hint + unit(random) * Math.min(hint, positive(capMs));
}

/** Parses an HTTP `Retry-After` header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
