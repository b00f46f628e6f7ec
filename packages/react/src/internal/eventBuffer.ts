import type { Listener, Platform, Readable, Unsubscribe } from '@switchboard/core';

const EMPTY: readonly never[] = /* @__PURE__ */ Object.freeze([]);

/**
 * The last `max` items, published to React at most once per arrival batch (a microtask), or at most
 * once per `batchMs` when set — so 1,000 messages in one task cost one render.
 */
export class EventBuffer<T> implements Readable<readonly T[]> {
  #items: T[] = [];
  #snapshot: readonly T[] = EMPTY;
  #listeners = new Set<Listener>();
  #max: number;
  #batchMs: number;
  #platform: Platform;
  #timer: unknown = null;
  #microtask = false;
  #lastFlush = -Infinity;

  constructor(platform: Platform, max: number, batchMs: number) {
    this.#platform = platform;
    this.#max = Math.max(1, max);
    this.#batchMs = Math.max(0, batchMs);
  }

  readonly subscribe = (listener: Listener): Unsubscribe => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): readonly T[] => this.#snapshot;

  configure(max: number, batchMs: number): void {
    this.#max = Math.max(1, max);
    this.#batchMs = Math.max(0, batchMs);
  }

  push(item: T): void {
    this.#items.push(item);
    // Keep memory bounded between flushes too.
    if (this.#items.length > this.#max * 2) this.#items.splice(0, this.#items.length - this.#max);
    this.#schedule();
  }

  clear(): void {
    this.#items = [];
    this.#snapshot = EMPTY;
    this.#notify();
  }

  /** Stops a pending timer; the buffer stays usable (StrictMode re-runs effects). */
  pause(): void {
    if (this.#timer !== null) this.#platform.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#microtask || this.#timer !== null) return;
    const wait = this.#lastFlush + this.#batchMs - this.#platform.now();
    if (this.#batchMs > 0 && wait > 0) {
      this.#timer = this.#platform.setTimeout(() => {
        this.#timer = null;
        this.#flush();
      }, wait);
      return;
    }
    this.#microtask = true;
    queueMicrotask(() => {
      this.#microtask = false;
      this.#flush();
    });
  }

  #flush(): void {
    this.#lastFlush = this.#platform.now();
    if (this.#items.length > this.#max) this.#items.splice(0, this.#items.length - this.#max);
    this.#snapshot = Object.freeze(this.#items.slice());
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
