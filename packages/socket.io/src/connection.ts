/**
 * One connection attempt of the socket.io transport: listens to the kept socket.io-client socket for
 * this attempt only, waits for the server helper's welcome, maps socket.io's events onto the core's
 * handler and runs the request/ack exchanges (subscribe, publish, presence).
 */
import { RealtimeError, type Disconnect, type TransportConnection, type TransportHandler } from '@switchboard/core';
import { isPrivateChannel, isValidChannelName, utf8Length } from '@switchboard/core/protocol';
import type { Socket } from 'socket.io-client';
import type { ChannelAuthCache } from './channel-auth.js';
import { fromConnectError, fromDisconnect } from './disconnects.js';
import type { ParserSink } from './parser.js';
import {
  EVENTS,
  isMember,
  knownCode,
  parseClose,
  parseMessage,
  parsePresence,
  parseReply,
  parseWelcome,
  type ClosePayload,
  type PresenceRequest,
  type PublishRequest,
  type SubscribeRequest,
  type WelcomePayload,
} from './wire.js';

const NAME = 'socket.io';
const MAX_EARLY_EVENTS = 10_000;
const TIMED_OUT = Symbol('timed out');

/** The timings of an attempt (from the transport's options). */
export interface ConnectionSettings {
  readonly connectTimeoutMs: number;
  readonly ackTimeoutMs: number;
}

/** The socket.io-client socket of a transport, kept across attempts. */
export interface SocketEntry {
  readonly socket: Socket;
  readonly url: string;
  /** Where the socket's parser reports undecodable packets: the current attempt. */
  sink: ParserSink;
  inUse: boolean;
}

/** What the handshake's `auth` carries: a string credential is `{ token }`; an object is sent as is. */
function handshakeAuth(credentials: unknown): Record<string, unknown> {
  if (typeof credentials === 'string') return { token: credentials };
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) return {};
  // `pid`/`offset` are socket.io's recovery fields: credentials never override them.
  const { pid: _pid, offset: _offset, ...rest } = credentials as Record<string, unknown>;
  return rest;
}

export function openConnection(
  entry: SocketEntry,
  handler: TransportHandler,
  credentials: unknown,
  signer: ChannelAuthCache,
  settings: ConnectionSettings,
  idle: ParserSink,
): TransportConnection {
  const { socket } = entry;
  const { ackTimeoutMs } = settings;
  let closed = false;
  /** socket.io's `connect` fired for this attempt. */
  let connected = false;
  let ready = false;
  let announced: ClosePayload | null = null;
  let maxMessageBytes = Infinity;
  const early: unknown[][] = [];
  /** Channels the core subscribed on this connection. */
  const wanted = new Set<string>();
  /** Restored by recovery but not wanted any more: their messages are dropped until we left them. */
  const unwanted = new Set<string>();
  const pendingSubscribe = new Map<string, object>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const details = (extra?: Record<string, unknown>) => ({ transport: NAME, ...extra });

  const finish = (disconnect: Disconnect) => {
    if (closed) return;
    closed = true;
    cleanup();
    socket.disconnect();
    handler.close(disconnect);
  };

  const request = (event: string, payload: object, onReply: (reply: unknown) => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) onReply(TIMED_OUT);
    }, ackTimeoutMs);
    timers.add(timer);
    socket.emit(event, payload, (reply: unknown) => {
      if (closed || !timers.delete(timer)) return;
      clearTimeout(timer);
      onReply(reply);
    });
  };

  const onWelcome = (payload: unknown) => {
    const welcome = parseWelcome(payload);
    if (!welcome) return finish({ type: 'protocol', reason: 'malformed sb:welcome' });
    ready = true;
    clearTimeout(connectTimer);
    maxMessageBytes = welcome.maxMessageBytes;
    handler.open({ ...(socket.id === undefined ? {} : { sessionId: socket.id }), ...(welcome.heartbeatMs === undefined ? {} : { heartbeatMs: welcome.heartbeatMs }) });
    if (closed) return;
    // The core resubscribed every channel it wants inside open(): leave the restored ones it does not.
    leaveUnwanted(welcome);
    for (const args of early.splice(0)) if (!closed) dispatch(args[0] as string, args.slice(1));
  };

  const leaveUnwanted = (welcome: WelcomePayload) => {
    for (const channel of welcome.channels) {
      if (wanted.has(channel)) continue;
      unwanted.add(channel);
      socket.emit(EVENTS.unsubscribe, { channel });
    }
  };

  const dispatch = (event: string, args: unknown[]) => {
    const payload = args[0];
    switch (event) {
      case EVENTS.message: {
        const message = parseMessage(payload);
        if (!message) return handler.error(badPayload(event));
        if (unwanted.has(message.channel)) return;
        const { channel, data, id, clientMessageId, ts } = message;
        return handler.message({ channel, event: message.event, data, id, ...(clientMessageId === undefined ? {} : { clientMessageId }), ...(ts === undefined ? {} : { timestamp: ts }) });
      }
      case EVENTS.presence: {
        const presence = parsePresence(payload);
        if (!presence) return handler.error(badPayload(event));
        if (unwanted.has(presence.channel)) return;
        return handler.presence(presence.channel, { action: presence.action, member: { id: presence.member.id, data: presence.member.data } });
      }
      case EVENTS.close:
        announced = parseClose(payload);
        if (!announced) handler.error(badPayload(event));
        return;
      case EVENTS.welcome:
        return handler.error(new RealtimeError('BAD_FRAME', 'A second sb:welcome arrived.', { details: details({ event }) }));
      default:
        return handler.error(new RealtimeError('UNKNOWN_FRAME', `Unknown socket.io event "${event.slice(0, 60)}".`, { details: details({ event: event.slice(0, 60) }) }));
    }
  };

  const badPayload = (event: string) => new RealtimeError('BAD_FRAME', `A malformed "${event}" payload arrived; it was dropped.`, { details: details({ event }) });

  const onAny = (event: string, ...args: unknown[]) => {
    if (closed) return;
    if (ready) return dispatch(event, args);
    // Before `connect` come the events recovery replays, an earlier connection's welcome among them.
    if (event === EVENTS.welcome) return connected ? onWelcome(args[0]) : undefined;
    if (early.length >= MAX_EARLY_EVENTS) return handler.error(new RealtimeError('FRAME_TOO_LARGE', 'Too many events before sb:welcome; dropped.', { details: details({ event }) }));
    early.push([event, ...args]);
  };
  const onConnect = () => {
    connected = true;
  };
  const onConnectError = (error: Error) => {
    if (!closed) finish(fromConnectError(error, !socket.active));
  };
  const onDisconnect = (reason: string, description?: unknown) => {
    if (closed) return;
    const disconnect = fromDisconnect(reason, description, announced);
    if (disconnect) finish(disconnect);
  };
  const onActivity = () => {
    if (!closed) handler.activity();
  };

  function cleanup() {
    clearTimeout(connectTimer);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    pendingSubscribe.clear();
    early.length = 0;
    socket.off('connect', onConnect);
    socket.off('connect_error', onConnectError);
    socket.off('disconnect', onDisconnect);
    socket.offAny(onAny);
    socket.io.off('packet', onActivity);
    socket.io.off('ping', onActivity);
    entry.sink = idle;
    entry.inUse = false;
  }

  entry.sink = { ...idle, error: (error) => !closed && handler.error(error) };
  socket.on('connect', onConnect);
  socket.on('connect_error', onConnectError);
  socket.on('disconnect', onDisconnect);
  socket.onAny(onAny);
  socket.io.on('packet', onActivity);
  socket.io.on('ping', onActivity);
  const connectTimer = setTimeout(() => {
    if (socket.connected) finish({ type: 'protocol', reason: 'connected, but no sb:welcome arrived: is @switchboard/socket.io/server attached to this namespace?' });
    else finish({ type: 'network', error: new RealtimeError('CONNECTION_LOST', 'Connect timeout.', { details: details() }) });
  }, settings.connectTimeoutMs);
  socket.auth = handshakeAuth(credentials);
  socket.connect();

  const live = () => !closed && ready && socket.connected;

  const subscribeWith = (channel: string, token: object, request_: SubscribeRequest) => {
    if (!live()) return; // the drop is being reported: the core resubscribes on the next connection
    request(EVENTS.subscribe, request_, (reply) => {
      if (pendingSubscribe.get(channel) !== token) return;
      pendingSubscribe.delete(channel);
      if (reply === TIMED_OUT) return handler.subscribeFailed(channel, new RealtimeError('TIMEOUT', `The server did not answer the subscription within ${ackTimeoutMs} ms.`, { details: details({ channel }) }));
      const answer = parseReply(reply);
      if (!answer) return handler.subscribeFailed(channel, new RealtimeError('BAD_FRAME', 'The server answered the subscription with a malformed reply.', { details: details({ channel }) }));
      if (!answer.ok) return handler.subscribeFailed(channel, new RealtimeError(knownCode(answer.code, 'CHANNEL_REFUSED'), answer.message, { details: details({ channel }) }));
      handler.subscribed(channel, { resumed: answer.resumed === true, ...(typeof answer.memberId === 'string' ? { memberId: answer.memberId } : {}) });
      const members = answer.members;
      if (Array.isArray(members) && members.every(isMember)) handler.presence(channel, { action: 'sync', members: members.map((m) => ({ id: m.id, data: m.data })) });
    });
  };

  return {
    subscribe(channel) {
      if (!isValidChannelName(channel)) {
        return queueMicrotask(() => !closed && handler.subscribeFailed(channel, new RealtimeError('CHANNEL_REFUSED', 'Not a valid channel name (1-200 printable ASCII characters, no spaces).', { details: details({ channel }) })));
      }
      wanted.add(channel);
      unwanted.delete(channel);
      const token = {};
      pendingSubscribe.set(channel, token);
      const session = socket.id;
      if (!isPrivateChannel(channel) || session === undefined) return subscribeWith(channel, token, { channel });
      signer.get(session, channel, 'socket.io').then(
        (signature) => {
          if (pendingSubscribe.get(channel) !== token || !live()) return;
          subscribeWith(channel, token, { channel, auth: signature.auth, ...(signature.channelData === undefined ? {} : { channelData: signature.channelData }) });
        },
        (error: unknown) => {
          if (pendingSubscribe.get(channel) !== token || closed) return;
          pendingSubscribe.delete(channel);
          handler.subscribeFailed(channel, error instanceof RealtimeError ? error : new RealtimeError('UNAUTHORIZED', String(error), { cause: error, details: details({ channel }) }));
        },
      );
    },
    unsubscribe(channel) {
      wanted.delete(channel);
      pendingSubscribe.delete(channel);
      if (live()) socket.emit(EVENTS.unsubscribe, { channel });
    },
    publish(message) {
      const { id, channel, event, data } = message;
      const fail = (code: 'FRAME_TOO_LARGE' | 'INVALID_PAYLOAD', text: string) =>
        queueMicrotask(() => !closed && handler.nack(id, new RealtimeError(code, text, { details: details({ messageId: id, channel, event }) })));
      let bytes: number;
      try {
        bytes = utf8Length(JSON.stringify(data) ?? 'null');
      } catch {
        return fail('INVALID_PAYLOAD', 'The payload is not JSON-serialisable.');
      }
      if (bytes > maxMessageBytes) return fail('FRAME_TOO_LARGE', `The payload is ${bytes} bytes; the server accepts ${maxMessageBytes}.`);
      if (!live()) throw new RealtimeError('CONNECTION_LOST', 'The socket is not connected.', { details: details({ messageId: id }) });
      const payload: PublishRequest = { id, channel, event, data };
      if (message.volatile) return void socket.volatile.emit(EVENTS.publish, payload);
      request(EVENTS.publish, payload, (reply) => {
        if (reply === TIMED_OUT) return handler.nack(id, new RealtimeError('TIMEOUT', `The server did not acknowledge the message within ${ackTimeoutMs} ms.`, { details: details({ messageId: id, channel }) }));
        const answer = parseReply(reply);
        if (!answer) return handler.nack(id, new RealtimeError('BAD_FRAME', 'The server answered the publish with a malformed reply.', { details: details({ messageId: id, channel }) }));
        if (answer.ok) return handler.ack(id);
        handler.nack(id, new RealtimeError(knownCode(answer.code, 'PUBLISH_REJECTED'), answer.message, { details: details({ messageId: id, channel }) }));
      });
    },
    presence(channel, op) {
      if (!live()) return;
      const payload: PresenceRequest = op.action === 'leave' ? { channel, action: 'leave' } : { channel, action: op.action, data: op.data };
      request(EVENTS.presence, payload, (reply) => {
        if (reply === TIMED_OUT) return handler.error(new RealtimeError('TIMEOUT', `The server did not answer presence ${op.action} within ${ackTimeoutMs} ms.`, { details: details({ channel }) }));
        const answer = parseReply(reply);
        if (!answer) return handler.error(badPayload(EVENTS.presence));
        if (!answer.ok) handler.error(new RealtimeError(knownCode(answer.code, 'SERVER_ERROR'), answer.message, { details: details({ channel }) }));
      });
    },
    ping() {
      if (live()) socket.emit(EVENTS.ping, {}, onActivity);
    },
    close() {
      if (closed) return;
      closed = true;
      cleanup();
      socket.disconnect();
    },
  };
}
