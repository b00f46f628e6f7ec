import type { Platform, TimerHandle } from './platform.js';
import { Store, type ErrorSink, type Readable } from './store.js';
import type { PresenceEvent, PresenceMember, PresenceOp } from './transport.js';

export interface PresenceSnapshot<T = unknown> {
  /** Members in join order (a member that updates keeps its place). */
  readonly members: readonly PresenceMember<T>[];
  /** This client as a member, once it entered (optimistic until the server echoes it). */
  readonly me: PresenceMember<T> | null;
  /** `true` once a full member list arrived on the current connection. */
  readonly synced: boolean;
}

export interface PresenceOptions {
  /** Outgoing `update()` calls are throttled to one per this many ms; the last value wins. Default 60. */
  throttleMs: number;
}

export const DEFAULT_PRESENCE: Readonly<PresenceOptions> = /* @__PURE__ */ Object.freeze({ throttleMs: 60 });

export const EMPTY_PRESENCE: PresenceSnapshot<never> = /* @__PURE__ */ Object.freeze({ members: /* @__PURE__ */ Object.freeze([]), me: null, synced: false });

export interface PresenceDeps {
  platform: Platform;
  options: PresenceOptions;
  onError: ErrorSink;
  /** Sends an op if the channel is live on the wire; returns whether it was sent. */
  send: (op: PresenceOp) => boolean;
}

/**
 * Member map of one channel plus this client's own presence. Incoming join/update/leave are applied
 * incrementally, `sync` replaces the map. Outgoing updates are throttled (leading edge at once, then at
 * most one per window carrying the latest value).
 */
export class PresenceState<T = unknown> implements Readable<PresenceSnapshot<T>> {
  #d: PresenceDeps;
  #members = new Map<string, PresenceMember<T>>();
  #synced = false;
  #selfId: string | null = null;
  #entered = false;
  #myData: T | undefined;
  #lastSentAt = -Infinity;
  #trailing: TimerHandle | null = null;
  #store: Store<PresenceSnapshot<T>>;

  constructor(deps: PresenceDeps) {
    this.#d = deps;
    this.#store = new Store<PresenceSnapshot<T>>(EMPTY_PRESENCE as PresenceSnapshot<T>, deps.onError);
  }

  readonly subscribe = (listener: () => void) => this.#store.subscribe(listener);
  readonly getSnapshot = () => this.#store.getSnapshot();

  get entered(): boolean {
    return this.#entered;
  }

  get listenerCount(): number {
    return this.#store.listenerCount;
  }

  /** The id the server knows this client by in presence (from the connection handshake). */
  setSelfId(id: string | null): void {
    if (id === this.#selfId) return;
    this.#selfId = id;
    this.#rebuild();
  }

  apply(event: PresenceEvent): void {
    const e = event as PresenceEvent<T>;
    switch (e.action) {
      case 'sync':
        this.#members = new Map(e.members.map((m) => [m.id, m]));
        this.#synced = true;
        break;
      case 'join':
      case 'update':
        this.#members.set(e.member.id, e.member);
        break;
      case 'leave':
        if (!this.#members.delete(e.member.id)) return;
        break;
    }
    this.#rebuild();
  }

  enter(data: T): void {
    this.#entered = true;
    this.#myData = data;
    this.#clearTrailing();
    if (this.#d.send({ action: 'enter', data })) this.#lastSentAt = this.#d.platform.now();
    this.#rebuild();
  }

  update(data: T): void {
    if (!this.#entered) return this.enter(data);
    this.#myData = data;
    this.#rebuild();
    const { platform, options } = this.#d;
    const wait = this.#lastSentAt + options.throttleMs - platform.now();
    if (wait <= 0 && this.#trailing === null) {
      if (this.#d.send({ action: 'update', data })) this.#lastSentAt = platform.now();
    } else if (this.#trailing === null) {
      this.#trailing = platform.setTimeout(() => {
        this.#trailing = null;
        if (this.#entered && this.#d.send({ action: 'update', data: this.#myData as T })) this.#lastSentAt = platform.now();
      }, Math.max(0, wait));
    }
  }

  leave(): void {
    if (!this.#entered) return;
    this.#entered = false;
    this.#myData = undefined;
    this.#clearTrailing();
    this.#d.send({ action: 'leave' });
    this.#rebuild();
  }

  /** The channel is (re)subscribed on a new connection: re-enter with the latest data. */
  resume(): void {
    this.#synced = false;
    if (this.#entered) {
      this.#clearTrailing();
      if (this.#d.send({ action: 'enter', data: this.#myData as T })) this.#lastSentAt = this.#d.platform.now();
    }
    this.#rebuild();
  }

  /** The connection is gone: the member list is kept (last known) but no longer `synced`. */
  markStale(): void {
    if (!this.#synced) return;
    this.#synced = false;
    this.#rebuild();
  }

  dispose(): void {
    this.#clearTrailing();
    this.#store.clear();
  }

  #clearTrailing(): void {
    if (this.#trailing !== null) this.#d.platform.clearTimeout(this.#trailing);
    this.#trailing = null;
  }

  #rebuild(): void {
    const selfId = this.#selfId;
    const echoed = selfId === null ? undefined : this.#members.get(selfId);
    let me: PresenceMember<T> | null = null;
    if (this.#entered) {
      // The local value is the freshest; the server's echo supplies the id.
      me = Object.freeze({ id: echoed?.id ?? selfId ?? '', data: this.#myData as T });
    }
    const prev = this.#store.getSnapshot();
    const members = [...this.#members.values()];
    const same =
      prev.synced === this.#synced &&
      sameMember(prev.me, me) &&
      prev.members.length === members.length &&
      prev.members.every((m, i) => m === members[i]);
    if (same) return;
    this.#store.set(Object.freeze({ members: Object.freeze(members), me, synced: this.#synced }));
  }
}

function sameMember<T>(a: PresenceMember<T> | null, b: PresenceMember<T> | null): boolean {
  return a === b || (a !== null && b !== null && a.id === b.id && Object.is(a.data, b.data));
}
