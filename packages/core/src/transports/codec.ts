import { RealtimeError } from '../errors.js';
import type { Disconnect } from '../fatal.js';
import {
  PROTOCOL_VERSION,
  decodeServerFrame,
  encodeFrame,
  frameError,
  isSupportedVersion,
  type ClientFrame,
  type WireLimits,
} from '../protocol/index.js';
import type { Message, OpenInfo, OutgoingMessage, PresenceEvent, PresenceOp, SubscribedInfo, TransportCapabilities } from '../transport.js';
import { toMessage, toPresenceEvent } from './shared.js';

/** An operation the WebSocket transport asks a codec to put on the wire. */
export type CodecOp =
  | { readonly type: 'hello'; readonly token?: string }
  | { readonly type: 'subscribe'; readonly channel: string; readonly cursor: string | null; readonly auth?: string; readonly channelData?: string }
  | { readonly type: 'unsubscribe'; readonly channel: string }
  | { readonly type: 'publish'; readonly message: OutgoingMessage; readonly auth?: string; readonly channelData?: string }
  | { readonly type: 'presence'; readonly channel: string; readonly op: PresenceOp }
  | { readonly type: 'ping' }
  | { readonly type: 'pong'; readonly id?: string };

/** What a codec read from one inbound frame. */
export type CodecEvent =
  /** The server completed the handshake: the connection is ready. */
  | { readonly type: 'welcome'; readonly info: OpenInfo; readonly limits?: WireLimits }
  | { readonly type: 'message'; readonly message: Message }
  | { readonly type: 'subscribed'; readonly channel: string; readonly info?: SubscribedInfo }
  | { readonly type: 'subscribe-failed'; readonly channel: string; readonly error: RealtimeError }
  | { readonly type: 'ack'; readonly id: string }
  | { readonly type: 'nack'; readonly id: string; readonly error: RealtimeError }
  | { readonly type: 'presence'; readonly channel: string; readonly event: PresenceEvent }
  /** The server pings: the transport answers with a `pong` op. */
  | { readonly type: 'ping'; readonly id?: string }
  /** A non-fatal problem (bad frame, server error): reported, the connection stays. */
  | { readonly type: 'error'; readonly error: RealtimeError }
  /** The connection cannot continue (e.g. unsupported protocol version). */
  | { readonly type: 'fatal'; readonly disconnect: Disconnect };

/**
 * Translates between the transport's operations and a server's frames. The native codec speaks
 * docs/protocol.md; `jsonCodec()` adapts to an existing server's own JSON.
 */
export interface WebSocketCodec {
  readonly name: string;
  /** What the server can do (merged into the transport's capabilities). */
  readonly capabilities: Pick<TransportCapabilities, 'publish' | 'acks' | 'presence' | 'resume'>;
  /** `true`: ready when the server says so (`welcome`); `false`: ready as soon as the socket opens. */
  readonly handshake: boolean;
  /** `true`: the server confirms subscriptions; `false`: they count as confirmed once sent. */
  readonly confirmsSubscriptions: boolean;
  /** The frame text for an operation, or `null` when the server has no equivalent. */
  encode(op: CodecOp): string | null;
  /** Reads one inbound text frame. Must not throw: bad input becomes an `error` event. */
  decode(text: string): readonly CodecEvent[];
}

/** The native protocol (the default of `websocket()`). */
export const nativeCodec: WebSocketCodec = /* @__PURE__ */ Object.freeze({
  name: 'native',
  capabilities: Object.freeze({ publish: 'native', acks: true, presence: true, resume: true }),
  handshake: true,
  confirmsSubscriptions: true,
  encode(op: CodecOp): string | null {
    let frame: ClientFrame;
    switch (op.type) {
      case 'hello':
        frame = { type: 'hello', v: PROTOCOL_VERSION, ...(op.token === undefined ? {} : { token: op.token }) };
        break;
      case 'subscribe':
        frame = { type: 'subscribe', channel: op.channel, cursor: op.cursor, ...auth(op) };
        break;
      case 'unsubscribe':
        frame = op;
        break;
      case 'publish': {
        const { id, channel, event, data, volatile } = op.message;
        frame = { type: 'publish', id, channel, event, data, ...(volatile ? { volatile: true } : {}), ...auth(op) };
        break;
      }
      case 'presence':
        frame = { type: 'presence', channel: op.channel, ...op.op };
        break;
      case 'ping':
        frame = { type: 'ping' };
        break;
      case 'pong':
        frame = op;
        break;
    }
    return encodeFrame(frame);
  },
  decode(text: string): readonly CodecEvent[] {
    const result = decodeServerFrame(text);
    if (!result.ok) return [{ type: 'error', error: result.error }];
    const frame = result.frame;
    switch (frame.type) {
      case 'welcome':
        if (!isSupportedVersion(frame.v)) return [{ type: 'fatal', disconnect: { type: 'protocol', reason: `the server speaks protocol version ${frame.v}` } }];
        return [{ type: 'welcome', info: { sessionId: frame.session, memberId: frame.member, heartbeatMs: frame.heartbeatMs }, limits: frame.limits }];
      case 'subscribed':
        return [{ type: 'subscribed', channel: frame.channel, info: { resumed: frame.resumed, ...(frame.cursor === null ? {} : { cursor: frame.cursor }) } }];
      case 'refused':
        return [{ type: 'subscribe-failed', channel: frame.channel, error: frameError(frame) }];
      case 'message':
        return [{ type: 'message', message: toMessage(frame) }];
      case 'ack':
        return [{ type: 'ack', id: frame.id }];
      case 'nack':
        return [{ type: 'nack', id: frame.id, error: frameError(frame) }];
      case 'presence':
        return [{ type: 'presence', channel: frame.channel, event: toPresenceEvent(frame) }];
      case 'ping':
        return [{ type: 'ping', ...(frame.id === undefined ? {} : { id: frame.id }) }];
      case 'pong':
        return [];
      case 'error':
        if (frame.code === 'PROTOCOL_ERROR') return [{ type: 'fatal', disconnect: { type: 'protocol', reason: frame.message ?? 'protocol error' } }];
        return [{ type: 'error', error: frameError(frame) }];
    }
  },
});

function auth(op: { auth?: string; channelData?: string }) {
  return { ...(op.auth === undefined ? {} : { auth: op.auth }), ...(op.channelData === undefined ? {} : { channelData: op.channelData }) };
}

/** A message read from a foreign server's frame. */
export interface ForeignMessage {
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** An id to deduplicate on, if the server has one. */
  readonly id?: string;
}

export interface JsonCodecOptions {
  /** The subscribe frame. Default `{ type: 'subscribe', channel }`. */
  subscribe?: (channel: string) => unknown;
  /** The unsubscribe frame. Default `{ type: 'unsubscribe', channel }`. */
  unsubscribe?: (channel: string) => unknown;
  /** The publish frame, or `false` when clients cannot publish. Default `{ type: 'publish', channel, event, payload }`. */
  publish?: ((message: OutgoingMessage) => unknown) | false;
  /**
   * Reads an inbound frame; `null` ignores it. Default: `{ channel, event, payload }` (or `data`).
   * Throwing reports `BAD_FRAME`.
   */
  parse?: (frame: unknown) => ForeignMessage | null;
}

function defaultParse(frame: unknown): ForeignMessage | null {
  if (typeof frame !== 'object' || frame === null) return null;
  const { channel, event, payload, data, id } = frame as Record<string, unknown>;
  if (typeof channel !== 'string') return null;
  return {
    channel,
    event: typeof event === 'string' ? event : 'message',
    data: payload !== undefined ? payload : data,
    ...(typeof id === 'string' || typeof id === 'number' ? { id: String(id) } : {}),
  };
}

/**
 * A codec for an existing WebSocket server that speaks its own JSON — no server kit needed. The
 * connection is ready when the socket opens, subscriptions count as confirmed once sent; there are
 * no acks, presence or resume (the transport's capabilities say so).
 *
 * @example
 * websocket({
 *   url: 'wss://legacy.example.com/socket',
 *   codec: jsonCodec({
 *     subscribe: (channel) => ({ action: 'join', room: channel }),
 *     parse: (f) => ({ channel: f.room, event: f.kind, data: f.body }),
 *   }),
 * });
 */
export function jsonCodec(options: JsonCodecOptions = {}): WebSocketCodec {
  const subscribe = options.subscribe ?? ((channel: string) => ({ type: 'subscribe', channel }));
  const unsubscribe = options.unsubscribe ?? ((channel: string) => ({ type: 'unsubscribe', channel }));
  const publish =
    options.publish === false ? null : (options.publish ?? ((m: OutgoingMessage) => ({ type: 'publish', channel: m.channel, event: m.event, payload: m.data })));
  const parse = options.parse ?? defaultParse;
  return {
    name: 'json',
    capabilities: { publish: publish ? 'native' : false, acks: false, presence: false, resume: false },
    handshake: false,
    confirmsSubscriptions: false,
    encode(op) {
      switch (op.type) {
        case 'subscribe':
          return JSON.stringify(subscribe(op.channel));
        case 'unsubscribe':
          return JSON.stringify(unsubscribe(op.channel));
        case 'publish':
          return publish ? JSON.stringify(publish(op.message)) : null;
        default:
          return null;
      }
    },
    decode(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        return [{ type: 'error', error: new RealtimeError('BAD_FRAME', 'A frame is not valid JSON.', { cause, details: { sample: text.slice(0, 80) } }) }];
      }
      let parsed: ForeignMessage | null;
      try {
        parsed = parse(value);
      } catch (cause) {
        return [{ type: 'error', error: new RealtimeError('BAD_FRAME', 'The codec could not read a frame.', { cause }) }];
      }
      if (!parsed) return [];
      const message: Message = { channel: parsed.channel, event: parsed.event, data: parsed.data, ...(parsed.id === undefined ? {} : { id: parsed.id }) };
      return [{ type: 'message', message }];
    },
  };
}
