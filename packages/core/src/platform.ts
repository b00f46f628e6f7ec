/**
 * Everything the core needs from its environment, injected so that tests are deterministic and the
 * core runs in browsers, Node and React Native alike. Defaults read globals lazily, at call time:
 * importing this module touches nothing.
 */
export type TimerHandle = unknown;

export interface Platform {
  /** Wall-clock milliseconds. Deadlines are measured with it, so a sleeping laptop is noticed. */
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  isOnline(): boolean;
  isVisible(): boolean;
  /** Calls back with `true` on `online`, `false` on `offline`. Returns the unsubscribe. */
  onOnline(listener: (online: boolean) => void): () => void;
  /** Calls back with `true` when the page becomes visible, `false` when hidden. */
  onVisibility(listener: (visible: boolean) => void): () => void;
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

function eventTarget(value: unknown): EventTargetLike | undefined {
  const target = value as Partial<EventTargetLike> | undefined;
  return target && typeof target.addEventListener === 'function' && typeof target.removeEventListener === 'function'
    ? (target as EventTargetLike)
    : undefined;
}

function globalDocument(): (EventTargetLike & { visibilityState?: string }) | undefined {
  const doc = (globalThis as { document?: unknown }).document;
  return eventTarget(doc) as (EventTargetLike & { visibilityState?: string }) | undefined;
}

function listen(target: EventTargetLike | undefined, types: readonly string[], listener: () => void): () => void {
  if (!target) return () => {};
  for (const type of types) target.addEventListener(type, listener);
  return () => {
    for (const type of types) target.removeEventListener(type, listener);
  };
}

/** The platform built from globals: `Date.now`, `Math.random`, `setTimeout`, `navigator.onLine`, `document`. */
export const defaultPlatform: Platform = {
  now: () => Date.now(),
  random: () => Math.random(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  isOnline() {
    const nav = (globalThis as { navigator?: { onLine?: unknown } }).navigator;
    return typeof nav?.onLine === 'boolean' ? nav.onLine : true;
  },
  isVisible() {
    return globalDocument()?.visibilityState !== 'hidden';
  },
  onOnline(listener) {
    const target = eventTarget(globalThis);
    const offOnline = listen(target, ['online'], () => listener(true));
    const offOffline = listen(target, ['offline'], () => listener(false));
    return () => {
      offOnline();
      offOffline();
    };
  },
  onVisibility(listener) {
    const doc = globalDocument();
    return listen(doc, ['visibilitychange'], () => listener(doc?.visibilityState !== 'hidden'));
  },
};

const KEYS = /* @__PURE__ */ Object.keys(defaultPlatform) as (keyof Platform)[];

/**
 * Fills the gaps of a partial platform with the defaults. A complete platform is used as is (not
 * copied), so a test may still swap one of its functions after the client was created.
 */
export function resolvePlatform(platform: Partial<Platform> | undefined): Platform {
  if (!platform) return defaultPlatform;
  if (KEYS.every((key) => typeof platform[key] === 'function')) return platform as Platform;
  return { ...defaultPlatform, ...platform };
}
