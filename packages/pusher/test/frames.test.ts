import { describe, expect, it } from 'vitest';
import { connected, peer, pusherClient, status, subscribed, waitFor } from './helpers.js';

describe('bad input from the wire becomes a typed error event; the connection stays', () => {
  it.each([
    ['not JSON', 'BAD_FRAME', '{"event":"e","channel":"news",'],
    ['JSON null', 'BAD_FRAME', 'null'],
    ['no event name (pusher-js itself would throw)', 'BAD_FRAME', '{"channel":"news","data":"{}"}'],
    ['an event name that is not a string', 'BAD_FRAME', '{"event":42,"channel":"news"}'],
    ['a bare number', 'BAD_FRAME', '123'],
    ['an array', 'BAD_FRAME', '[]'],
    ['an unknown pusher: event', 'UNKNOWN_FRAME', '{"event":"pusher:mystery","data":{}}'],
    ['an unknown pusher_internal: event', 'UNKNOWN_FRAME', '{"event":"pusher_internal:mystery","channel":"news","data":"{}"}'],
    ['an app event without a channel', 'UNKNOWN_FRAME', '{"event":"headline","data":"{}"}'],
    ['a second connection_established', 'BAD_FRAME', '{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"1.1\\",\\"activity_timeout\\":5}"}'],
    ['an event for a channel nobody subscribed', 'UNKNOWN_CHANNEL', '{"event":"headline","channel":"sports","data":"{}"}'],
  ])('%s → %s', async (_what, code, frame) => {
    const p = await peer();
    const a = pusherClient(p.port);
    const got = a.listen('news');
    await subscribed(a, 'news');
    p.sendRaw(frame);
    await waitFor(() => a.errors.length > 0, 'an error event');
    expect(a.errors.map((e) => e.code)).toEqual([code]);
    expect(a.errors[0]?.details.transport).toBe('pusher');
    await p.publish('news', 'after', { ok: true });
    await waitFor(() => got.length === 1, 'a later message still arrives');
    expect(got).toEqual([{ event: 'after', data: { ok: true } }]);
    expect(status(a)).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  });

  it('event data that is not JSON arrives as the string it is; JSON-encoded data arrives decoded', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    const got = a.listen('news');
    await subscribed(a, 'news');
    p.sendRaw('{"event":"text","channel":"news","data":"plain words"}');
    p.sendRaw('{"event":"json","channel":"news","data":"{\\"n\\":1}"}');
    p.sendRaw('{"event":"object","channel":"news","data":{"n":2}}');
    await waitFor(() => got.length === 3, 'three messages');
    expect(got).toEqual([
      { event: 'text', data: 'plain words' },
      { event: 'json', data: { n: 1 } },
      { event: 'object', data: { n: 2 } },
    ]);
    expect(a.errors).toEqual([]);
  });

  it('malformed presence events are reported, the member list is kept', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    const presence = a.client.channel('presence-room').presence;
    presence.subscribe(() => {});
    await waitFor(() => presence.getSnapshot().synced, 'synced');
    const before = presence.getSnapshot().members;
    p.sendRaw('{"event":"pusher_internal:member_added","channel":"presence-room","data":"{}"}');
    p.sendRaw('{"event":"client-switchboard-presence","channel":"presence-room","data":{"op":"set"}}');
    await waitFor(() => a.errors.length === 2, 'two error events');
    expect(a.errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'BAD_FRAME']);
    expect(presence.getSnapshot().members).toEqual(before);
  });

  it.each([
    ['a first frame that is not JSON', 'garbage'],
    ['a first frame that is not connection_established', '{"event":"hello","data":{}}'],
    ['connection_established without an activity_timeout', '{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"1.1\\"}"}'],
  ])('a broken handshake (%s) fails the client with PROTOCOL_ERROR', async (_what, frame) => {
    const p = await peer();
    p.replaceHandshakes(frame);
    const a = pusherClient(p.port);
    a.client.connect();
    await waitFor(() => status(a) === 'failed', () => `failed (status ${status(a)})`);
    expect(a.client.getSnapshot().lastError?.code).toBe('PROTOCOL_ERROR');
  });

  it('a handshake answered by pusher:connection_established without a socket_id fails with PROTOCOL_ERROR', async () => {
    const p = await peer();
    p.replaceHandshakes('{"event":"pusher:connection_established","data":"{\\"activity_timeout\\":5}"}');
    const a = pusherClient(p.port, { userAuthEndpoint: undefined });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', () => `failed (status ${status(a)})`);
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringMatching(/socket_id/) });
  });

  it('the heartbeat: the core pings a quiet connection (pusher:ping) and the pong keeps it alive', async () => {
    const p = await peer({ heartbeatMs: 300 });
    const a = pusherClient(p.port, {}, { heartbeat: { graceMs: 300 } });
    a.client.connect();
    await connected(a);
    await waitFor(() => p.received.filter((f) => f.event === 'pusher:ping').length >= 2, 'pings sent');
    expect(status(a)).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  });
});
