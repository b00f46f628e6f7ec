import { RealtimeError, type OutgoingMessage, type PresenceOp, type TransportHandler } from '@switchboard/core';
import { presenceUserOf } from './auth.js';
import { isPresenceChannel, isValidPusherChannel, jsonBytes, type ResolvedOptions } from './options.js';
import { PRESENCE_EVENT, PusherPresence } from './presence.js';
import type { ChannelAuthData, PusherDriver, PusherEvent } from './sdk.js';

/** Client events published before their channel's subscription succeeded wait, up to this many per channel. */
const MAX_HELD = 100;

interface ChannelState {
  subscribed: boolean;
  /** `presence-*`: this client's member id (the `user_id` signed into `channel_data`, or the signed-in user). */
  memberId: string | undefined;
  readonly presence: PusherPresence | null;
  readonly held: OutgoingMessage[];
}

export interface ChannelsDeps {
  readonly transport: string;
  readonly config: ResolvedOptions;
  readonly driver: PusherDriver;
  readonly handler: TransportHandler;
  readonly authorize: (socketId: string, channel: string) => Promise<ChannelAuthData>;
}

/**
 * The channels of one connection: subscriptions through pusher-js, inbound events mapped to the core's
 * messages and presence events, client events (held until the subscription succeeded).
 */
export class PusherChannels {
  readonly #d: ChannelsDeps;
  readonly #states = new Map<string, ChannelState>();
  readonly #warned = new Set<string>();
  #me: string | undefined;

  constructor(deps: ChannelsDeps) {
    this.#d = deps;
  }

  /** The signed-in user (Pusher user authentication), the presence member id when `channel_data` has none. */
  setMe(userId: string | undefined): void {
    this.#me = userId;
  }

  has(channel: string): boolean {
    return this.#states.has(channel);
  }

  subscribe(channel: string): void {
    const { transport } = this.#d;
    if (!isValidPusherChannel(channel)) {
      const error = new RealtimeError('CHANNEL_REFUSED', `"${channel.slice(0, 60)}" is not a Pusher channel name (letters, digits and _ - = @ , . ; only, at most 164 characters).`, {
        details: { channel, transport },
      });
      return queueMicrotask(() => this.#d.handler.subscribeFailed(channel, error));
    }
    if (this.#states.has(channel)) return;
    this.#states.set(channel, { subscribed: false, memberId: undefined, presence: isPresenceChannel(channel) ? this.#presenceOf(channel) : null, held: [] });
    try {
      this.#d.driver.subscribe(channel);
    } catch (cause) {
      // e.g. private-encrypted-* without pusher-js/with-encryption
      this.#drop(channel, 'the channel was refused');
      const error = new RealtimeError('CAPABILITY_MISSING', `pusher-js cannot subscribe to ${channel}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { channel, transport } });
      queueMicrotask(() => this.#d.handler.subscribeFailed(channel, error));
    }
  }

  unsubscribe(channel: string): void {
    if (!this.#states.has(channel)) return;
    this.#drop(channel, 'the channel was left before its subscription succeeded');
    this.#d.driver.unsubscribe(channel);
  }

  /** Signs a subscription of this connection; a refusal fails the channel (not the connection). */
  async authorizeFor(socketId: string, channel: string): Promise<ChannelAuthData> {
    try {
      const data = await this.#d.authorize(socketId, channel);
      const state = this.#states.get(channel);
      if (state?.presence) {
        state.memberId = presenceUserOf(data.channel_data) ?? this.#me;
        state.presence.setMe(state.memberId);
      }
      return data;
    } catch (error) {
      if (this.#states.has(channel)) {
        this.#drop(channel, 'the channel was refused');
        this.#d.driver.forget(channel);
        const reason = error instanceof RealtimeError ? error : new RealtimeError('AUTH_ERROR', String(error), { cause: error, details: { channel, transport: this.#d.transport } });
        this.#d.handler.subscribeFailed(channel, reason);
      }
      throw error;
    }
  }

  /** `pusher_internal:*` events. */
  internalEvent(event: PusherEvent): void {
    const { channel = '', data } = event;
    const state = this.#states.get(channel);
    switch (event.event) {
      case 'pusher_internal:subscription_succeeded':
        if (!state || state.subscribed) return;
        state.subscribed = true;
        // No `resumed`: Pusher keeps no history, so a resubscription is a gap. `memberId` makes `me` the signed user.
        this.#d.handler.subscribed(channel, state.memberId === undefined ? {} : { memberId: state.memberId });
        if (state.presence && !state.presence.sync(data)) this.#malformed(event);
        for (const message of state.held.splice(0)) this.#send(message);
        return;
      case 'pusher_internal:member_added':
      case 'pusher_internal:member_removed': {
        if (!state?.presence || !state.subscribed) return;
        const ok = event.event === 'pusher_internal:member_added' ? state.presence.added(data) : state.presence.removed(data);
        if (!ok) this.#malformed(event);
        return;
      }
      case 'pusher_internal:subscription_count':
        return;
      default:
        this.#d.handler.error(new RealtimeError('UNKNOWN_FRAME', `Unknown Pusher event "${event.event.slice(0, 60)}".`, { details: { transport: this.#d.transport, event: event.event, channel } }));
    }
  }

  /** Events published on a channel (by the server or, as `client-*`, by other clients). */
  appEvent(event: PusherEvent): void {
    const channel = event.channel ?? '';
    // `#server-to-user-*` belongs to pusher-js's user facade, not to an app channel.
    if (channel.startsWith('#')) return;
    const { handler, transport, config } = this.#d;
    const bytes = jsonBytes(event.data);
    if (bytes > config.maxFrameBytes) {
      return handler.error(new RealtimeError('FRAME_TOO_LARGE', `An event of ${bytes} bytes on ${channel} was dropped (limit ${config.maxFrameBytes}).`, { details: { transport, channel, event: event.event, limit: config.maxFrameBytes } }));
    }
    if (event.event === PRESENCE_EVENT) {
      const presence = this.#states.get(channel)?.presence;
      if (presence && !presence.received(event.user_id, event.data)) this.#malformed(event);
      return;
    }
    const name = event.event.startsWith('client-') ? event.event.slice('client-'.length) : event.event;
    handler.message({ channel, event: name, data: event.data });
  }

  /** `pusher:subscription_error` from the server: the channel fails, the connection stays. */
  refused(event: PusherEvent): void {
    const channel = event.channel ?? '';
    if (!this.#states.has(channel)) return;
    const { status, error } = (event.data ?? {}) as { status?: unknown; error?: unknown };
    this.#drop(channel, 'the channel was refused');
    this.#d.driver.forget(channel);
    const code = status === 401 || status === 403 ? 'UNAUTHORIZED' : 'CHANNEL_REFUSED';
    this.#d.handler.subscribeFailed(
      channel,
      new RealtimeError(code, `Pusher refused ${channel}${typeof error === 'string' ? `: ${error}` : ''}.`, {
        details: { channel, transport: this.#d.transport, ...(typeof status === 'number' ? { status } : {}) },
      }),
    );
  }

  /** Publishes as a `client-*` event (sent once the subscription succeeded). */
  clientEvent(message: OutgoingMessage): void {
    const state = this.#states.get(message.channel);
    if (!state) throw new RealtimeError('CONNECTION_LOST', 'The channel is not subscribed on this connection.', { details: { transport: this.#d.transport, messageId: message.id } });
    if (state.subscribed) return this.#send(message, true);
    if (state.held.length >= MAX_HELD) {
      throw new RealtimeError('QUEUE_FULL', `${MAX_HELD} client events already wait for ${message.channel} to be subscribed.`, {
        details: { transport: this.#d.transport, channel: message.channel, messageId: message.id },
      });
    }
    state.held.push(message);
  }

  presence(channel: string, op: PresenceOp): void {
    const { transport, config, handler } = this.#d;
    if (!isPresenceChannel(channel)) {
      return this.#warnOnce(`presence:${channel}`, `The ${transport} transport has presence only on presence-* channels: use "presence-${channel}" instead of "${channel}".`, channel);
    }
    if (!config.clientEvents) {
      if (op.action === 'leave' || op.data === undefined || op.data === null) return;
      return this.#warnOnce(`data:${channel}`, `Presence data on ${transport} travels as client events, which are off (\`clientEvents: false\`): other members see only the user_info your auth endpoint signed.`, channel);
    }
    const presence = this.#states.get(channel)?.presence;
    if (presence) presence.apply(op);
    else handler.error(new RealtimeError('CONNECTION_LOST', `${channel} is not subscribed on this connection.`, { details: { channel, transport } }));
  }

  dispose(): void {
    for (const channel of [...this.#states.keys()]) this.#drop(channel, 'the connection ended before the channel was subscribed');
  }

  #presenceOf(channel: string): PusherPresence {
    const { handler, transport, driver } = this.#d;
    return new PusherPresence({
      channel,
      transport,
      emit: (event) => handler.presence(channel, event),
      error: (error) => handler.error(error),
      send: (payload) => driver.send(PRESENCE_EVENT, payload, channel),
    });
  }

  #send(message: OutgoingMessage, direct = false): void {
    const { id, channel, event, data } = message;
    const name = event.startsWith('client-') ? event : `client-${event}`;
    if (this.#d.driver.send(name, data, channel)) return;
    const error = new RealtimeError('CONNECTION_LOST', 'The Pusher connection is not open.', { details: { transport: this.#d.transport, channel, messageId: id } });
    // Thrown from `publish` the outbox keeps it queued; once held, it is lost (at-most-once) and reported.
    if (direct) throw error;
    this.#d.handler.error(error);
  }

  /** Forgets a channel; client events still held for it are reported as not sent. */
  #drop(channel: string, why: string): void {
    const state = this.#states.get(channel);
    if (!state) return;
    this.#states.delete(channel);
    state.presence?.dispose();
    for (const message of state.held) {
      this.#d.handler.error(
        new RealtimeError('PUBLISH_REJECTED', `Message ${message.id} was not sent: ${why}.`, { details: { transport: this.#d.transport, channel, event: message.event, messageId: message.id } }),
      );
    }
  }

  #malformed(event: PusherEvent): void {
    this.#d.handler.error(
      new RealtimeError('BAD_FRAME', `A malformed "${event.event}" arrived on ${event.channel ?? '(no channel)'}.`, { details: { transport: this.#d.transport, event: event.event, channel: event.channel } }),
    );
  }

  #warnOnce(key: string, message: string, channel: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#d.handler.error(new RealtimeError('CAPABILITY_MISSING', message, { details: { channel, transport: this.#d.transport, capability: 'presence' } }));
  }
}

