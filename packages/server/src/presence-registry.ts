import type { WireMember } from '@switchboard/core/protocol';
import type { BrokerEvent, PresenceEntry, PresenceList } from './broker.js';
import type { ServerClock } from './clock.js';

interface Member {
  data: unknown;
  json: string;
  sessions: Set<string>;
}

/** Kept once created (a few bytes), so a channel's version never goes back. */
interface ChannelPresence {
  version: number;
  /** session → member id and expiry */
  entries: Map<string, { memberId: string; expiresAt: number }>;
  members: Map<string, Member>;
}

const toJson = (value: unknown) => {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return String(Math.random());
  }
};

/**
 * Who is present in which channel, per session, with a time to live. Several sessions of one member
 * (two tabs of one user) are one member: `join` on the first, `leave` after the last. Entries that are
 * not refreshed expire and leave, so a client that vanished without a word is gone within its TTL.
 */
export class PresenceRegistry {
  #channels = new Map<string, ChannelPresence>();
  #clock: ServerClock;
  #emit: (event: Extract<BrokerEvent, { kind: 'presence' }>) => void;
  #timer: unknown = null;
  #timerAt = Infinity;

  constructor(clock: ServerClock, emit: (event: Extract<BrokerEvent, { kind: 'presence' }>) => void) {
    this.#clock = clock;
    this.#emit = emit;
  }

  set(channel: string, entry: PresenceEntry, ttlMs: number): void {
    let cp = this.#channels.get(channel);
    if (!cp) this.#channels.set(channel, (cp = { version: 0, entries: new Map(), members: new Map() }));
    const existing = cp.entries.get(entry.session);
    if (existing && existing.memberId !== entry.member.id) this.remove(channel, entry.session);
    const expiresAt = this.#clock.now() + ttlMs;
    cp.entries.set(entry.session, { memberId: entry.member.id, expiresAt });
    const json = toJson(entry.member.data);
    const member = cp.members.get(entry.member.id);
    if (!member) {
      cp.members.set(entry.member.id, { data: entry.member.data, json, sessions: new Set([entry.session]) });
      this.#changed(channel, cp, 'join', entry.member);
    } else {
      member.sessions.add(entry.session);
      if (member.json !== json) {
        member.data = entry.member.data;
        member.json = json;
        this.#changed(channel, cp, 'update', entry.member);
      }
    }
    this.#arm(expiresAt);
  }

  /** Sets the expiry of a session's entries in these channels to now + `ttlMs` (shorter or longer). */
  touch(session: string, channels: readonly string[], ttlMs: number): void {
    const expiresAt = this.#clock.now() + ttlMs;
    for (const channel of channels) {
      const entry = this.#channels.get(channel)?.entries.get(session);
      if (!entry) continue;
      entry.expiresAt = expiresAt;
      this.#arm(expiresAt);
    }
  }

  remove(channel: string, session: string): void {
    const cp = this.#channels.get(channel);
    const entry = cp?.entries.get(session);
    if (!cp || !entry) return;
    cp.entries.delete(session);
    const member = cp.members.get(entry.memberId);
    if (member) {
      member.sessions.delete(session);
      if (member.sessions.size === 0) {
        cp.members.delete(entry.memberId);
        this.#changed(channel, cp, 'leave', { id: entry.memberId, data: member.data });
      }
    }
  }

  list(channel: string): PresenceList {
    const cp = this.#channels.get(channel);
    if (!cp) return { version: 0, members: [] };
    return { version: cp.version, members: [...cp.members].map(([id, m]) => ({ id, data: m.data })) };
  }

  /** Number of (channel, session) entries: for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const cp of this.#channels.values()) n += cp.entries.size;
    return n;
  }

  close(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
    this.#channels.clear();
  }

  #changed(channel: string, cp: ChannelPresence, action: 'join' | 'update' | 'leave', member: WireMember): void {
    cp.version++;
    this.#emit({ kind: 'presence', channel, action, member, version: cp.version });
  }

  #arm(at: number): void {
    if (at >= this.#timerAt) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), Math.max(0, at - this.#clock.now()));
  }

  #sweep(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [channel, cp] of this.#channels) {
      for (const [session, entry] of [...cp.entries]) {
        if (entry.expiresAt <= now) this.remove(channel, session);
        else next = Math.min(next, entry.expiresAt);
      }
    }
    if (next !== Infinity) this.#arm(next);
  }
}
