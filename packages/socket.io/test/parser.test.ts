import type { RealtimeError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { tolerantParser, type Packet } from '../src/parser.js';

function setup(maxFrameBytes = 1024) {
  const errors: RealtimeError[] = [];
  const parser = tolerantParser(() => ({ error: (e) => errors.push(e), maxFrameBytes, transport: 'socket.io' }));
  const decoder = new parser.Decoder();
  const packets: Packet[] = [];
  decoder.on('decoded', (packet) => packets.push(packet));
  return { encoder: new parser.Encoder(), decoder, packets, errors };
}

describe('tolerant socket.io parser', () => {
  it('encodes packets in the socket.io v5 text format', () => {
    const { encoder } = setup();
    expect(encoder.encode({ type: 0, nsp: '/', data: { token: 't' } })).toEqual(['0{"token":"t"}']);
    expect(encoder.encode({ type: 2, nsp: '/chat', id: 12, data: ['sb:publish', { id: 'a.1' }] })).toEqual(['2/chat,12["sb:publish",{"id":"a.1"}]']);
    expect(encoder.encode({ type: 1, nsp: '/' })).toEqual(['1']);
  });

  it('an unencodable payload is reported (INVALID_PAYLOAD) and not sent, never thrown', () => {
    const { encoder, errors } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(encoder.encode({ type: 2, nsp: '/', data: ['e', cyclic] })).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_PAYLOAD']);
  });

  it('decodes connect, event with namespace and ack id, ack, connect_error and disconnect', () => {
    const { decoder, packets, errors } = setup();
    decoder.add('0{"sid":"s1","pid":"p1"}');
    decoder.add('2/chat,7["sb:message",{"channel":"c"},"offset-1"]');
    decoder.add('3/chat,7[{"ok":true}]');
    decoder.add('4{"message":"nope","data":{"code":"FORBIDDEN"}}');
    decoder.add('1');
    expect(packets).toEqual([
      { type: 0, nsp: '/', data: { sid: 's1', pid: 'p1' } },
      { type: 2, nsp: '/chat', id: 7, data: ['sb:message', { channel: 'c' }, 'offset-1'] },
      { type: 3, nsp: '/chat', id: 7, data: [{ ok: true }] },
      { type: 4, nsp: '/', data: { message: 'nope', data: { code: 'FORBIDDEN' } } },
      { type: 1, nsp: '/' },
    ]);
    expect(errors).toEqual([]);
  });

  it('bad JSON, unknown types and invalid payloads are dropped with BAD_FRAME (naming the event when it can)', () => {
    const { decoder, packets, errors } = setup();
    expect(() => decoder.add('2["sb:message",{"channel":')).not.toThrow();
    decoder.add('9{}');
    decoder.add('2{"not":"an array"}');
    decoder.add('2[42]');
    decoder.add('0');
    decoder.add('1"unexpected"');
    decoder.add('');
    expect(packets).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(Array(7).fill('BAD_FRAME'));
    expect(errors[0]?.details.event).toBe('sb:message');
  });

  it('binary packets are refused once and their attachments skipped silently; a stray binary frame is reported', () => {
    const { decoder, packets, errors } = setup();
    decoder.add('52-["upload",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    decoder.add(new Uint8Array([1]));
    decoder.add(new Uint8Array([2]));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/Binary payloads/)]);
    decoder.add(new Uint8Array([3]));
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'BAD_FRAME']);
    decoder.add('2["ok"]');
    expect(packets).toEqual([{ type: 2, nsp: '/', data: ['ok'] }]);
  });

  it('packets over maxFrameBytes (UTF-8 bytes) are dropped with FRAME_TOO_LARGE before parsing', () => {
    const { decoder, packets, errors } = setup(100);
    decoder.add(`2["sb:message",{"data":"${'é'.repeat(45)}"}]`);
    expect(errors.map((e) => [e.code, e.details.event, e.details.limit])).toEqual([['FRAME_TOO_LARGE', 'sb:message', 100]]);
    decoder.add(`2["sb:message",{"data":"${'e'.repeat(45)}"}]`);
    expect(packets).toHaveLength(1);
  });

  it('listeners can be removed (the Manager re-subscribes on every connection)', () => {
    const { decoder, packets } = setup();
    const extra: Packet[] = [];
    const listener = (packet: Packet) => extra.push(packet);
    decoder.on('decoded', listener);
    decoder.add('2["a"]');
    decoder.off('decoded', listener);
    decoder.add('2["b"]');
    decoder.destroy();
    expect([packets.length, extra.length]).toEqual([2, 1]);
  });
});
