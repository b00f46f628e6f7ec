import { RealtimeError, type PresenceEvent, type PresenceMember, type PresenceOp } from '@switchboard/core';

/**
 * The client event that carries switchboard presence data between members of a `presence-*` channel.
 * Pusher fixes a member's `user_info` when the auth endpoint signs the subscription; `enter(data)` and
 * `update(data)` travel as this client event instead, which Pusher stamps with the sender's `user_id`
 * (so no member can speak for another).
 */
export const PRESENCE_EVENT = 'client-switchboard-presence';

/** At most one presence client event per channel per this many ms (Pusher allows 10 client events/s). */
export const PRESENCE_INTERVAL_MS = 150;

type Wire = { readonly op: 'set'; readonly data: unknown } | { readonly op: 'clear' };

export interface PresenceDeps {
  readonly channel: string;
  readonly transport: string;
  readonly emit: (event: PresenceEvent) => void;
  readonly error: (error: RealtimeError) => void;
  /** Sends the client event; `false` when it could not be written. */
  readonly send: (payload: Wire) => boolean;
}

/**
 * One `presence-*` channel of one connection: Pusher's members (`user_id` → `user_info`, from
 * `subscription_succeeded`, `member_added`, `member_removed`) overlaid with what each switchboard member
 * announced. A member's data is what it last entered/updated with, else its `user_info`, else `null`.
 * A member that announced `leave()` is not listed while it stays subscribed (Pusher would list it until
 * it unsubscribes). Whoever has announced anything repeats it when a member joins, so newcomers agree.
 */
export class PusherPresence {
  readonly #d: PresenceDeps;
  readonly #info = new Map<string, unknown>();
  readonly #entered = new Map<string, unknown>();
  /** Members that announced they left while still subscribed. */
  readonly #left = new Set<string>();
  #synced = false;
  #me: string | undefined;
  /** What this client entered with (`undefined`: not entered). */
  #mine: { data: unknown } | undefined;
  /** This client announced something (enter, update or leave) on this connection. */
  #announced = false;
  #dirty = false;
  #lastSentAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(deps: PresenceDeps) {
    this.#d = deps;
  }

  /** This client's member id on the channel (from the signed `channel_data`, or the signed-in user). */
  setMe(userId: string | undefined): void {
    this.#me = userId;
  }

  /** `pusher_internal:subscription_succeeded`: the full member list. Returns false for a malformed one. */
  sync(data: unknown): boolean {
    const hash = (data as { presence?: { hash?: unknown } } | null)?.presence?.hash;
    if (typeof hash !== 'object' || hash === null) return false;
    this.#info.clear();
    this.#entered.clear();
    this.#left.clear();
    for (const [id, info] of Object.entries(hash)) this.#info.set(id, info);
    this.#synced = true;
    if (this.#me !== undefined && this.#announced) {
      if (this.#mine) this.#entered.set(this.#me, this.#mine.data);
      else this.#left.add(this.#me);
    }
    this.#d.emit({ action: 'sync', members: [...this.#info.keys()].filter((id) => !this.#left.has(id)).map((id) => this.#member(id)) });
    return true;
  }

  /** `pusher_internal:member_added`. Returns false for a malformed one. */
  added(data: unknown): boolean {
    const id = userId(data);
    if (id === undefined) return false;
    this.#info.set(id, (data as { user_info?: unknown }).user_info);
    this.#left.delete(id);
    this.#d.emit({ action: 'join', member: this.#member(id) });
    // The newcomer knows members only by their user_info: tell it what this client announced.
    if (this.#announced) this.#schedule();
    return true;
  }

  /** `pusher_internal:member_removed`. Returns false for a malformed one. */
  removed(data: unknown): boolean {
    const id = userId(data);
    if (id === undefined) return false;
    if (!this.#info.has(id)) return true;
    const member = this.#member(id);
    const listed = !this.#left.delete(id);
    this.#info.delete(id);
    this.#entered.delete(id);
    if (listed) this.#d.emit({ action: 'leave', member });
    return true;
  }

  /** A member's presence client event. Returns false for a malformed one. */
  received(from: string | undefined, data: unknown): boolean {
    const wire = data as Partial<Wire> | null;
    if (from === undefined || typeof wire !== 'object' || wire === null || (wire.op !== 'set' && wire.op !== 'clear')) return false;
    this.#change(from, wire.op === 'set' ? { data: (wire as { data?: unknown }).data ?? null } : undefined);
    return true;
  }

  /** The core's enter/update/leave for this client. */
  apply(op: PresenceOp): void {
    this.#mine = op.action === 'leave' ? undefined : { data: op.data };
    this.#announced = true;
    // Pusher does not echo client events to their sender: apply it to this client's own list too.
    if (this.#me !== undefined) this.#change(this.#me, this.#mine);
    this.#schedule();
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** A member entered/updated (`entered`) or left (`undefined`) while subscribed. */
  #change(id: string, entered: { data: unknown } | undefined): void {
    const wasListed = !this.#left.has(id);
    if (entered) {
      this.#entered.set(id, entered.data);
      this.#left.delete(id);
    } else {
      this.#entered.delete(id);
      this.#left.add(id);
    }
    if (!this.#synced || !this.#info.has(id)) return;
    if (entered) this.#d.emit({ action: wasListed ? 'update' : 'join', member: this.#member(id) });
    else if (wasListed) this.#d.emit({ action: 'leave', member: this.#member(id) });
  }

  #member(id: string): PresenceMember {
    return { id, data: this.#entered.has(id) ? this.#entered.get(id) : (this.#info.get(id) ?? null) };
  }

  /** Sends the current state now, or once the interval allows (last state wins). */
  #schedule(): void {
    this.#dirty = true;
    if (this.#timer !== null) return;
    const wait = this.#lastSentAt + PRESENCE_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.#flush();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, wait);
  }

  #flush(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#lastSentAt = Date.now();
    const payload: Wire = this.#mine ? { op: 'set', data: this.#mine.data } : { op: 'clear' };
    if (!this.#d.send(payload)) {
      this.#d.error(new RealtimeError('CONNECTION_LOST', `Presence data for ${this.#d.channel} could not be sent.`, { details: { channel: this.#d.channel, transport: this.#d.transport } }));
    }
  }
}

function userId(data: unknown): string | undefined {
  const id = (data as { user_id?: unknown } | null)?.user_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
