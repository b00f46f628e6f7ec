import type { WireMember } from '@switchboard/core/protocol';

/** A message as the broker stores and fans it out. */
export interface BrokerMessage {
  readonly channel: string;
  /** Unique per channel, ordered, never reused (not even after a restart): the resume cursor. */
  readonly offset: string;
  readonly event: string;
  readonly data: unknown;
  /** Client id of the publish (the dedup key), when it came from a client's outbox. */
  readonly clientMessageId?: string;
  /** Server time (ms since epoch). */
  readonly ts: number;
}

export type BrokerEvent =
  | { readonly kind: 'message'; readonly message: BrokerMessage }
  | {
      readonly kind: 'presence';
      readonly channel: string;
      readonly action: 'join' | 'update' | 'leave';
      readonly member: WireMember;
      /** The channel's presence version after this change. */
      readonly version: number;
    }
  | {
      /** The whole member list, after the broker could not follow changes (a reconnect to Redis). */
      readonly kind: 'sync';
      readonly channel: string;
      readonly members: readonly WireMember[];
      readonly version: number;
    }
  | {
      /**
       * Messages of the channel may have been missed and cannot be replayed (history lost or trimmed
       * while the broker was cut off): subscribers should reconnect, so their clients resume from
       * their own cursors and learn about the gap.
       */
      readonly kind: 'reset';
      readonly channel: string;
    };

export interface PublishInput {
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** Deduplicate on this id within the broker's window (a resend gets the first offset back). */
  readonly clientMessageId?: string;
  /** Fan out only: not kept in history, not deduplicated. */
  readonly volatile?: boolean;
}

export interface PublishOutcome {
  readonly offset: string;
  /** `true` when `clientMessageId` was already published: nothing was fanned out again. */
  readonly duplicate: boolean;
}

export interface HistoryResult {
  /** `true` when everything after the cursor is in `messages` (nothing was evicted, same epoch). */
  readonly resumed: boolean;
  /** Messages after the cursor (or after `from`), oldest first; empty unless `resumed` or `from` is set. */
  readonly messages: readonly BrokerMessage[];
  /** The channel's latest offset, or `null` if nothing was ever published. */
  readonly head: string | null;
  /**
   * Not resumed, yet `messages` follow on from this offset: the cursor is of an earlier epoch (a broker
   * that restarted empty), and everything of the current epoch is still in history, so the client gets
   * all of it — what was published while it was away — along with the discontinuity.
   */
  readonly from?: string;
}

export interface PresenceList {
  /** Increases with every join, update and leave of the channel. */
  readonly version: number;
  readonly members: readonly WireMember[];
}

/** One session's entry in a channel's presence. */
export interface PresenceEntry {
  /** The session (connection) holding the entry. */
  readonly session: string;
  /** The member it counts as: several sessions of one user are one member. */
  readonly member: WireMember;
}

/** What a broker reports to `/health`. */
export interface BrokerHealth {
  /** `degraded`: the broker lost its backend (Redis) and serves what it can until it is back. */
  readonly status: 'ok' | 'degraded';
  /** Human-readable detail, e.g. `redis: reconnecting`. */
  readonly detail?: string;
  /** Times the backend came back after being lost. */
  readonly reconnects?: number;
}

/**
 * Where messages, history and presence live. The in-memory broker serves one process; a Redis broker
 * (pub/sub + Streams) serves several. Every method may be asynchronous, so a networked broker fits.
 *
 * Listeners are called synchronously or not, in publish order per channel, and must not throw.
 */
export interface Broker {
  /** Stores (unless volatile) and fans out. Deduplicates on `clientMessageId`. */
  publish(input: PublishInput): Promise<PublishOutcome>;
  /** Messages after `cursor` (`null`: none, live from the head). */
  history(channel: string, cursor: string | null): Promise<HistoryResult>;
  /** Fan-out of messages and presence changes of one channel. Resolves with the unsubscribe. */
  subscribe(channel: string, listener: (event: BrokerEvent) => void): Promise<() => void>;
  /** Adds or refreshes a session's presence; emits `join` (new member) or `update` (data changed). */
  presenceSet(channel: string, entry: PresenceEntry, ttlMs: number): Promise<void>;
  /** Sets the expiry of a session's entries in these channels to now + `ttlMs` (a poll, a heartbeat, a grace period). */
  presenceTouch(session: string, channels: readonly string[], ttlMs: number): Promise<void>;
  /** Removes a session's entry; emits `leave` when it was the member's last session. */
  presenceRemove(channel: string, session: string): Promise<void>;
  presenceList(channel: string): Promise<PresenceList>;
  /** Current health; brokers without a backend to lose are always `ok`. */
  health?(): BrokerHealth;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
