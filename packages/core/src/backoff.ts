/**
 * One reconnect policy for every transport: capped exponential backoff with FULL jitter applied after
 * the cap, so a fleet of clients dropped at the same instant spreads its retries uniformly instead of
 * reconnecting in lockstep.
 *
 *   delay = random() * min(capMs, baseMs * 2 ** min(attempt, 30))
 *
 * The exponent is clamped, so the delay never overflows to Infinity/NaN however many attempts fail.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry window. Default 1000 ms. */
  baseMs: number;
  /** Largest retry window. Default 15 s. */
  capMs: number;
  /** Largest retry window once the connection is `suspended`. Default 30 s. */
  suspendedCapMs: number;
  /** A connection must stay up this long before the attempt counter resets. Default 5 s. */
  stableAfterMs: number;
  /** After an `online` event or the page becoming visible, retry within [0, this). Default 500 ms. */
  wakeJitterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = /* @__PURE__ */ Object.freeze({
  baseMs: 1000,
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
 * Delay before retry number `attempt` (0 for the first retry).
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
