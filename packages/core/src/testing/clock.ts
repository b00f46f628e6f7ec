import type { Platform, TimerHandle } from '../platform.js';

/** A deterministic platform for tests: virtual time, seeded random, scriptable online/visibility. */
export interface FakeClock extends Platform {
  /** Moves time forward by `ms`, firing due timers in order and letting async work settle in between. */
  advance(ms: number): Promise<void>;
  /** Lets pending promises, microtasks and due timers run without moving time. */
  flush(): Promise<void>;
  /**
   * Moves the wall clock forward WITHOUT firing timers, as when a laptop sleeps: timers fire late, at
   * the next `advance`/`flush`, and deadlines see the jump first.
   */
  jump(ms: number): void;
  setOnline(online: boolean): void;
  setVisible(visible: boolean): void;
  /** Timers scheduled and not yet fired or cleared. */
  readonly pendingTimers: number;
  /** Online + visibility listeners currently registered. */
  readonly listenerCount: number;
}

export interface FakeClockOptions {
  /** Start time (ms since epoch). Default 1,700,000,000,000. */
  now?: number;
  /** Seed of the random generator. Default 1. */
  seed?: number;
  online?: boolean;
  visible?: boolean;
}

interface FakeTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** mulberry32: small, fast, good enough for jitter and ids in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Captured at import, so tests that also install vitest fake timers still settle real async work.
const realSetImmediate: (cb: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? globalThis.setImmediate.bind(globalThis)
    : (cb) => {
        globalThis.setTimeout(cb, 0);
      };

const macrotask = () => new Promise<void>((resolve) => realSetImmediate(resolve));

export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  let now = options.now ?? 1_700_000_000_000;
  let online = options.online ?? true;
  let visible = options.visible ?? true;
  let nextId = 1;
  const timers = new Map<number, FakeTimer>();
  const onlineListeners = new Set<(online: boolean) => void>();
  const visibilityListeners = new Set<(visible: boolean) => void>();
  const random = seededRandom(options.seed ?? 1);

  const nextDue = (limit: number): FakeTimer | undefined => {
    let best: FakeTimer | undefined;
    for (const timer of timers.values()) {
      if (timer.at <= limit && (!best || timer.at < best.at || (timer.at === best.at && timer.id < best.id))) best = timer;
    }
    return best;
  };

  /** Lets promise chains that hop through a few macrotasks (IndexedDB requests, streams) finish. */
  const settle = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) await macrotask();
  };

  const clock: FakeClock = {
    now: () => now,
    random,
    setTimeout(callback, ms) {
      const id = nextId++;
      const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
      timers.set(id, { id, at: now + delay, callback });
      return id;
    },
    clearTimeout(handle: TimerHandle) {
      timers.delete(handle as number);
    },
    isOnline: () => online,
    isVisible: () => visible,
    onOnline(listener) {
      onlineListeners.add(listener);
      return () => onlineListeners.delete(listener);
    },
    onVisibility(listener) {
      visibilityListeners.add(listener);
      return () => visibilityListeners.delete(listener);
    },
    async advance(ms) {
      const target = now + Math.max(0, ms);
      await settle(10);
      for (let timer = nextDue(target); timer; timer = nextDue(target)) {
        timers.delete(timer.id);
        now = Math.max(now, timer.at);
        timer.callback();
        await settle(3);
      }
      now = Math.max(now, target);
      await settle(10);
    },
    flush() {
      return clock.advance(0);
    },
    jump(ms) {
      now += Math.max(0, ms);
    },
    setOnline(value) {
      if (online === value) return;
      online = value;
      for (const listener of [...onlineListeners]) listener(value);
    },
    setVisible(value) {
      if (visible === value) return;
      visible = value;
      for (const listener of [...visibilityListeners]) listener(value);
    },
    get pendingTimers() {
      return timers.size;
    },
    get listenerCount() {
      return onlineListeners.size + visibilityListeners.size;
    },
  };
  return clock;
}
