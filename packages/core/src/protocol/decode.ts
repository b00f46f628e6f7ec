import { REALTIME_ERROR_CODES, RealtimeError, type RealtimeErrorCode } from '../errors.js';
import { PROTOCOL_VERSION, type ClientFrame, type MessageFrame, type ServerFrame, type WireLimits, type WireMember } from './frames.js';
import { isValidChannelName, isValidEventName } from './constants.js';
import { isValidOffset } from './cursors.js';

/** What a decoder returns: the frame, or the typed error to report. It never throws. */
export type DecodeResult<T> = { readonly ok: true; readonly frame: T } | { readonly ok: false; readonly error: RealtimeError };

export interface DecodeOptions {
  /** Frames larger than this (UTF-8 bytes) are refused with `FRAME_TOO_LARGE` before parsing. */
  maxBytes?: number;
}

/** UTF-8 byte length of a string, without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Serialises a frame. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/** A wire error code as a `RealtimeErrorCode`; codes this build does not know become `SERVER_ERROR`. */
export function toErrorCode(code: unknown): RealtimeErrorCode {
  return typeof code === 'string' && (REALTIME_ERROR_CODES as readonly string[]).includes(code) ? (code as RealtimeErrorCode) : 'SERVER_ERROR';
}

/** The `RealtimeError` for an `error`, `nack` or `refused` frame. */
export function frameError(frame: { code: RealtimeErrorCode; message?: string; channel?: string; id?: string }, transport?: string): RealtimeError {
  return new RealtimeError(frame.code, frame.message || undefined, {
    details: {
      ...(frame.channel === undefined ? {} : { channel: frame.channel }),
      ...(frame.id === undefined ? {} : { messageId: frame.id }),
      ...(transport === undefined ? {} : { transport }),
    },
  });
}

class Invalid extends Error {}

type Obj = Record<string, unknown>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const fail = (reason: string): never => {
  throw new Invalid(reason);
};
const str = (o: Obj, key: string, optional = false): string | undefined => {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') return fail(`"${key}" must be a string`);
  return v;
};
const bool = (o: Obj, key: string, optional = false): boolean | undefined => {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'boolean') return fail(`"${key}" must be a boolean`);
  return v;
};
const num = (o: Obj, key: string, optional = false): number | undefined => {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return fail(`"${key}" must be a non-negative number`);
  return v;
};
const channel = (o: Obj): string => {
  const v = o.channel;
  return isValidChannelName(v) ? v : fail('"channel" must be 1-200 printable ASCII characters');
};
const event = (o: Obj): string => {
  const v = o.event;
  return isValidEventName(v) ? v : fail('"event" must be 1-200 characters without control characters');
};
const offset = (o: Obj, key: string, nullable: boolean): string | null | undefined => {
  const v = o[key];
  if (v === undefined || (v === null && nullable)) return v as null | undefined;
  return isValidOffset(v) ? v : fail(`"${key}" must be an offset`);
};
const id = (o: Obj): string => {
  const v = str(o, 'id') as string;
  return v.length > 0 && v.length <= 200 ? v : fail('"id" must be 1-200 characters');
};
const member = (v: unknown): WireMember => {
  if (!isObject(v) || typeof v.id !== 'string') return fail('a presence member needs a string "id"');
  return { id: v.id, data: v.data };
};
const optional = <T extends Obj>(fields: T): Partial<T> => {
  const out: Obj = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as Partial<T>;
};

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function limits(v: unknown): WireLimits {
  if (!isObject(v)) return fail('"limits" must be an object');
  return { maxFrameBytes: num(v, 'maxFrameBytes') as number, maxChannels: num(v, 'maxChannels') as number, messagesPerSecond: num(v, 'messagesPerSecond') as number };
}

const PRESENCE_IN = new Set(['enter', 'update', 'leave']);
const PRESENCE_OUT = new Set(['join', 'update', 'leave']);

const SERVER: Record<string, (o: Obj) => ServerFrame> = {
  welcome: (o) => ({
    type: 'welcome',
    v: num(o, 'v') as number,
    session: str(o, 'session') as string,
    member: str(o, 'member') as string,
    heartbeatMs: num(o, 'heartbeatMs') as number,
    limits: limits(o.limits),
  }),
  subscribed: (o) => ({ type: 'subscribed', channel: channel(o), resumed: bool(o, 'resumed') as boolean, cursor: offset(o, 'cursor', true) ?? null }),
  refused: (o) => ({ type: 'refused', channel: channel(o), code: toErrorCode(o.code), ...optional({ message: str(o, 'message', true) }) }),
  // The hot path (every message a client receives): optional fields are set only when present,
  // without the intermediate objects of `optional()`.
  message: (o) => {
    if (!('data' in o)) fail('"data" is missing');
    const frame: Mutable<MessageFrame> = {
      type: 'message',
      channel: channel(o),
      event: event(o),
      data: o.data,
      offset: offset(o, 'offset', false) ?? fail('"offset" is missing'),
    };
    const clientMessageId = str(o, 'clientMessageId', true);
    if (clientMessageId !== undefined) frame.clientMessageId = clientMessageId;
    const ts = num(o, 'ts', true);
    if (ts !== undefined) frame.ts = ts;
    return frame;
  },
  ack: (o) => ({ type: 'ack', id: id(o), ...optional({ offset: offset(o, 'offset', false) ?? undefined }) }),
  nack: (o) => ({ type: 'nack', id: id(o), code: toErrorCode(o.code), ...optional({ message: str(o, 'message', true) }) }),
  presence: (o) => {
    const action = o.action;
    if (action === 'sync') {
      if (!Array.isArray(o.members)) fail('"members" must be an array');
      return { type: 'presence', channel: channel(o), action, members: (o.members as unknown[]).map(member) };
    }
    if (typeof action !== 'string' || !PRESENCE_OUT.has(action)) return fail('"action" must be sync, join, update or leave');
    return { type: 'presence', channel: channel(o), action: action as 'join', member: member(o.member) };
  },
  ping: (o) => ({ type: 'ping', ...optional({ id: str(o, 'id', true) }) }),
  pong: (o) => ({ type: 'pong', ...optional({ id: str(o, 'id', true) }) }),
  error: (o) => ({
    type: 'error',
    code: toErrorCode(o.code),
    ...optional({ message: str(o, 'message', true), channel: o.channel === undefined ? undefined : channel(o), retryAfterMs: num(o, 'retryAfterMs', true) }),
  }),
};

const auth = (o: Obj) => optional({ auth: str(o, 'auth', true), channelData: str(o, 'channelData', true) });

const CLIENT: Record<string, (o: Obj) => ClientFrame> = {
  hello: (o) => ({ type: 'hello', v: num(o, 'v') as number, ...optional({ token: str(o, 'token', true) }) }),
  subscribe: (o) => ({ type: 'subscribe', channel: channel(o), ...optional({ cursor: offset(o, 'cursor', true) }), ...auth(o) }),
  unsubscribe: (o) => ({ type: 'unsubscribe', channel: channel(o) }),
  publish: (o) => ({
    type: 'publish',
    id: id(o),
    channel: channel(o),
    event: event(o),
    data: o.data,
    ...optional({ volatile: bool(o, 'volatile', true) }),
    ...auth(o),
  }),
  presence: (o) => {
    const action = o.action;
    if (typeof action !== 'string' || !PRESENCE_IN.has(action)) return fail('"action" must be enter, update or leave');
    return { type: 'presence', channel: channel(o), action: action as 'enter', ...optional({ data: o.data }), ...auth(o) };
  },
  ping: (o) => ({ type: 'ping', ...optional({ id: str(o, 'id', true) }) }),
  pong: (o) => ({ type: 'pong', ...optional({ id: str(o, 'id', true) }) }),
};

function decode<T>(input: unknown, table: Record<string, (o: Obj) => T>, options: DecodeOptions | undefined): DecodeResult<T> {
  let value = input;
  if (typeof input === 'string') {
    const max = options?.maxBytes;
    if (max !== undefined && input.length > max / 3) {
      const bytes = utf8Length(input);
      if (bytes > max) {
        return { ok: false, error: new RealtimeError('FRAME_TOO_LARGE', `A frame of ${bytes} bytes exceeds the limit of ${max}.`, { details: { bytes, limit: max } }) };
      }
    }
    try {
      value = JSON.parse(input);
    } catch (cause) {
      return { ok: false, error: new RealtimeError('BAD_FRAME', 'A frame is not valid JSON.', { cause, details: { reason: 'json', sample: input.slice(0, 80) } }) };
    }
  }
  if (!isObject(value) || typeof value.type !== 'string') {
    return { ok: false, error: new RealtimeError('BAD_FRAME', 'A frame must be a JSON object with a string "type".', { details: { reason: 'shape' } }) };
  }
  const type = value.type;
  const build = Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
  if (!build) {
    return { ok: false, error: new RealtimeError('UNKNOWN_FRAME', `Unknown frame type "${type.slice(0, 40)}".`, { details: { frameType: type.slice(0, 40) } }) };
  }
  try {
    return { ok: true, frame: build(value) };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, error: new RealtimeError('BAD_FRAME', `Invalid "${type}" frame: ${error.message}.`, { details: { frameType: type, reason: error.message } }) };
  }
}

/** Decodes and validates a frame from the server (text, or an already parsed value). Never throws. */
export function decodeServerFrame(input: unknown, options?: DecodeOptions): DecodeResult<ServerFrame> {
  return decode(input, SERVER, options);
}

/** Decodes and validates a frame from a client (text, or an already parsed value). Never throws. */
export function decodeClientFrame(input: unknown, options?: DecodeOptions): DecodeResult<ClientFrame> {
  return decode(input, CLIENT, options);
}

/** `true` when the peer speaks the version this build does. */
export function isSupportedVersion(v: number): boolean {
  return v === PROTOCOL_VERSION;
}
