/**
 * `@switchboard/socket.io/server`: gives a socket.io 4.8 `Server` (or namespace) switchboard's
 * channel, ack, presence and recovery contract, for clients using `socketIO()`.
 *
 * - channels are rooms (`sb:<channel>`); `private-*`/`presence-*` need a signature (the Pusher scheme);
 * - every publish is acknowledged, and deduplicated by its client id;
 * - presence join/update/leave, with a full list on subscribe;
 * - connection state recovery (`connectionStateRecovery` on the Server) becomes the client's resume:
 *   a channel kept by a recovered session is `resumed`, any other resubscription is a discontinuity.
 *
 * @example
 * import { Server } from 'socket.io';
 * import { attachSwitchboard } from '@switchboard/socket.io/server';
 *
 * const io = new Server(httpServer, { connectionStateRecovery: {} });
 * const realtime = attachSwitchboard(io, { secret: process.env.SWITCHBOARD_SECRET });
 * realtime.publish('news', 'headline', { title: 'Hello' });
 */
import { createHash, randomBytes } from 'node:crypto';
import { RealtimeError, type RealtimeErrorCode } from '@switchboard/core';
import { isValidChannelName, isValidEventName } from '@switchboard/core/protocol';
import type { Namespace, Server, Socket } from 'socket.io';
import { EVENTS, channelOfRoom, roomOf, type ClosePayload, type MessagePayload, type WelcomePayload, type WireMember } from './wire.js';
import { DedupCache } from './server/dedup.js';
import { handleSocket } from './server/handlers.js';
import { PresenceRegistry } from './server/presence.js';

export { DEFAULT_KEY, presenceUserId, safeEqual, signChannel, verifyChannelSignature, type PresenceIdentity, type SignedChannel, type SigningKey } from './server/signature.js';
export type { WireMember } from './wire.js';

/** What `authenticate` is given: the handshake's `auth` (the client's credentials). */
export interface HandshakeContext {
  /** `auth.token`: a string credential from the client's auth provider. */
  readonly token: string | undefined;
  readonly auth: Readonly<Record<string, unknown>>;
  readonly socket: Socket;
}

export interface SwitchboardServerOptions {
  /** Secret that `private-*`/`presence-*` signatures are checked against. Without it, those channels are refused. */
  secret?: string;
  /** Public key prefixed to signatures. Default `switchboard`. */
  key?: string;
  /**
   * Checks a connecting client (runs as a namespace middleware). `false` refuses it with
   * `UNAUTHORIZED`: the client refreshes its credentials once, then ends `failed`. Throw `refuse(code)`
   * for another outcome. Sockets restored by recovery skip middlewares unless `skipMiddlewares: false`.
   */
  authenticate?: (context: HandshakeContext) => boolean | Promise<boolean>;
  /**
   * May this socket publish `event` on `channel`? Default: anyone on public channels, subscribers
   * (signed) on `private-*`/`presence-*`. When given, it decides on public channels and is asked
   * after the subscription check on private ones.
   */
  authorizePublish?: (context: { socket: Socket; channel: string; event: string }) => boolean | Promise<boolean>;
  /** Largest `data` (UTF-8 bytes of its JSON) of a publish or presence update. Default 128 KiB. */
  maxMessageBytes?: number;
  /** Client message ids remembered for dedup. Default 10 000. */
  dedupWindow?: number;
  /**
   * Who published, for deduplication: must be the same for one client across reconnects and unknown
   * to other clients. Default: a hash of the handshake's `auth.token`, else the socket id (kept by a
   * recovered session; a resend after an unrecovered reconnect may then be broadcast twice).
   */
  publisherKey?: (socket: Socket) => string;
  /** A socket that dropped in a recoverable way keeps its presence this long. Default 5 s. */
  presenceGraceMs?: number;
  /** Called after each accepted subscription. */
  onSubscribe?: (socket: Socket, channel: string, info: { readonly resumed: boolean }) => void;
  /** Every refused or malformed request, for your logs. */
  onError?: (error: RealtimeError, socket?: Socket) => void;
}

export interface SwitchboardServer {
  /** Serves switchboard on a Server (its main namespace) or a namespace. Returns `detach`. */
  attach(target: Server | Namespace): () => void;
  /**
   * Publishes from the server to every subscriber of `channel`, on every attached namespace.
   * Returns the message's server id.
   */
  publish(channel: string, event: string, data: unknown): string;
  /** Present members of a channel. */
  members(channel: string): WireMember[];
  /**
   * Disconnects a socket, telling its client what to do: a close code read by the client's fatal-rule
   * table (4003 stop → `failed`, 4100 refresh credentials, 1012 / 4200 reconnect).
   */
  disconnect(socket: Socket, code: number, reason?: string): void;
  /** Detaches from everything and forgets all state (timers included). */
  close(): void;
}

const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
/** Disconnect reasons after which socket.io keeps the session for recovery. */
const RECOVERABLE = new Set(['transport error', 'transport close', 'forced close', 'ping timeout', 'server shutting down', 'forced server close']);

/**
 * An error for `next()` in a socket.io middleware that the client maps onto its fatal-rule table:
 * `UNAUTHORIZED` → refresh credentials once, then `failed`; `FORBIDDEN` → `failed`; `RATE_LIMITED`
 * → retry after `retryAfterMs`; `SERVER_ERROR` → retry.
 *
 * @example
 * io.use((socket, next) => (isBanned(socket) ? next(refuse('FORBIDDEN', 'banned')) : next()));
 */
export function refuse(code: RealtimeErrorCode, message?: string, options: { retryAfterMs?: number } = {}): Error & { data: { code: RealtimeErrorCode; retryAfterMs?: number } } {
  const error = new Error(message ?? code) as Error & { data: { code: RealtimeErrorCode; retryAfterMs?: number } };
  error.data = { code, ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }) };
  return error;
}

/**
 * Creates the helper, not yet attached: its state (dedup window, presence, message ids) lives as long
 * as it does, across any number of `attach()`ed servers — e.g. a server restarted in the same process.
 *
 * @example
 * const realtime = createSwitchboardServer({ secret });
 * const detach = realtime.attach(io.of('/chat'));
 */
export function createSwitchboardServer(options: SwitchboardServerOptions = {}): SwitchboardServer {
  const namespaces = new Map<Namespace, () => void>();
  const epoch = randomBytes(6).toString('base64url');
  let seq = 0;
  const report = (error: RealtimeError, socket?: Socket) => options.onError?.(error, socket);
  const emitAll = (channel: string, event: string, payload: object) => {
    for (const nsp of namespaces.keys()) nsp.to(roomOf(channel)).emit(event, payload);
  };
  const presence = new PresenceRegistry((change) => emitAll(change.channel, EVENTS.presence, change));
  const broadcast = (channel: string, event: string, data: unknown, clientMessageId?: string): string => {
    const id = `${epoch}.${(seq++).toString(36)}`;
    const payload: MessagePayload = { channel, event, data, id, ts: Date.now(), ...(clientMessageId === undefined ? {} : { clientMessageId }) };
    emitAll(channel, EVENTS.message, payload);
    return id;
  };
  const context = {
    signing: options.secret === undefined ? null : { secret: options.secret, ...(options.key === undefined ? {} : { key: options.key }) },
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    presence,
    dedup: new DedupCache(options.dedupWindow ?? 10_000),
    authorizePublish: options.authorizePublish,
    onSubscribe: options.onSubscribe,
    publisherOf: options.publisherKey ?? defaultPublisherKey,
    broadcast,
    report,
  };

  const attach = (target: Server | Namespace): (() => void) => {
    const nsp = isServer(target) ? target.of('/') : target;
    const existing = namespaces.get(nsp);
    if (existing) return existing;
    let attached = true;
    const sockets = new Map<Socket, () => void>();
    if (options.authenticate) {
      const authenticate = options.authenticate;
      nsp.use((socket, next) => {
        if (!attached) return next();
        const auth = (typeof socket.handshake.auth === 'object' && socket.handshake.auth !== null ? socket.handshake.auth : {}) as Record<string, unknown>;
        const token = typeof auth.token === 'string' ? auth.token : undefined;
        Promise.resolve()
          .then(() => authenticate({ token, auth, socket }))
          .then(
            (ok) => next(ok ? undefined : refuse('UNAUTHORIZED', 'The credentials were refused.')),
            (error: unknown) => {
              if (error instanceof Error && 'data' in error) return next(error);
              report(new RealtimeError('SERVER_ERROR', 'authenticate threw.', { cause: error }), socket);
              next(refuse('SERVER_ERROR', 'Authentication failed on the server.'));
            },
          );
      });
    }
    const onConnection = (socket: Socket) => {
      const off = handleSocket(socket, context);
      sockets.set(socket, off);
      socket.once('disconnect', (reason) => {
        sockets.delete(socket);
        off();
        if (RECOVERABLE.has(reason)) presence.suspend(socket.id, options.presenceGraceMs ?? 5000);
        else presence.drop(socket.id);
      });
      const welcome: WelcomePayload = {
        ...heartbeatOf(nsp),
        maxMessageBytes: context.maxMessageBytes,
        recovered: socket.recovered,
        channels: [...socket.rooms].map(channelOfRoom).filter((c): c is string => c !== null),
      };
      // Through the adapter, to the socket's own room: it gets an offset, so even a client that has
      // received nothing else yet can be recovered.
      nsp.to(socket.id).emit(EVENTS.welcome, welcome);
    };
    nsp.on('connection', onConnection);
    const detach = () => {
      if (!attached) return;
      attached = false;
      nsp.off('connection', onConnection);
      for (const off of sockets.values()) off();
      sockets.clear();
      namespaces.delete(nsp);
    };
    namespaces.set(nsp, detach);
    return detach;
  };

  return {
    attach,
    publish(channel, event, data) {
      if (!isValidChannelName(channel)) throw new RealtimeError('CHANNEL_REFUSED', `"${String(channel).slice(0, 60)}" is not a valid channel name.`, { details: { channel } });
      if (!isValidEventName(event)) throw new RealtimeError('INVALID_PAYLOAD', 'Not a valid event name.', { details: { channel } });
      return broadcast(channel, event, data);
    },
    members: (channel) => presence.members(channel),
    disconnect(socket, code, reason) {
      const notice: ClosePayload = { code, ...(reason === undefined ? {} : { reason }) };
      socket.emit(EVENTS.close, notice);
      socket.disconnect(true);
    },
    close() {
      for (const detach of [...namespaces.values()]) detach();
      presence.clear();
    },
  };
}

/**
 * Serves switchboard on `target` at once: `createSwitchboardServer(options)` + `attach(target)`.
 *
 * @example
 * const io = new Server(httpServer, { connectionStateRecovery: {} });
 * const realtime = attachSwitchboard(io, {
 *   secret: process.env.SWITCHBOARD_SECRET,
 *   authenticate: ({ token }) => sessions.isValid(token),
 * });
 */
export function attachSwitchboard(target: Server | Namespace, options?: SwitchboardServerOptions): SwitchboardServer {
  const server = createSwitchboardServer(options);
  server.attach(target);
  return server;
}

const publisherKeys = new WeakMap<Socket, string>();

function defaultPublisherKey(socket: Socket): string {
  let key = publisherKeys.get(socket);
  if (key === undefined) {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    key = typeof token === 'string' && token !== '' ? `t:${createHash('sha256').update(token).digest('base64url')}` : `s:${socket.id}`;
    publisherKeys.set(socket, key);
  }
  return key;
}

function isServer(target: Server | Namespace): target is Server {
  return typeof (target as Partial<Server>).of === 'function';
}

function heartbeatOf(nsp: Namespace): { heartbeatMs?: number } {
  const interval = (nsp.server.engine as { opts?: { pingInterval?: number } } | undefined)?.opts?.pingInterval;
  return typeof interval === 'number' && interval > 0 ? { heartbeatMs: interval } : {};
}
