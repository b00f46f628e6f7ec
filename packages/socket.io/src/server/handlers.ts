import { RealtimeError, type RealtimeErrorCode } from '@switchboard/core';
import { isPresenceChannel, isPrivateChannel, utf8Length } from '@switchboard/core/protocol';
import type { Socket } from 'socket.io';
import { EVENTS, parsePresenceRequest, parsePublish, parseSubscribe, refusal, roomOf, type Reply, type SubscribeResult } from '../wire.js';
import type { DedupCache } from './dedup.js';
import type { PresenceRegistry } from './presence.js';
import { presenceUserId, verifyChannelSignature, type SigningKey } from './signature.js';

/** What the per-socket handlers need from the helper. */
export interface HandlerContext {
  readonly signing: SigningKey | null;
  readonly maxMessageBytes: number;
  readonly presence: PresenceRegistry;
  readonly dedup: DedupCache;
  readonly authorizePublish: ((context: { socket: Socket; channel: string; event: string }) => boolean | Promise<boolean>) | undefined;
  readonly onSubscribe: ((socket: Socket, channel: string, info: { readonly resumed: boolean }) => void) | undefined;
  /** Who published, for the dedup key: stable across this client's reconnects, unforgeable by others. */
  publisherOf(socket: Socket): string;
  /** Broadcasts a message to every attached namespace; returns its server id. */
  broadcast(channel: string, event: string, data: unknown, clientMessageId?: string): string;
  report(error: RealtimeError, socket: Socket): void;
}

type Ack = (reply: Reply) => void;

/** The key under `socket.data` where switchboard keeps what a socket subscribed to (restored by recovery). */
const DATA_KEY = 'switchboard';

interface SocketState {
  /** channel → presence member id for that channel. */
  members: Record<string, string>;
}

function stateOf(socket: Socket): SocketState {
  const data = (typeof socket.data === 'object' && socket.data !== null ? socket.data : (socket.data = {})) as Record<string, unknown>;
  const existing = data[DATA_KEY] as SocketState | undefined;
  if (existing && typeof existing === 'object' && typeof existing.members === 'object') return existing;
  const state: SocketState = { members: {} };
  data[DATA_KEY] = state;
  return state;
}

/** Wires switchboard's events on one socket. Returns a function removing every listener it added. */
export function handleSocket(socket: Socket, ctx: HandlerContext): () => void {
  const fail = (ack: Ack, code: RealtimeErrorCode, message: string, details: Record<string, unknown> = {}) => {
    ctx.report(new RealtimeError(code, message, { details: { transport: 'socket.io', socketId: socket.id, ...details } }), socket);
    ack(refusal(code, message));
  };

  const onSubscribe = async (payload: unknown, ack: Ack) => {
    const request = parseSubscribe(payload);
    if (!request) return fail(ack, 'BAD_FRAME', 'Malformed sb:subscribe.');
    const { channel } = request;
    let memberId = socket.id;
    if (isPrivateChannel(channel)) {
      if (!ctx.signing) return fail(ack, 'CHANNEL_REFUSED', `${channel} needs a signature, and this server has no secret to check it.`, { channel });
      if (!verifyChannelSignature(ctx.signing, socket.id, channel, request.auth, request.channelData)) {
        return fail(ack, 'UNAUTHORIZED', `Invalid signature for ${channel}.`, { channel });
      }
      if (isPresenceChannel(channel)) {
        const userId = presenceUserId(request.channelData);
        if (userId === null) return fail(ack, 'UNAUTHORIZED', `${channel} needs signed channel data with a user_id.`, { channel });
        memberId = userId;
      }
    }
    const room = roomOf(channel);
    // Resumed: the room survived in a session socket.io recovered, so every missed message was replayed.
    const resumed = socket.recovered && socket.rooms.has(room);
    await socket.join(room);
    if (!socket.connected) return;
    stateOf(socket).members[channel] = memberId;
    ctx.onSubscribe?.(socket, channel, { resumed });
    const members = ctx.presence.members(channel);
    const result: SubscribeResult = { resumed, ...(members.length > 0 || isPresenceChannel(channel) ? { members } : {}), ...(memberId !== socket.id ? { memberId } : {}) };
    ack({ ok: true, ...result });
  };

  const onUnsubscribe = async (payload: unknown, ack: Ack) => {
    const channel = (payload as { channel?: unknown } | null)?.channel;
    if (typeof channel !== 'string') return fail(ack, 'BAD_FRAME', 'Malformed sb:unsubscribe.');
    ctx.presence.leave(channel, socket.id);
    delete stateOf(socket).members[channel];
    await socket.leave(roomOf(channel));
    ack({ ok: true });
  };

  const onPublish = async (payload: unknown, ack: Ack) => {
    const request = parsePublish(payload);
    if (!request) return fail(ack, 'BAD_FRAME', 'Malformed sb:publish: needs id, channel and event.');
    const { id, channel, event, data } = request;
    const details = { channel, messageId: id };
    const bytes = jsonBytes(data);
    if (bytes === null) return fail(ack, 'INVALID_PAYLOAD', 'The payload is not JSON.', details);
    if (bytes > ctx.maxMessageBytes) return fail(ack, 'FRAME_TOO_LARGE', `The payload is ${bytes} bytes; this server accepts ${ctx.maxMessageBytes}.`, details);
    const publisher = ctx.publisherOf(socket);
    if (ctx.dedup.get(publisher, channel, id) !== undefined) return ack({ ok: true });
    const subscribed = socket.rooms.has(roomOf(channel));
    if (isPrivateChannel(channel) && !subscribed) return fail(ack, 'FORBIDDEN', `Subscribe to ${channel} (signed) before publishing to it.`, details);
    if (ctx.authorizePublish) {
      let allowed = false;
      try {
        allowed = await ctx.authorizePublish({ socket, channel, event });
      } catch (cause) {
        ctx.report(new RealtimeError('SERVER_ERROR', 'authorizePublish threw.', { cause, details }), socket);
      }
      if (!allowed) return fail(ack, 'FORBIDDEN', `Publishing ${event} to ${channel} is not allowed.`, details);
      if (ctx.dedup.get(publisher, channel, id) !== undefined) return ack({ ok: true }); // resent while we waited
    }
    ctx.dedup.remember(publisher, channel, id, ctx.broadcast(channel, event, data, id));
    ack({ ok: true });
  };

  const onPresence = (payload: unknown, ack: Ack) => {
    const request = parsePresenceRequest(payload);
    if (!request) return fail(ack, 'BAD_FRAME', 'Malformed sb:presence.');
    const { channel, action } = request;
    if (!socket.rooms.has(roomOf(channel))) return fail(ack, 'CHANNEL_REFUSED', `Subscribe to ${channel} before entering its presence.`, { channel });
    if (action === 'leave') {
      ctx.presence.leave(channel, socket.id);
      return ack({ ok: true });
    }
    const bytes = jsonBytes(request.data);
    if (bytes === null || bytes > ctx.maxMessageBytes) return fail(ack, 'FRAME_TOO_LARGE', `Presence data must be JSON of at most ${ctx.maxMessageBytes} bytes.`, { channel });
    ctx.presence.enter(channel, socket.id, stateOf(socket).members[channel] ?? socket.id, request.data ?? null);
    ack({ ok: true });
  };

  // Each handler is registered on its own event, so the application's `socket.use()` middlewares see
  // switchboard's events too (rate limits, per-event checks). Every request is answered.
  const handlers: Record<string, (payload: unknown, ack: Ack) => void | Promise<void>> = {
    [EVENTS.subscribe]: onSubscribe,
    [EVENTS.unsubscribe]: onUnsubscribe,
    [EVENTS.publish]: onPublish,
    [EVENTS.presence]: onPresence,
    [EVENTS.ping]: (_payload, ack) => ack({ ok: true }),
  };
  const listeners = Object.entries(handlers).map(([event, handle]) => {
    const listener = (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack: Ack = typeof last === 'function' ? (last as Ack) : () => {};
      const failed = (cause: unknown) => fail(ack, 'SERVER_ERROR', 'The request failed on the server.', { event, cause });
      try {
        const pending = handle(args.length > 0 && typeof args[0] !== 'function' ? args[0] : undefined, ack);
        if (pending) pending.catch(failed);
      } catch (cause) {
        failed(cause);
      }
    };
    socket.on(event, listener);
    return [event, listener] as const;
  });
  /** Unknown `sb:*` events are refused, not ignored; the application's own events are left alone. */
  const onAny = (event: string, ...args: unknown[]) => {
    if (!event.startsWith('sb:') || event in handlers) return;
    const last = args[args.length - 1];
    fail(typeof last === 'function' ? (last as Ack) : () => {}, 'UNKNOWN_FRAME', `Unknown event "${event.slice(0, 60)}".`, { event: event.slice(0, 60) });
  };
  socket.onAny(onAny);
  return () => {
    socket.offAny(onAny);
    for (const [event, listener] of listeners) socket.off(event, listener);
  };
}

function jsonBytes(data: unknown): number | null {
  try {
    return utf8Length(JSON.stringify(data) ?? 'null');
  } catch {
    return null;
  }
}
