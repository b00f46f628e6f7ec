/**
 * `@switchboard/core/websocket`: the WebSocket transport. Speaks the native protocol
 * (docs/protocol.md) to `@switchboard/server`, or any server's own JSON through a `codec`.
 *
 * @example
 * import { createClient } from '@switchboard/core';
 * import { websocket } from '@switchboard/core/websocket';
 *
 * const client = createClient({ transport: websocket({ url: 'wss://example.com/realtime' }) });
 */
import { RealtimeError } from '../errors.js';
import type { Disconnect } from '../fatal.js';
import { DEFAULT_LIMITS, isPrivateChannel, isValidChannelName, utf8Length, type WireLimits } from '../protocol/index.js';
import type { OpenContext, Transport, TransportCapabilities, TransportConnection, TransportHandler } from '../transport.js';
import { ChannelAuthCache, memberIdOf, type ChannelAuthOption } from './channel-auth.js';
import { nativeCodec, type CodecEvent, type CodecOp, type WebSocketCodec } from './codec.js';
import { fetcher, invalidChannel, resolveUrl, tokenOf } from './shared.js';

export { jsonCodec, nativeCodec, type CodecEvent, type CodecOp, type ForeignMessage, type JsonCodecOptions, type WebSocketCodec } from './codec.js';
export type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer, ChannelAuthRequest } from './channel-auth.js';
/** For transport packages that sign channels the same way (`@switchboard/socket.io`). */
export { ChannelAuthCache } from './channel-auth.js';

type OpenListener = () => void;
type MessageListener = (event: { readonly data: unknown }) => void;
type CloseListener = (event: { readonly code: number; readonly reason: string }) => void;
type ErrorListener = (event: unknown) => void;

/** The part of a WebSocket the transport uses: the browser's, `ws`'s, or any compatible one. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: OpenListener): void;
  addEventListener(type: 'message', listener: MessageListener): void;
  addEventListener(type: 'close', listener: CloseListener): void;
  addEventListener(type: 'error', listener: ErrorListener): void;
  removeEventListener(type: 'open', listener: OpenListener): void;
  removeEventListener(type: 'message', listener: MessageListener): void;
  removeEventListener(type: 'close', listener: CloseListener): void;
  removeEventListener(type: 'error', listener: ErrorListener): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** `ws://` / `wss://` URL; `http(s)://` and relative URLs are converted. A function is read per attempt. */
  url: string | (() => string);
  /** Signatures for `private-*`/`presence-*` channels (endpoint or function). */
  auth?: ChannelAuthOption;
  protocols?: string | string[];
  /** Talk to a server with its own JSON instead of the native protocol (see `jsonCodec`). */
  codec?: WebSocketCodec;
  /** WebSocket implementation. Default `globalThis.WebSocket`; in Node 20, pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  /** An attempt not ready within this time is abandoned (and retried). Default 10 s. */
  connectTimeoutMs?: number;
  /** Inbound frames larger than this are dropped with `FRAME_TOO_LARGE`. Default 128 KiB. */
  maxFrameBytes?: number;
}

const OPEN = 1;
const ignore = () => {};

/** Creates the WebSocket transport. Nothing connects until the client needs it. */
export function websocket(options: WebSocketTransportOptions): Transport {
  const codec = options.codec ?? nativeCodec;
  const name = codec === nativeCodec ? 'websocket' : `websocket(${codec.name})`;
  const capabilities: TransportCapabilities = Object.freeze({
    ...codec.capabilities,
    clientEvents: false,
    retries: 'core',
    serverless: false,
    auth: 'bearer token in hello; signed private-/presence- channels',
  });
  const auth = new ChannelAuthCache(options.auth, () => fetcher(undefined), name);
  return {
    name,
    capabilities,
    open: (handler, context) => openSocket(options, codec, name, auth, handler, context),
  };
}

function toWebSocketUrl(url: string): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const absolute = new URL(url, base);
  if (absolute.protocol === 'http:') absolute.protocol = 'ws:';
  else if (absolute.protocol === 'https:') absolute.protocol = 'wss:';
  return absolute.toString();
}

function openSocket(
  options: WebSocketTransportOptions,
  codec: WebSocketCodec,
  name: string,
  auth: ChannelAuthCache,
  handler: TransportHandler,
  context: OpenContext,
): TransportConnection {
  let closed = false;
  let ready = false;
  let session: string | null = null;
  let limits: WireLimits = DEFAULT_LIMITS;
  let httpStatus: number | undefined;
  const pendingAuth = new Map<string, object>();
  const maxInbound = options.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;

  const fail = (disconnect: Disconnect) => {
    if (closed) return;
    closed = true;
    cleanup();
    try {
      ws?.close(1000);
    } catch {
      // already closing
    }
    handler.close(disconnect);
  };

  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  let ws: WebSocketLike | undefined;
  try {
    if (!Ctor) throw new RealtimeError('PROTOCOL_ERROR', 'No WebSocket implementation: pass `WebSocket` (e.g. from "ws") to websocket().');
    ws = new Ctor(toWebSocketUrl(resolveUrl(options.url)), options.protocols);
  } catch (error) {
    // No socket to clean up: report once, unless the core closed the attempt first.
    const reason = error instanceof Error ? error.message : String(error);
    const disconnect: Disconnect = error instanceof RealtimeError || error instanceof SyntaxError || error instanceof TypeError ? { type: 'protocol', reason } : { type: 'network', error };
    queueMicrotask(() => {
      if (closed) return;
      closed = true;
      handler.close(disconnect);
    });
    return { subscribe() {}, unsubscribe() {}, publish() {}, close: () => void (closed = true) };
  }
  const socket = ws;

  const send = (op: CodecOp): boolean => {
    const text = codec.encode(op);
    if (text === null || closed || socket.readyState !== OPEN) return false;
    socket.send(text);
    return true;
  };

  const apply = (event: CodecEvent) => {
    if (event.type === 'fatal') return fail(event.disconnect);
    if (event.type === 'error') return handler.error(event.error);
    if (event.type === 'ping') return void send({ type: 'pong', ...(event.id === undefined ? {} : { id: event.id }) });
    if (event.type === 'welcome') {
      if (ready) return handler.error(new RealtimeError('BAD_FRAME', 'A second welcome arrived.', { details: { transport: name } }));
      ready = true;
      session = event.info.sessionId ?? null;
      if (event.limits) limits = event.limits;
      clearTimeout(connectTimer);
      return handler.open(event.info);
    }
    if (!ready) return fail({ type: 'protocol', reason: `expected welcome, got ${event.type}` });
    switch (event.type) {
      case 'message':
        return handler.message(event.message);
      case 'subscribed': {
        pendingAuth.delete(event.channel);
        const memberId = session === null ? undefined : memberIdOf(auth.peek(session, event.channel));
        return handler.subscribed(event.channel, memberId === undefined ? event.info : { ...event.info, memberId });
      }
      case 'subscribe-failed':
        pendingAuth.delete(event.channel);
        return handler.subscribeFailed(event.channel, event.error);
      case 'ack':
        return handler.ack(event.id);
      case 'nack':
        return handler.nack(event.id, event.error);
      case 'presence':
        return handler.presence(event.channel, event.event);
    }
  };

  const onOpen: OpenListener = () => {
    if (closed) return;
    if (codec.handshake) {
      const token = tokenOf(context.credentials);
      send({ type: 'hello', ...(token === undefined ? {} : { token }) });
    } else {
      ready = true;
      clearTimeout(connectTimer);
      handler.open({});
    }
  };
  const onMessage: MessageListener = (event) => {
    if (closed) return;
    handler.activity();
    if (typeof event.data !== 'string') {
      return handler.error(new RealtimeError('BAD_FRAME', 'Binary frames are not supported.', { details: { transport: name } }));
    }
    const text = event.data;
    if (text.length > maxInbound / 3 && utf8Length(text) > maxInbound) {
      return handler.error(new RealtimeError('FRAME_TOO_LARGE', `An inbound frame exceeds ${maxInbound} bytes.`, { details: { transport: name, limit: maxInbound } }));
    }
    for (const decoded of codec.decode(text)) {
      if (closed) return;
      apply(decoded);
    }
  };
  const onError: ErrorListener = (event) => {
    // `ws` reports a refused handshake as "Unexpected server response: 401"; browsers say nothing.
    const e = event as { message?: unknown; error?: { message?: unknown } } | null;
    const text = String(e?.message ?? e?.error?.message ?? '');
    const match = /Unexpected server response: (\d{3})/.exec(text);
    if (match) httpStatus = Number(match[1]);
  };
  const onClose: CloseListener = (event) => {
    if (closed) return;
    closed = true;
    cleanup();
    const code = event.code ?? 1006;
    if (!ready && httpStatus !== undefined) handler.close({ type: 'http', status: httpStatus });
    else handler.close({ type: 'close', code, ...(event.reason ? { reason: event.reason } : {}) });
  };

  socket.addEventListener('open', onOpen);
  socket.addEventListener('message', onMessage);
  socket.addEventListener('error', onError);
  socket.addEventListener('close', onClose);
  // Stays after cleanup: `ws` emits `error` when a connecting socket is closed, and throws without a listener.
  socket.addEventListener('error', ignore);
  const connectTimer = setTimeout(() => fail({ type: 'network', error: new RealtimeError('CONNECTION_LOST', 'Connect timeout.') }), options.connectTimeoutMs ?? 10_000);
  function cleanup() {
    clearTimeout(connectTimer);
    pendingAuth.clear();
    socket.removeEventListener('open', onOpen);
    socket.removeEventListener('message', onMessage);
    socket.removeEventListener('error', onError);
    socket.removeEventListener('close', onClose);
  }

  return {
    subscribe(channel, { cursor }) {
      if (!isValidChannelName(channel)) return queueMicrotask(() => !closed && handler.subscribeFailed(channel, invalidChannel(channel, name)));
      const confirm = () => {
        if (!codec.confirmsSubscriptions) queueMicrotask(() => !closed && handler.subscribed(channel, {}));
      };
      if (!isPrivateChannel(channel) || session === null) {
        send({ type: 'subscribe', channel, cursor });
        return confirm();
      }
      const token = {};
      pendingAuth.set(channel, token);
      auth.get(session, channel, name).then(
        (authorization) => {
          if (pendingAuth.get(channel) !== token || closed) return;
          send({ type: 'subscribe', channel, cursor, auth: authorization.auth, ...(authorization.channelData === undefined ? {} : { channelData: authorization.channelData }) });
          confirm();
        },
        (error: unknown) => {
          if (pendingAuth.get(channel) !== token || closed) return;
          pendingAuth.delete(channel);
          handler.subscribeFailed(channel, error instanceof RealtimeError ? error : new RealtimeError('UNAUTHORIZED', String(error), { cause: error, details: { channel } }));
        },
      );
    },
    unsubscribe(channel) {
      pendingAuth.delete(channel);
      send({ type: 'unsubscribe', channel });
    },
    publish(message) {
      const signature = session === null ? undefined : auth.peek(session, message.channel);
      const op: CodecOp = { type: 'publish', message, ...(signature ? { auth: signature.auth, ...(signature.channelData === undefined ? {} : { channelData: signature.channelData }) } : {}) };
      const text = codec.encode(op);
      const { id } = message;
      if (text === null) {
        return queueMicrotask(() => handler.nack(id, new RealtimeError('CAPABILITY_MISSING', `The ${codec.name} codec cannot publish.`, { details: { transport: name, messageId: id } })));
      }
      const bytes = utf8Length(text);
      if (bytes > limits.maxFrameBytes) {
        return queueMicrotask(() =>
          handler.nack(id, new RealtimeError('FRAME_TOO_LARGE', `The publish frame is ${bytes} bytes; the server accepts ${limits.maxFrameBytes}.`, { details: { transport: name, messageId: id } })),
        );
      }
      if (socket.readyState !== OPEN) throw new RealtimeError('CONNECTION_LOST', 'The socket is not open.', { details: { transport: name, messageId: id } });
      socket.send(text);
    },
    presence(channel, op) {
      send({ type: 'presence', channel, op });
    },
    // Only a codec that can ping lets the core check a quiet connection (a foreign server may stay silent).
    ...(codec.encode({ type: 'ping' }) === null ? {} : { ping: () => void send({ type: 'ping' }) }),
    close() {
      if (closed) return;
      closed = true;
      cleanup();
      try {
        socket.close(1000);
      } catch {
        // never opened
      }
    },
  };
}
