import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  DEFAULT_LIMITS,
  decodeClientFrame,
  decodeCursorList,
  decodeServerFrame,
  encodeCursorList,
  encodeFrame,
  frameError,
  fromEntityTag,
  isPresenceChannel,
  isPrivateChannel,
  isValidChannelName,
  isValidEventName,
  toEntityTag,
  toErrorCode,
  utf8Length,
  type ClientFrame,
  type ServerFrame,
} from '../src/protocol/index.js';
import { classifyDisconnect } from '../src/fatal.js';

const limits = DEFAULT_LIMITS;
const SERVER_FRAMES: ServerFrame[] = [
  { type: 'welcome', v: 1, session: 's', member: 'm', heartbeatMs: 25_000, limits },
  { type: 'subscribed', channel: 'room:1', resumed: true, cursor: 'e.4' },
  { type: 'subscribed', channel: 'room:1', resumed: false, cursor: null },
  { type: 'refused', channel: 'private-x', code: 'UNAUTHORIZED', message: 'no' },
  { type: 'message', channel: 'room:1', event: 'chat', data: { text: 'hi' }, offset: 'e.5', clientMessageId: 'c.1', ts: 1 },
  { type: 'message', channel: 'room:1', event: 'chat', data: null, offset: 'e.6' },
  { type: 'ack', id: 'c.1', offset: 'e.5' },
  { type: 'nack', id: 'c.2', code: 'RATE_LIMITED', message: 'slow down' },
  { type: 'presence', channel: 'room:1', action: 'sync', members: [{ id: 'a', data: 1 }] },
  { type: 'presence', channel: 'room:1', action: 'leave', member: { id: 'a', data: 1 } },
  { type: 'ping' },
  { type: 'pong', id: 'p' },
  { type: 'error', code: 'FRAME_TOO_LARGE', message: 'big', channel: 'room:1', retryAfterMs: 10 },
];
const CLIENT_FRAMES: ClientFrame[] = [
  { type: 'hello', v: 1, token: 't' },
  { type: 'subscribe', channel: 'room:1', cursor: 'e.4', auth: 'k:sig', channelData: '{}' },
  { type: 'subscribe', channel: 'room:1', cursor: null },
  { type: 'unsubscribe', channel: 'room:1' },
  { type: 'publish', id: 'c.1', channel: 'room:1', event: 'chat', data: [1, 2], volatile: true },
  { type: 'presence', channel: 'room:1', action: 'enter', data: { name: 'ann' } },
  { type: 'presence', channel: 'room:1', action: 'leave' },
  { type: 'ping', id: 'x' },
  { type: 'pong' },
];

describe('frame decoder', () => {
  it.each(SERVER_FRAMES.map((f) => [f.type, f] as const))('decodes a valid server frame: %s', (_type, frame) => {
    expect(decodeServerFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
    expect(decodeServerFrame(frame)).toEqual({ ok: true, frame }); // already parsed
  });

  it.each(CLIENT_FRAMES.map((f) => [f.type, f] as const))('decodes a valid client frame: %s', (_type, frame) => {
    expect(decodeClientFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it('drops unknown fields (forward compatible) and never returns the input object', () => {
    const input = { type: 'ack', id: 'c.1', future: 'field' };
    const result = decodeServerFrame(input);
    expect(result).toEqual({ ok: true, frame: { type: 'ack', id: 'c.1' } });
    expect(result.ok && result.frame).not.toBe(input);
  });

  it('reports malformed JSON and non-objects as BAD_FRAME', () => {
    for (const input of ['{nope', '[]', '"str"', '42', 'null', '{"no":"type"}', '{"type":5}']) {
      const result = decodeServerFrame(input);
      expect(result.ok ? 'ok' : result.error.code).toBe('BAD_FRAME');
    }
  });

  it('reports unknown frame types as UNKNOWN_FRAME (client frames are not server frames)', () => {
    const unknown = decodeServerFrame('{"type":"teleport"}');
    expect(unknown.ok ? null : unknown.error.code).toBe('UNKNOWN_FRAME');
    expect(unknown.ok ? null : unknown.error.details.frameType).toBe('teleport');
    const wrongSide = decodeServerFrame({ type: 'hello', v: 1 });
    expect(wrongSide.ok ? null : wrongSide.error.code).toBe('UNKNOWN_FRAME');
    const proto = decodeClientFrame('{"type":"__proto__"}');
    expect(proto.ok ? null : proto.error.code).toBe('UNKNOWN_FRAME');
  });

  it('reports fields of the wrong type as BAD_FRAME, naming the field', () => {
    const cases: [unknown, string][] = [
      [{ type: 'message', channel: 'c', event: 'e', data: 1 }, 'offset'],
      [{ type: 'message', channel: 'c', event: 'e', offset: 'e.1' }, 'data'],
      [{ type: 'message', channel: 'has space', event: 'e', data: 1, offset: 'e.1' }, 'channel'],
      [{ type: 'message', channel: 'c', event: '', data: 1, offset: 'e.1' }, 'event'],
      [{ type: 'message', channel: 'c', event: 'e', data: 1, offset: 'bad,offset' }, 'offset'],
      [{ type: 'subscribed', channel: 'c', resumed: 'yes', cursor: null }, 'resumed'],
      [{ type: 'welcome', v: 1, session: 's', member: 'm', heartbeatMs: -1, limits }, 'heartbeatMs'],
      [{ type: 'welcome', v: 1, session: 's', member: 'm', heartbeatMs: 1 }, 'limits'],
      [{ type: 'presence', channel: 'c', action: 'dance', member: { id: 'a' } }, 'action'],
      [{ type: 'presence', channel: 'c', action: 'sync', members: [{ data: 1 }] }, 'member'],
      [{ type: 'ack', id: '' }, 'id'],
    ];
    for (const [input, field] of cases) {
      const result = decodeServerFrame(input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('BAD_FRAME');
        expect(result.error.message).toContain(field);
      }
    }
    const publish = decodeClientFrame({ type: 'publish', id: 'x', channel: 'c', event: 7 });
    expect(publish.ok ? null : publish.error.code).toBe('BAD_FRAME');
  });

  it('refuses frames over the size limit before parsing them (FRAME_TOO_LARGE)', () => {
    const big = encodeFrame({ type: 'message', channel: 'c', event: 'e', data: 'é'.repeat(600), offset: 'e.1' });
    const result = decodeServerFrame(big, { maxBytes: 1000 });
    expect(result.ok ? null : result.error.code).toBe('FRAME_TOO_LARGE');
    expect(result.ok ? null : result.error.details).toMatchObject({ limit: 1000, bytes: utf8Length(big) });
    expect(decodeServerFrame(big, { maxBytes: 2000 }).ok).toBe(true);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue(), fc.anything()), (input) => {
        decodeServerFrame(input, { maxBytes: 10_000 });
        decodeClientFrame(input);
      }),
    );
  });

  it('maps wire codes onto stable error codes; unknown ones become SERVER_ERROR', () => {
    expect(toErrorCode('RATE_LIMITED')).toBe('RATE_LIMITED');
    expect(toErrorCode('TEAPOT')).toBe('SERVER_ERROR');
    expect(toErrorCode('toString')).toBe('SERVER_ERROR');
    expect(decodeServerFrame({ type: 'nack', id: 'x', code: 'WHATEVER' })).toEqual({ ok: true, frame: { type: 'nack', id: 'x', code: 'SERVER_ERROR' } });
    const error = frameError({ code: 'PUBLISH_REJECTED', message: 'no', channel: 'c', id: 'm.1' }, 'websocket');
    expect(error).toMatchObject({ code: 'PUBLISH_REJECTED', message: 'no', details: { channel: 'c', messageId: 'm.1', transport: 'websocket' } });
  });

  it('counts UTF-8 bytes like the wire does', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀é', '\ud800']) expect(utf8Length(text)).toBe(Buffer.byteLength(text));
  });
});

describe('cursor lists', () => {
  it('encode one item per channel, empty for none, with optional presence versions', () => {
    expect(encodeCursorList([{ cursor: 'e.1' }, { cursor: null }, { cursor: 'e.9', presence: 3 }])).toBe('e.1,,e.9~3');
    expect(decodeCursorList('e.1,,e.9~3', 3)).toEqual([{ cursor: 'e.1' }, { cursor: null }, { cursor: 'e.9', presence: 3 }]);
    expect(decodeCursorList('', 0)).toEqual([]);
  });

  it('round-trip for any offsets', () => {
    const offset = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
    const item = fc.record({ cursor: fc.option(offset, { nil: null }), presence: fc.option(fc.nat(), { nil: undefined }) }, { requiredKeys: ['cursor'] });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 20 }), (items) => {
        const normalized = items.map((i) => ({ cursor: i.cursor, ...(i.presence === undefined ? {} : { presence: i.presence }) }));
        expect(decodeCursorList(encodeCursorList(normalized), normalized.length)).toEqual(normalized);
      }),
    );
  });

  it('refuse malformed lists (the server then treats channels as fresh)', () => {
    expect(decodeCursorList('e.1,e.2', 3)).toBeNull(); // wrong count
    expect(decodeCursorList('e 1', 1)).toBeNull();
    expect(decodeCursorList('e.1~x', 1)).toBeNull();
    expect(decodeCursorList('e.1~1~2', 1)).toBeNull();
    expect(decodeCursorList(null, 1)).toBeNull();
    expect(decodeCursorList('x', 0)).toBeNull();
  });

  it('travel as entity tags (weak ones accepted)', () => {
    expect(toEntityTag('e.1,')).toBe('"e.1,"');
    expect(fromEntityTag('"e.1,"')).toBe('e.1,');
    expect(fromEntityTag('W/"e.1"')).toBe('e.1');
    expect(fromEntityTag('e.1')).toBeNull();
    expect(fromEntityTag(null)).toBeNull();
  });
});

describe('names and close codes', () => {
  it('validates channel and event names', () => {
    expect(isValidChannelName('room:42')).toBe(true);
    expect(isValidChannelName('presence-room')).toBe(true);
    for (const bad of ['', 'has space', 'x'.repeat(201), 'é', 42, null]) expect(isValidChannelName(bad)).toBe(false);
    expect(isValidEventName('message sent')).toBe(true);
    for (const bad of ['', 'a\nb', 'x'.repeat(201), 1]) expect(isValidEventName(bad)).toBe(false);
    expect(isPrivateChannel('private-a') && isPrivateChannel('presence-a') && !isPrivateChannel('room')).toBe(true);
    expect(isPresenceChannel('presence-a') && !isPresenceChannel('private-a')).toBe(true);
  });

  it("the server's close codes mean what the protocol doc says under the core's fatal rules", () => {
    const outcome = (code: number) => classifyDisconnect({ type: 'close', code }).outcome;
    expect(outcome(CLOSE_CODES.GOING_AWAY)).toBe('retry');
    expect(outcome(CLOSE_CODES.SERVICE_RESTART)).toBe('retry');
    expect(outcome(CLOSE_CODES.INTERNAL_ERROR)).toBe('retry');
    expect(outcome(CLOSE_CODES.TRY_AGAIN_LATER)).toBe('retry-hint');
    expect(outcome(CLOSE_CODES.PROTOCOL_ERROR)).toBe('fail');
    expect(outcome(CLOSE_CODES.POLICY_VIOLATION)).toBe('fail');
    expect(outcome(CLOSE_CODES.TOO_BIG)).toBe('fail');
    expect(classifyDisconnect({ type: 'close', code: CLOSE_CODES.FORBIDDEN })).toMatchObject({ outcome: 'fail', code: 'FORBIDDEN' });
    expect(classifyDisconnect({ type: 'close', code: CLOSE_CODES.UNAUTHORIZED })).toMatchObject({ outcome: 'reauth', code: 'UNAUTHORIZED' });
    expect(outcome(CLOSE_CODES.HEARTBEAT_TIMEOUT)).toBe('retry-now');
    expect(outcome(CLOSE_CODES.SLOW_CONSUMER)).toBe('retry-now');
  });
});
