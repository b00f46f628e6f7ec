import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, hintedDelay, parseRetryAfter, reconnectDelay } from '../src/backoff.js';
import { seededRandom } from '../src/testing/index.js';

const { baseMs, capMs } = DEFAULT_BACKOFF;

describe('backoffDelay: full jitter after the cap', () => {
  it('10,000 samples per attempt stay in [0, cap]; mean within ±5 % of the formula; <1 % on the cap from attempt 4', () => {
    const random = seededRandom(2026);
    for (let attempt = 0; attempt <= 12; attempt++) {
      const window = Math.min(capMs, baseMs * 2 ** attempt);
      let sum = 0;
      let onCap = 0;
      let outside = 0;
      for (let i = 0; i < 10_000; i++) {
        const delay = backoffDelay(attempt, baseMs, capMs, random);
        // One expect per attempt, not per sample: 130,000 expect() calls took >20 s on a busy CI machine.
        if (!(delay >= 0 && delay <= capMs)) outside++;
        sum += delay;
        if (delay === capMs) onCap++;
      }
      expect(outside).toBe(0);
      const expectedMean = window / 2;
      expect(Math.abs(sum / 10_000 - expectedMean)).toBeLessThanOrEqual(expectedMean * 0.05);
      if (attempt >= 4) expect(onCap / 10_000).toBeLessThan(0.01);
    }
  });

  it('spreads uniformly: no quarter of the window holds more than 30 % of 10,000 retries at the cap', () => {
    const random = seededRandom(7);
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) buckets[Math.floor((backoffDelay(20, baseMs, capMs, random) / capMs) * 4)]!++;
    for (const count of buckets) expect(count).toBeLessThan(3000);
  });

  it('never NaN, negative or over the cap, for any attempt up to 10,000 and any configuration (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (attempt, r, base, cap) => {
          const delay = backoffDelay(attempt, base, cap, () => r);
          return Number.isFinite(delay) && delay >= 0 && delay <= cap;
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('clamps nonsense inputs instead of producing NaN', () => {
    const half = () => 0.5;
    expect(backoffDelay(Number.NaN, baseMs, capMs, half)).toBe(capMs / 2);
    expect(backoffDelay(Infinity, baseMs, capMs, half)).toBe(capMs / 2);
    expect(backoffDelay(-5, baseMs, capMs, half)).toBe(baseMs / 2);
    expect(backoffDelay(3, baseMs, capMs, () => 1.5)).toBe(0);
    expect(backoffDelay(3, baseMs, capMs, () => Number.NaN)).toBe(0);
    expect(backoffDelay(3, Number.NaN, capMs, half)).toBe(0);
  });
});

describe('reconnectDelay: a window that grows with the outage, not the attempt count', () => {
  const window = (elapsed: number) => Math.min(capMs, Math.max(baseMs, DEFAULT_BACKOFF.growth * elapsed));

  it('first retry anywhere in the window, later ones in its second half; never NaN or over the cap (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (elapsed, first, r) => {
          const delay = reconnectDelay(elapsed, first, DEFAULT_BACKOFF, () => r);
          const w = window(Math.max(0, elapsed));
          return Number.isFinite(delay) && delay <= capMs && delay <= w && delay >= (first ? 0 : w / 2);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('the window: base for the first 5 s, 0.2 × the outage after, the cap from 75 s', () => {
    const top = () => 0.999_999_999;
    expect(reconnectDelay(0, true, DEFAULT_BACKOFF, top)).toBeCloseTo(1000, 3);
    expect(reconnectDelay(4000, false, DEFAULT_BACKOFF, top)).toBeCloseTo(1000, 3);
    expect(reconnectDelay(10_000, false, DEFAULT_BACKOFF, top)).toBeCloseTo(2000, 3);
    expect(reconnectDelay(50_000, false, DEFAULT_BACKOFF, top)).toBeCloseTo(10_000, 3);
    expect(reconnectDelay(75_000, false, DEFAULT_BACKOFF, top)).toBeCloseTo(15_000, 3);
    expect(reconnectDelay(3_600_000, false, DEFAULT_BACKOFF, top)).toBeCloseTo(15_000, 3);
    expect(reconnectDelay(3_600_000, false, { ...DEFAULT_BACKOFF, capMs: 30_000 }, top)).toBeCloseTo(30_000, 3);
  });

  it('clamps nonsense inputs instead of producing NaN', () => {
    const half = () => 0.5;
    expect(reconnectDelay(Number.NaN, false, DEFAULT_BACKOFF, half)).toBe(750);
    expect(reconnectDelay(Infinity, false, DEFAULT_BACKOFF, half)).toBe(750);
    expect(reconnectDelay(1000, true, DEFAULT_BACKOFF, () => 1.5)).toBe(0);
    expect(reconnectDelay(1000, true, { ...DEFAULT_BACKOFF, growth: Number.NaN, baseMs: -1 }, half)).toBe(0);
  });

  // The bench's reconnect storm (bench/scenarios/reconnect-storm.ts) runs 200 real clients against a
  // killed server; this is the policy alone, on the same measure: attempts per 250 ms from the drop to
  // the last client back, refused attempts failing at once.
  type Policy = (attempt: number, elapsedMs: number, random: () => number) => number;
  const outageAge: Policy = (attempt, elapsed, random) => reconnectDelay(elapsed, attempt === 0, DEFAULT_BACKOFF, random);
  // What reconnects used before: the attempt-counted exponent.
  const attemptCount: Policy = (attempt, _elapsed, random) => backoffDelay(attempt, baseMs, capMs, random);

  function storm(downMs: number, seed: number, policy: Policy = outageAge) {
    const random = seededRandom(seed);
    const attempts: number[] = [];
    let lastOpen = 0;
    for (let c = 0; c < 200; c++) {
      let t = 0;
      for (let attempt = 0; t < downMs; attempt++) attempts.push((t += policy(attempt, t, random)));
      lastOpen = Math.max(lastOpen, t);
    }
    const buckets = new Array<number>(Math.floor(lastOpen / 250) + 1).fill(0);
    for (const at of attempts) buckets[Math.floor(at / 250)]!++;
    return { peakOverUniform: Math.max(...buckets) / (attempts.length / buckets.length), lastOpen, perClient: attempts.length / 200 };
  }

  it('200 clients dropped together: no 250 ms bucket above 2× the uniform spread, for a 2 s and an 8 s outage', () => {
    for (const downMs of [2000, 8000]) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const s = storm(downMs, seed);
        expect(s.peakOverUniform).toBeLessThan(2);
        // Back within one window of the restart (0.2 × 8 s = 1.6 s), at a bounded cost while down.
        expect(s.lastOpen - downMs).toBeLessThan(Math.max(1000, 0.2 * downMs));
        expect(s.perClient).toBeLessThan(downMs === 2000 ? 4 : 12);
      }
    }
    // The attempt-counted exponent on the same measure: quick refusals race some windows to 8–15 s —
    // a burst and a long tail.
    expect(storm(8000, 1, attemptCount).peakOverUniform).toBeGreaterThan(4);
  });
});

describe('hintedDelay', () => {
  it('is the hint plus jitter of up to one more hint, bounded by the cap (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (hint, r) => {
        const delay = hintedDelay(hint, capMs, () => r);
        return delay >= hint && delay < hint + Math.min(hint, capMs) + 1e-9;
      }),
    );
  });

  it('spreads clients told the same hint', () => {
    const random = seededRandom(3);
    const delays = Array.from({ length: 1000 }, () => hintedDelay(10_000, capMs, random));
    expect(Math.min(...delays)).toBeLessThan(10_500);
    expect(Math.max(...delays)).toBeGreaterThan(19_500);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});
