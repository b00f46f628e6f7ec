import type { PresenceEntry } from '../broker.js';

interface Held {
  readonly channel: string;
  readonly entry: PresenceEntry;
  expiresAt: number;
}

const keyOf = (channel: string, session: string) => `${channel} ${session}`;

/**
 * This process' own presence entries, kept locally so they survive a Redis outage: while Redis is
 * unreachable, sets, touches and removes land here; when it is back, `reconcile()` says what to write
 * again (entries still alive, with their remaining time) and what to remove. Entries of other
 * processes are not held: a process that dies simply stops touching its entries, and they expire.
 */
export class PresenceMirror {
  readonly #held = new Map<string, Held>();
  /** Removed while Redis could not be told. */
  readonly #removed = new Map<string, { channel: string; session: string }>();

  set(channel: string, entry: PresenceEntry, expiresAt: number): void {
    const key = keyOf(channel, entry.session);
    this.#held.set(key, { channel, entry, expiresAt });
    this.#removed.delete(key);
  }

  touch(session: string, channels: readonly string[], expiresAt: number): void {
    for (const channel of channels) {
      const held = this.#held.get(keyOf(channel, session));
      if (held) held.expiresAt = expiresAt;
    }
  }

  remove(channel: string, session: string): void {
    this.#held.delete(keyOf(channel, session));
  }

  /** Remembers a removal Redis did not get (it was unreachable). */
  removeLater(channel: string, session: string): void {
    this.#held.delete(keyOf(channel, session));
    this.#removed.set(keyOf(channel, session), { channel, session });
  }

  /** Forgets entries whose time is up (Redis' sweep removes them there). */
  expire(now: number): void {
    for (const [key, held] of this.#held) if (held.expiresAt <= now) this.#held.delete(key);
  }

  /** What to write to Redis after an outage; clears the pending removals. */
  reconcile(now: number): { set: { channel: string; entry: PresenceEntry; ttlMs: number }[]; remove: { channel: string; session: string }[] } {
    this.expire(now);
    const remove = [...this.#removed.values()];
    this.#removed.clear();
    const set = [...this.#held.values()].map((held) => ({ channel: held.channel, entry: held.entry, ttlMs: held.expiresAt - now }));
    return { set, remove };
  }

  get size(): number {
    return this.#held.size;
  }

  clear(): void {
    this.#held.clear();
    this.#removed.clear();
  }
}
