import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, hintedDelay, parseRetryAfter } from '../src/backoff.js';
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
