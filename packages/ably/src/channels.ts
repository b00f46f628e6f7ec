import { RealtimeError, type OutgoingMessage, type PresenceMember, type PresenceOp, type TransportHandler } from '@switchboard/core';
import type { ChannelOptions, ChannelStateChange, InboundMessage, PresenceMessage, Realtime, RealtimeChannel } from 'ably';
import { TRANSPORT, fromAblyError, isRefusal } from './errors.js';

interface Link {
  readonly name: string;
  readonly channel: RealtimeChannel;
  /** The core wants this channel subscribed. */
  wanted: boolean;
  /** `subscribed` was reported for the current connection period. */
  reported: boolean;
  /** The connection period (`opens`) in which the core last subscribed it. */
  subscribedIn: number;
  /** Whether ably-js's last attach of it kept continuity (`null`: not attached yet). */
  resumed: boolean | null;
}

export interface LinkOptions {
  readonly rewind: number | string | undefined;
  readonly maxFrameBytes: number;
  readonly closed: () => boolean;
}

const noop = () => {};
const encoder = new TextEncoder();

/** Bytes of a payload, as near as can be told after ably-js decoded it. */
function sizeOf(data: unknown, limit: number): number {
  if (data === undefined || data === null) return 0;
  if (typeof data === 'string') return data.length * 3 <= limit ? data.length : encoder.encode(data).length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  const json = JSON.stringify(data) ?? '';
  return json.length * 3 <= limit ? json.length : encoder.encode(json).length;
}

/**
 * ably-js publishes strings, binary, objects, arrays and null as they are; other JSON values (numbers,
 * booleans) travel as Ably's own `json` encoding, which every Ably SDK decodes back to the value.
 */
function wireData(data: unknown): { data: unknown; encoding?: string } {
  return typeof data === 'number' || typeof data === 'boolean' ? { data: JSON.stringify(data), encoding: 'json' } : { data };
}

const toMember = (message: PresenceMessage): PresenceMember => ({ id: message.connectionId, data: message.data });

/**
 * The channels of one ably-js client, as the core sees them. ably-js re-attaches channels by itself
 * after it resumes a connection; this keeps the core's view in step: one `subscribed` per
 * subscription and connection period (with ably's `resumed` flag, so a gap becomes a discontinuity),
 * and channels the core no longer wants are detached.
 */
export class ChannelLinks {
  #links = new Map<string, Link>();
  #opens = 0;

  constructor(
    private readonly realtime: Realtime,
    private readonly handler: TransportHandler,
    private readonly options: LinkOptions,
  ) {}

  /** Runs `open` (the core resubscribes inside it), then detaches what it did not resubscribe. */
  open(open: () => void): void {
    const period = ++this.#opens;
    open();
    for (const link of this.#links.values()) {
      if (link.subscribedIn !== period && (link.wanted || link.channel.state === 'attaching')) this.#leave(link);
    }
  }

  /**
   * Marks the channels of a recovered connection attaching before it connects, so ably-js sends their
   * ATTACH (with the serial from the recovery key) the moment it is connected. Messages the server sends
   * before that would otherwise move a channel's serial past messages ably-js drops (it delivers only on
   * attached channels), and the core resubscribes a tick later.
   */
  attachRecovered(names: readonly string[]): void {
    for (const name of names) this.#link(name).channel.attach().catch(noop);
  }

  /** The connection is down: nothing counts as subscribed until the core subscribes again. */
  lost(): void {
    for (const link of this.#links.values()) {
      link.reported = false;
      link.resumed = null;
    }
  }

  subscribe(name: string): void {
    const link = this.#link(name);
    link.wanted = true;
    link.reported = false;
    link.subscribedIn = this.#opens;
    const state = link.channel.state;
    // Attached before the core asked (all along, or re-attached by ably-js already).
    if (state === 'attached') return this.#attached(link, link.resumed ?? true);
    // Already attaching (ably-js re-attaches after a resume): the `attached` event reports it.
    if (state !== 'attaching') link.channel.attach().catch(noop);
  }

  unsubscribe(name: string): void {
    const link = this.#links.get(name);
    if (link) this.#leave(link);
  }

  publish(message: OutgoingMessage): void {
    const { id, channel: name } = message;
    const link = this.#link(name);
    link.channel.publish({ id, name: message.event, ...wireData(message.data) }).then(
      () => !this.options.closed() && this.handler.ack(id),
      (error: unknown) => {
        // Lost with the connection: the outbox sends it again after the reconnect (same id).
        if (this.options.closed() || !this.#refused(error)) return;
        this.handler.nack(id, fromAblyError(error, 'PUBLISH_REJECTED', { messageId: id, channel: name }));
      },
    );
  }

  presence(name: string, op: PresenceOp): void {
    const presence = this.#link(name).channel.presence;
    const run = op.action === 'leave' ? presence.leave() : op.action === 'enter' ? presence.enter(op.data) : presence.update(op.data);
    run.catch((error: unknown) => {
      if (this.options.closed() || !this.#refused(error)) return;
      this.handler.error(fromAblyError(error, 'PUBLISH_REJECTED', { channel: name, presence: op.action }));
    });
  }

  /**
   * A refusal (Ably's NACK, ably-js's own checks, a failed channel) as opposed to an operation lost with
   * the connection — which is not failed: the core sends it again once reconnected.
   */
  #refused(error: unknown): boolean {
    return isRefusal(error) || this.realtime.connection.state === 'connected';
  }

  #link(name: string): Link {
    let link = this.#links.get(name);
    if (link) return link;
    const options: ChannelOptions = { attachOnSubscribe: false, ...(this.options.rewind === undefined ? {} : { params: { rewind: String(this.options.rewind) } }) };
    let channel: RealtimeChannel;
    try {
      channel = this.realtime.channels.get(name, options);
    } catch {
      // Options cannot change on a channel ably-js already attached (e.g. recovered): keep its own.
      channel = this.realtime.channels.get(name);
    }
    link = { name, channel, wanted: false, reported: false, subscribedIn: -1, resumed: null };
    const current = link;
    channel.on((change: ChannelStateChange) => this.#onState(current, change));
    channel.subscribe((message: InboundMessage) => this.#onMessage(current, message)).catch(noop);
    channel.presence.subscribe((message: PresenceMessage) => this.#onPresence(current, message)).catch(noop);
    this.#links.set(name, link);
    return link;
  }

  #leave(link: Link): void {
    link.wanted = false;
    link.reported = false;
    const { channel, name } = link;
    if (channel.state !== 'attached' && channel.state !== 'attaching') return;
    channel.detach().then(() => {
      // Forget channels nobody wants (an app may go through many over a session).
      if (link.wanted || this.#links.get(name) !== link || this.options.closed()) return;
      this.#links.delete(name);
      channel.off();
      channel.unsubscribe();
      channel.presence.unsubscribe();
      try {
        this.realtime.channels.release(name);
      } catch {
        // still in use by ably-js: it stays in its registry
      }
    }, noop);
  }

  #onState(link: Link, change: ChannelStateChange): void {
    if (change.current === 'attached') link.resumed = change.previous === 'attached' && change.resumed ? link.resumed : change.resumed;
    if (this.options.closed() || !link.wanted) return;
    if (change.current === 'attached') {
      // Also an UPDATE (`previous === current`) on an attached channel: not resumed means messages were lost.
      this.#attached(link, change.resumed);
    } else if (change.current === 'failed') {
      link.wanted = false;
      link.reported = false;
      this.handler.subscribeFailed(link.name, fromAblyError(change.reason, 'CHANNEL_REFUSED', { channel: link.name }));
    }
    // `suspended`: ably-js retries the attach itself; the core keeps showing `subscribing`/`subscribed`.
  }

  #attached(link: Link, resumed: boolean): void {
    if (!link.reported) {
      link.reported = true;
      this.handler.subscribed(link.name, { resumed });
    } else if (!resumed) {
      // Re-attached on its own (server DETACHED, or an UPDATE) without continuity.
      this.handler.discontinuity(link.name);
    }
    this.#sync(link);
  }

  #sync(link: Link): void {
    link.channel.presence.get().then(
      (members) => {
        if (this.options.closed() || !link.wanted) return;
        this.handler.presence(link.name, { action: 'sync', members: members.map(toMember) });
      },
      noop,
    );
  }

  #onMessage(link: Link, message: InboundMessage): void {
    if (this.options.closed() || !link.wanted) return;
    const bytes = sizeOf(message.data, this.options.maxFrameBytes);
    if (bytes > this.options.maxFrameBytes) {
      this.handler.error(
        new RealtimeError('FRAME_TOO_LARGE', `A message on "${link.name}" is ${bytes} bytes; the limit is ${this.options.maxFrameBytes}.`, {
          details: { transport: TRANSPORT, channel: link.name, event: message.name, limit: this.options.maxFrameBytes },
        }),
      );
      return;
    }
    const own = message.connectionId !== undefined && message.connectionId === this.realtime.connection.id;
    this.handler.message({
      channel: link.name,
      event: message.name ?? '',
      data: message.data,
      id: message.id,
      ...(message.serial ? { cursor: message.serial } : {}),
      ...(typeof message.timestamp === 'number' ? { timestamp: message.timestamp } : {}),
      ...(own ? { clientMessageId: message.id } : {}),
    });
  }

  #onPresence(link: Link, message: PresenceMessage): void {
    if (this.options.closed() || !link.wanted) return;
    const action = message.action === 'enter' ? 'join' : message.action === 'update' ? 'update' : message.action === 'leave' ? 'leave' : null;
    // `present` only comes with a SYNC, which `#sync` reports whole once it is complete.
    if (action) this.handler.presence(link.name, { action, member: toMember(message) });
  }
}
