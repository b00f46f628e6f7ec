import { afterEach, describe, expect, it } from 'vitest';
import { World, waitFor, type Fixture } from './helpers.js';

describe('ably: bad input from the wire becomes a RealtimeError; the connection stays up', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  async function connectedOn(channel: string): Promise<{ a: Fixture; got: unknown[] }> {
    world = await World.start();
    const a = world.client();
    const got = a.listen(channel);
    await a.subscribed(channel);
    return { a, got };
  }

  async function stillWorks(a: Fixture, got: unknown[], channel: string): Promise<void> {
    await world!.peer.publish(channel, 'after', { after: true });
    await waitFor(() => got.some((d) => (d as { after?: boolean }).after), 'a later message arrives');
    expect(a.client.getSnapshot().status).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  }

  it('a frame that is not JSON → BAD_FRAME', async () => {
    const { a, got } = await connectedOn('room');
    world!.peer.inject('{"action":15,"channel":"room","messages":[{"data":');
    await waitFor(() => a.errors.length > 0, 'an error event');
    expect(a.errors.map((e) => e.code)).toEqual(['BAD_FRAME']);
    expect(a.errors[0]?.details.transport).toBe('ably');
    await stillWorks(a, got, 'room');
  });

  it('an unknown action → UNKNOWN_FRAME (on a channel, and connection-wide)', async () => {
    const { a, got } = await connectedOn('room');
    world!.peer.inject({ action: 99, channel: 'room' });
    world!.peer.inject({ action: 98 });
    await waitFor(() => a.errors.length >= 2, 'two error events');
    expect(a.errors.map((e) => [e.code, e.details.action])).toEqual([
      ['UNKNOWN_FRAME', 99],
      ['UNKNOWN_FRAME', 98],
    ]);
    await stillWorks(a, got, 'room');
  });

  it('a message for a channel this client never used → UNKNOWN_CHANNEL', async () => {
    const { a, got } = await connectedOn('room');
    world!.peer.inject({ action: 15, channel: 'elsewhere', channelSerial: 'x', messages: [{ id: 'm1', name: 'e', data: 'hi' }] });
    await waitFor(() => a.errors.length > 0, 'an error event');
    expect(a.errors.map((e) => [e.code, e.details.channel])).toEqual([['UNKNOWN_CHANNEL', 'elsewhere']]);
    await stillWorks(a, got, 'room');
  });

  it('an inbound message above maxFrameBytes → FRAME_TOO_LARGE, and it is not delivered', async () => {
    world = await World.start();
    const a = world.client({ transport: { maxFrameBytes: 1024 } });
    const got = a.listen('room');
    await a.subscribed('room');
    await world.peer.publish('room', 'big', { text: 'é'.repeat(600) });
    await world.peer.publish('room', 'big', 'x'.repeat(2000));
    await waitFor(() => a.errors.length >= 2, 'two error events');
    expect(a.errors.map((e) => [e.code, e.details.channel, e.details.limit])).toEqual([
      ['FRAME_TOO_LARGE', 'room', 1024],
      ['FRAME_TOO_LARGE', 'room', 1024],
    ]);
    await world.peer.publish('room', 'small', 'é'.repeat(300));
    await waitFor(() => got.length === 1, 'the small message');
    expect(got).toEqual(['é'.repeat(300)]);
    await stillWorks(a, got, 'room');
  });

  it('ERROR for one channel fails that channel (CHANNEL_REFUSED with the Ably code), not the connection', async () => {
    const { a, got } = await connectedOn('room');
    a.listen('other');
    await a.subscribed('other');
    world!.peer.inject({ action: 9, channel: 'other', error: { code: 40160, statusCode: 401, message: 'capability revoked' } });
    await waitFor(() => a.client.channel('other').status.getSnapshot().status === 'failed', 'other failed');
    expect(a.client.channel('other').status.getSnapshot().error).toMatchObject({ code: 'CHANNEL_REFUSED', details: { ablyCode: 40160, channel: 'other' } });
    await stillWorks(a, got, 'room');
  });

  it('a connection-level ERROR (403) is fatal: failed with FORBIDDEN, and the client does not retry', async () => {
    const { a } = await connectedOn('room');
    world!.peer.inject({ action: 9, error: { code: 40300, statusCode: 403, message: 'account disabled' } });
    await a.status('failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { status: 403, transport: 'ably' } });
    await waitFor(() => world!.peer.sessions() === 0, 'the connection is gone');
    expect(world!.peer.connectAttempts).toBe(1);
  });

  it('a connection-level ERROR with a server error is fatal in ably-js: failed with PROTOCOL_ERROR', async () => {
    const { a } = await connectedOn('room');
    world!.peer.inject({ action: 9, error: { code: 50000, statusCode: 500, message: 'internal error' } });
    await a.status('failed');
    expect(a.client.getSnapshot().lastError?.code).toBe('PROTOCOL_ERROR');
    expect(a.client.getSnapshot().lastError?.message).toMatch(/internal error \(Ably 50000\)/);
  });

  it('CLOSED from the server without being asked: ably-js stops, so the client fails with PROTOCOL_ERROR', async () => {
    const { a } = await connectedOn('room');
    world!.peer.inject({ action: 8 });
    await a.status('failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringMatching(/without being asked/) });
  });

  it('DISCONNECTED from the server (non-token error) is retried by ably-js: reconnecting, then connected again', async () => {
    const { a, got } = await connectedOn('room');
    world!.peer.disconnectAll({ code: 80003, statusCode: 503, message: 'going away' });
    await waitFor(() => a.client.getStats().connects === 2 && a.client.getSnapshot().status === 'connected', 'reconnected');
    expect(a.statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    await world!.peer.publish('room', 'after', { after: true });
    await waitFor(() => got.length === 1, 'a message after the reconnect');
  });
});
