import type { ServerClock } from './clock.js';

/**
 * A token bucket: `rate` operations per second sustained, bursts up to `burst`. A client's outbox
 * flushing after a reconnect is a legitimate burst, so the default burst is ten seconds' worth.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly clock: ServerClock,
  ) {
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Takes one token; `false` when the bucket is empty. */
  take(): boolean {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token. */
  get retryAfterMs(): number {
    return this.#tokens >= 1 || this.rate <= 0 ? 0 : Math.ceil(((1 - this.#tokens) / this.rate) * 1000);
  }
}

/** Buckets per key (HTTP sessions), least recently used forgotten first. */
export class BucketMap {
  #buckets = new Map<string, TokenBucket>();
  constructor(
    readonly make: () => TokenBucket,
    readonly max = 10_000,
  ) {}

  get(key: string): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
    } else {
      bucket = this.make();
      if (this.#buckets.size >= this.max) this.#buckets.delete(this.#buckets.keys().next().value as string);
    }
    this.#buckets.set(key, bucket);
    return bucket;
  }
}
