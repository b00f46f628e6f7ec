/** Time and timers, injected so tests can drive them. Timers never keep the process alive. */
export interface ServerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock; its timers are `unref`'d. */
export const systemClock: ServerClock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `tick` every `ms` until the returned stop function is called. */
export function every(clock: ServerClock, ms: number, tick: () => void): () => void {
  let handle: unknown = null;
  let stopped = false;
  const arm = () => {
    handle = clock.setTimeout(() => {
      if (stopped) return;
      try {
        tick();
      } finally {
        if (!stopped) arm();
      }
    }, ms);
  };
  arm();
  return () => {
    stopped = true;
    if (handle !== null) clock.clearTimeout(handle);
    handle = null;
  };
}
