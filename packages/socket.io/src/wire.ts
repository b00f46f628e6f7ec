/**
 * The switchboard contract on top of socket.io: event names and payload shapes shared by the client
 * transport (`socketIO()`) and the server helper (`@switchboard/socket.io/server`). Every request from
 * the client carries an acknowledgement callback; the server answers each with a `Reply`.
 *
 * Server events reach a client either as a broadcast (through the socket.io adapter, so they carry an
 * offset and are replayed by connection state recovery) or as the reply to a request. No server event
 * is ever sent with a string as its last argument: socket.io-client would take it for an offset.
 *
 * Replayed events arrive before socket.io-client's `connect` event; the welcome of the current
 * connection always after it (the server sends it once the socket is connected).
 */
import { REALTIME_ERROR_CODES, isValidChannelName, isValidEventName, type RealtimeErrorCode } from '@switchboard/core/protocol';

export const EVENTS = {
  /** server → client, broadcast to the socket's own room: the connection is protocol-ready. */
  welcome: 'sb:welcome',
  /** client → server, with ack: join a channel (signature for `private-*`/`presence-*`). */
  subscribe: 'sb:subscribe',
  /** client → server: leave a channel. */
  unsubscribe: 'sb:unsubscribe',
  /** client → server, with ack (none when volatile): publish one message. */
  publish: 'sb:publish',
  /** client → server with ack: enter/update/leave; server → client broadcast: join/update/leave. */
  presence: 'sb:presence',
  /** server → client, broadcast to the channel's room: one message. */
  message: 'sb:message',
  /** server → client, right before the server disconnects the socket: what the client should do. */
  close: 'sb:close',
  /** client → server, with ack: any answer proves the connection alive. */
  ping: 'sb:ping',
} as const;

/** socket.io room of a channel. Prefixed, so no channel name can collide with a socket's own room. */
export function roomOf(channel: string): string {
  return `sb:${channel}`;
}

/** The channel of a room made by `roomOf`, or `null` for any other room. */
export function channelOfRoom(room: string): string | null {
  return room.startsWith('sb:') ? room.slice(3) : null;
}

export interface WireMember {
  readonly id: string;
  readonly data: unknown;
}

export interface WelcomePayload {
  /** The server's ping interval: the client's heartbeat deadline is this plus its grace. */
  readonly heartbeatMs?: number;
  /** Largest `data` (UTF-8 bytes of its JSON) the server accepts in a publish. */
  readonly maxMessageBytes: number;
  /** The server restored this socket's previous session (connection state recovery). */
  readonly recovered: boolean;
  /** Channels the restored session was already subscribed to. */
  readonly channels: readonly string[];
}

export interface SubscribeRequest {
  readonly channel: string;
  /** `private-*` / `presence-*`: `"<key>:<hex HMAC-SHA256 of socketId:channel[:channelData]>"`. */
  readonly auth?: string;
  /** `presence-*`: the JSON that was signed (`{"user_id":…,"user_info":…}`). */
  readonly channelData?: string;
}

export interface PublishRequest {
  /** Client message id: the idempotency key the server deduplicates on. */
  readonly id: string;
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
}

export interface PresenceRequest {
  readonly channel: string;
  readonly action: 'enter' | 'update' | 'leave';
  readonly data?: unknown;
}

export interface MessagePayload {
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  /** Server-assigned id, unique within the channel (the client's dedup key). */
  readonly id: string;
  readonly clientMessageId?: string;
  readonly ts?: number;
}

export interface PresencePayload {
  readonly channel: string;
  readonly action: 'join' | 'update' | 'leave';
  readonly member: WireMember;
}

export interface ClosePayload {
  /** A close code, read by the client's fatal-rule table (e.g. 4003 stop, 4100 re-auth, 1012 retry). */
  readonly code: number;
  readonly reason?: string;
}

/** The answer to every request. */
export type Reply<T extends object = object> = ({ readonly ok: true } & T) | { readonly ok: false; readonly code: string; readonly message?: string };

export interface SubscribeResult {
  /** The server kept this subscription through a recovered session: nothing was missed. */
  readonly resumed: boolean;
  /** Present members (only when there are any, or on `presence-*` channels). */
  readonly members?: readonly WireMember[];
  /** The id this socket appears under in the channel's presence (the signed user id on `presence-*`). */
  readonly memberId?: string;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown, max: number) => value === undefined || (typeof value === 'string' && value.length <= max);

/** A client message id: 1–100 printable characters. */
export function isValidMessageId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= 100 && /^[\x21-\x7e]+$/.test(id);
}

export function isMember(value: unknown): value is WireMember {
  return isObject(value) && typeof value.id === 'string' && 'data' in value;
}

export function parseSubscribe(value: unknown): SubscribeRequest | null {
  if (!isObject(value) || !isValidChannelName(value.channel)) return null;
  if (!optionalString(value.auth, 300) || !optionalString(value.channelData, 4096)) return null;
  return value as unknown as SubscribeRequest;
}

export function parsePublish(value: unknown): PublishRequest | null {
  if (!isObject(value) || !isValidMessageId(value.id) || !isValidChannelName(value.channel) || !isValidEventName(value.event)) return null;
  return { id: value.id, channel: value.channel, event: value.event, data: value.data };
}

export function parsePresenceRequest(value: unknown): PresenceRequest | null {
  if (!isObject(value) || !isValidChannelName(value.channel)) return null;
  if (value.action !== 'enter' && value.action !== 'update' && value.action !== 'leave') return null;
  return { channel: value.channel, action: value.action, data: value.data };
}

export function parseMessage(value: unknown): MessagePayload | null {
  if (!isObject(value) || typeof value.channel !== 'string' || typeof value.event !== 'string' || typeof value.id !== 'string') return null;
  if (value.clientMessageId !== undefined && typeof value.clientMessageId !== 'string') return null;
  if (value.ts !== undefined && typeof value.ts !== 'number') return null;
  return value as unknown as MessagePayload;
}

export function parsePresence(value: unknown): PresencePayload | null {
  if (!isObject(value) || typeof value.channel !== 'string' || !isMember(value.member)) return null;
  if (value.action !== 'join' && value.action !== 'update' && value.action !== 'leave') return null;
  return value as unknown as PresencePayload;
}

export function parseWelcome(value: unknown): WelcomePayload | null {
  if (!isObject(value) || typeof value.recovered !== 'boolean') return null;
  if (typeof value.maxMessageBytes !== 'number' || !(value.maxMessageBytes > 0)) return null;
  if (value.heartbeatMs !== undefined && (typeof value.heartbeatMs !== 'number' || !(value.heartbeatMs > 0))) return null;
  if (!Array.isArray(value.channels) || !value.channels.every((c) => typeof c === 'string')) return null;
  return value as unknown as WelcomePayload;
}

export function parseClose(value: unknown): ClosePayload | null {
  if (!isObject(value) || typeof value.code !== 'number' || !Number.isInteger(value.code)) return null;
  return { code: value.code, ...(typeof value.reason === 'string' ? { reason: value.reason.slice(0, 200) } : {}) };
}

/** A reply, or `null` when it is neither `{ ok: true, … }` nor `{ ok: false, code }`. */
export function parseReply(value: unknown): Reply<Obj> | null {
  if (!isObject(value) || typeof value.ok !== 'boolean') return null;
  if (value.ok) return value as Reply<Obj>;
  if (typeof value.code !== 'string') return null;
  return { ok: false, code: value.code, ...(typeof value.message === 'string' ? { message: value.message } : {}) };
}

/** A code from the wire as a `RealtimeErrorCode`, or `fallback` when this build does not know it. */
export function knownCode(code: string, fallback: RealtimeErrorCode): RealtimeErrorCode {
  return (REALTIME_ERROR_CODES as readonly string[]).includes(code) ? (code as RealtimeErrorCode) : fallback;
}

/** A refusal reply. */
export function refusal(code: RealtimeErrorCode, message: string): Reply {
  return { ok: false, code, message };
}
