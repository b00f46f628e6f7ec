import { PRESENCE_ACTIONS, type WireMessage, type WirePresence } from './ably-protocol.js';

/** One message kept in a channel's history, with the serial it was published under. */
export interface StoredMessage {
  readonly serial: string;
  readonly seq: number;
  readonly message: WireMessage;
  readonly protocolId: string;
  readonly connectionId: string | undefined;
}

export interface Member {
  readonly clientId: string;
  readonly connectionId: string;
  data: unknown;
  encoding: string | undefined;
  id: string;
  timestamp: number;
}

/**
 * A channel's server-side state: its serial counter, a bounded history (for resume from a
 * `channelSerial` and for `rewind`), the ids seen recently (idempotent publishing) and the presence set.
 * Lives in the peer object, so it survives `kill()` as a broker's state would.
 */
export class ChannelState {
  seq = 0;
  readonly history: StoredMessage[] = [];
  /** Oldest serial number still in `history` (serials before it cannot be resumed from). */
  firstSeq = 1;
  readonly seenIds = new Map<string, true>();
  readonly members = new Map<string, Member>();
  attaches = 0;

  constructor(
    readonly name: string,
    private readonly historySize: number,
    private readonly dedupSize: number,
  ) {}

  get latestSerial(): string {
    return serialOf(this.seq);
  }

  /** Records a message id; `false` if it was seen before (a resend after a lost ack). */
  remember(id: string): boolean {
    if (this.seenIds.has(id)) return false;
    this.seenIds.set(id, true);
    if (this.seenIds.size > this.dedupSize) {
      const oldest = this.seenIds.keys().next().value;
      if (oldest !== undefined) this.seenIds.delete(oldest);
    }
    return true;
  }

  append(message: WireMessage, protocolId: string, connectionId: string | undefined): StoredMessage {
    const seq = ++this.seq;
    const stored: StoredMessage = { serial: serialOf(seq), seq, message: { ...message, serial: serialOf(seq) }, protocolId, connectionId };
    this.history.push(stored);
    if (this.history.length > this.historySize) {
      this.history.shift();
      this.firstSeq = this.history[0]?.seq ?? this.seq + 1;
    }
    return stored;
  }

  /**
   * Messages after `serial`, or `null` when the peer cannot tell what came after it (unknown serial,
   * or history trimmed past it): the attach is then not `RESUMED`.
   */
  since(serial: string): StoredMessage[] | null {
    const seq = seqOf(serial);
    if (seq === null || seq > this.seq) return null;
    if (seq < this.firstSeq - 1) return null;
    return this.history.filter((m) => m.seq > seq);
  }

  /** The last `count` messages (channel param `rewind=<count>`). */
  last(count: number): StoredMessage[] {
    return count <= 0 ? [] : this.history.slice(-count);
  }

  /** Forgets history (resume from any earlier serial becomes impossible). */
  forget(): void {
    this.history.length = 0;
    this.firstSeq = this.seq + 1;
  }

  memberKey(connectionId: string, clientId: string): string {
    return `${connectionId}:${clientId}`;
  }

  presenceOf(member: Member, action: (typeof PRESENCE_ACTIONS)[number]): WirePresence {
    return {
      action: PRESENCE_ACTIONS.indexOf(action),
      id: member.id,
      clientId: member.clientId,
      connectionId: member.connectionId,
      data: member.data,
      ...(member.encoding ? { encoding: member.encoding } : {}),
      timestamp: member.timestamp,
    };
  }
}

/** Serials are zero-padded so that they also sort as strings. */
export const serialOf = (seq: number) => `s${String(seq).padStart(12, '0')}`;

export function seqOf(serial: string): number | null {
  const match = /^s(\d{12})$/.exec(serial);
  return match ? Number(match[1]) : null;
}
