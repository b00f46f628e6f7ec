import type { WireMember } from '@switchboard/core/protocol';
import type { BrokerEvent, BrokerMessage } from '../broker.js';

/**
 * Offsets of the Redis broker: `<epoch>.<stream id>` (`k3x9q.1700000000000-0`), or for a volatile
 * message `<epoch>.<stream id of the stored message before it>:<tag>`. Stream ids grow with Redis'
 * clock, so they are ordered and never reused; the epoch changes when Redis loses its data, so older
 * cursors are then recognised as foreign instead of silently skipping what was lost.
 */
export interface ParsedOffset {
  readonly epoch: string;
  /** Stream id `<ms>-<seq>`. */
  readonly id: string;
}

const OFFSET = /^([A-Za-z0-9]{1,20})\.(\d{1,20}-\d{1,20})(?::[A-Za-z0-9]{1,20})?$/;

export function parseOffset(offset: string | null | undefined): ParsedOffset | null {
  const match = typeof offset === 'string' ? OFFSET.exec(offset) : null;
  return match ? { epoch: match[1]!, id: match[2]! } : null;
}

/** Compares two stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [ams = 0, aseq = 0] = a.split('-').map(Number);
  const [bms = 0, bseq = 0] = b.split('-').map(Number);
  return ams !== bms ? Math.sign(ams - bms) : Math.sign(aseq - bseq);
}

/** The stored form of a message: everything but the channel and offset. Always starts with `{"e":`. */
export function encodePayload(message: { event: string; data: unknown; clientMessageId?: string; ts: number }): string {
  return JSON.stringify({
    e: message.event,
    d: message.data,
    t: message.ts,
    ...(message.clientMessageId === undefined ? {} : { c: message.clientMessageId }),
  });
}

interface Stored {
  e?: unknown;
  d?: unknown;
  t?: unknown;
  c?: unknown;
}

function toMessage(channel: string, offset: string, stored: Stored): BrokerMessage | null {
  if (typeof stored.e !== 'string' || typeof stored.t !== 'number') return null;
  return {
    channel,
    offset,
    event: stored.e,
    data: stored.d,
    ts: stored.t,
    ...(typeof stored.c === 'string' ? { clientMessageId: stored.c } : {}),
  };
}

/** A history entry (`[id, ['m', payload]]`) as a message; `null` if it is not one of ours. */
export function decodeEntry(channel: string, epoch: string, entry: unknown): BrokerMessage | null {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) return null;
  const fields = entry[1] as unknown[];
  const at = fields.indexOf('m');
  const payload = at >= 0 ? fields[at + 1] : undefined;
  if (typeof payload !== 'string') return null;
  try {
    return toMessage(channel, `${epoch}.${entry[0]}`, JSON.parse(payload) as Stored);
  } catch {
    return null;
  }
}

/** A pub/sub payload as a broker event; `null` for anything else (never throws). */
export function decodeEvent(channel: string, text: string): BrokerEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { k?: unknown; o?: unknown; a?: unknown; v?: unknown; m?: unknown };
  if (v.k === 'm' && typeof v.o === 'string') {
    const message = toMessage(channel, v.o, v as Stored);
    return message ? { kind: 'message', message } : null;
  }
  if (v.k === 'p' && (v.a === 'join' || v.a === 'update' || v.a === 'leave') && typeof v.v === 'number') {
    const member = v.m as { id?: unknown; data?: unknown } | null;
    if (typeof member !== 'object' || member === null || typeof member.id !== 'string') return null;
    const wire: WireMember = { id: member.id, data: member.data };
    return { kind: 'presence', channel, action: v.a, member: wire, version: v.v };
  }
  return null;
}
