import type { WireMember } from '../wire.js';

/** A change others in the channel must hear about. */
export interface PresenceChange {
  readonly channel: string;
  readonly action: 'join' | 'update' | 'leave';
  readonly member: WireMember;
}

interface Member {
  readonly id: string;
  data: unknown;
  /** Sockets holding this member (a user with two tabs on a `presence-*` channel is one member). */
  readonly sockets: Set<string>;
}

interface Suspended {
  readonly timer: ReturnType<typeof setTimeout>;
  /** Channels the socket has not entered again since it dropped. */
  readonly channels: Set<string>;
}

/**
 * Who is in each channel, for one server helper. A member id is the socket id, or the signed `user_id`
 * on `presence-*` channels. When a socket drops in a way socket.io may recover from, its presence is
 * kept for `graceMs`: entering again from the recovered socket confirms it silently (an `update` at
 * most), otherwise it leaves when the grace ends. Others never see a leave/join flicker for a blip.
 */
export class PresenceRegistry {
  readonly #channels = new Map<string, Map<string, Member>>();
  /** socket id → channel → member id. */
  readonly #bySocket = new Map<string, Map<string, string>>();
  readonly #suspended = new Map<string, Suspended>();

  constructor(private readonly emit: (change: PresenceChange) => void) {}

  members(channel: string): WireMember[] {
    const members = this.#channels.get(channel);
    return members ? [...members.values()].map((m) => ({ id: m.id, data: m.data })) : [];
  }

  /** Enter or update. Emits `join` for a new member, `update` for a known one. */
  enter(channel: string, socketId: string, memberId: string, data: unknown): void {
    this.#suspended.get(socketId)?.channels.delete(channel);
    let members = this.#channels.get(channel);
    if (!members) this.#channels.set(channel, (members = new Map()));
    let held = this.#bySocket.get(socketId);
    if (!held) this.#bySocket.set(socketId, (held = new Map()));
    const previous = held.get(channel);
    if (previous !== undefined && previous !== memberId) this.leave(channel, socketId);
    held.set(channel, memberId);
    const member = members.get(memberId);
    if (!member) {
      members.set(memberId, { id: memberId, data, sockets: new Set([socketId]) });
      return this.emit({ channel, action: 'join', member: { id: memberId, data } });
    }
    member.sockets.add(socketId);
    member.data = data;
    this.emit({ channel, action: 'update', member: { id: memberId, data } });
  }

  /** This socket leaves the channel's presence (a member leaves with its last socket). */
  leave(channel: string, socketId: string): void {
    const held = this.#bySocket.get(socketId);
    const memberId = held?.get(channel);
    if (memberId === undefined || !held) return;
    held.delete(channel);
    if (held.size === 0) this.#bySocket.delete(socketId);
    this.#suspended.get(socketId)?.channels.delete(channel);
    const members = this.#channels.get(channel);
    const member = members?.get(memberId);
    if (!members || !member) return;
    member.sockets.delete(socketId);
    if (member.sockets.size > 0) return;
    members.delete(memberId);
    if (members.size === 0) this.#channels.delete(channel);
    this.emit({ channel, action: 'leave', member: { id: memberId, data: member.data } });
  }

  /** The socket is gone for good: it leaves everywhere now. */
  drop(socketId: string): void {
    this.#clearSuspended(socketId);
    for (const channel of [...(this.#bySocket.get(socketId)?.keys() ?? [])]) this.leave(channel, socketId);
  }

  /** The socket dropped and may be recovered: it leaves the channels it has not re-entered after `graceMs`. */
  suspend(socketId: string, graceMs: number): void {
    const held = this.#bySocket.get(socketId);
    if (!held || held.size === 0) return;
    if (graceMs <= 0) return this.drop(socketId);
    this.#clearSuspended(socketId);
    const channels = new Set(held.keys());
    const timer = setTimeout(() => {
      this.#suspended.delete(socketId);
      for (const channel of channels) this.leave(channel, socketId);
    }, graceMs);
    timer.unref?.();
    this.#suspended.set(socketId, { timer, channels });
  }

  /** Forgets everything, without emitting (the helper is closing). */
  clear(): void {
    for (const socketId of [...this.#suspended.keys()]) this.#clearSuspended(socketId);
    this.#channels.clear();
    this.#bySocket.clear();
  }

  #clearSuspended(socketId: string): void {
    const suspended = this.#suspended.get(socketId);
    if (!suspended) return;
    clearTimeout(suspended.timer);
    this.#suspended.delete(socketId);
  }
}
