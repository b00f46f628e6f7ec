/**
 * The reactive primitive under every public snapshot: a bound `subscribe(listener) → unsubscribe` and a
 * `getSnapshot()` whose reference changes only when the value does — exactly what `useSyncExternalStore`
 * needs.
 */
export type Listener = () => void;
export type Unsubscribe = () => void;

/** Read side of a store, as exposed publicly. */
export interface Readable<T> {
  /** Calls `listener` after every change. Returns the unsubscribe. Bound: safe to pass around. */
  readonly subscribe: (listener: Listener) => Unsubscribe;
  /** The current value; the same reference until something changed. Bound. */
  readonly getSnapshot: () => T;
}

/** Where listener exceptions go: a listener that throws never stops the others. */
export type ErrorSink = (error: unknown) => void;

const rethrowLater: ErrorSink = (error) => {
  queueMicrotask(() => {
    throw error;
  });
};

export class Store<T> implements Readable<T> {
  #value: T;
  #listeners = new Set<Listener>();
  #onError: ErrorSink;

  constructor(initial: T, onError: ErrorSink = rethrowLater) {
    this.#value = initial;
    this.#onError = onError;
  }

  readonly subscribe = (listener: Listener): Unsubscribe => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): T => this.#value;

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Replaces the value and notifies, unless it is the same reference. */
  set(next: T): void {
    if (Object.is(next, this.#value)) return;
    this.#value = next;
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/** Copies `patch` onto `base` and returns a new object only if some field actually changed. */
export function patchObject<T extends object>(base: T, patch: Partial<T>): T {
  for (const key in patch) {
    if (!Object.is(base[key], patch[key])) return Object.freeze({ ...base, ...patch });
  }
  return base;
}

/** Event name → listener argument tuple. */
export type EventMap<T> = { [K in keyof T]: unknown[] };
type AnyListener = (...args: never[]) => void;

/** A small typed event emitter with the same error isolation as `Store`. */
export class Emitter<Events extends EventMap<Events>> {
  #listeners = new Map<keyof Events, Set<AnyListener>>();
  #onError: ErrorSink;

  constructor(onError: ErrorSink = rethrowLater) {
    this.#onError = onError;
  }

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): Unsubscribe {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return () => {
      set.delete(listener as unknown as AnyListener);
      if (set.size === 0 && this.#listeners.get(event) === set) this.#listeners.delete(event);
    };
  }

  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as (...a: Events[K]) => void)(...args);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }

  clear(): void {
    this.#listeners.clear();
  }
}
