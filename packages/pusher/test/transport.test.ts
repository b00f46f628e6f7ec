import PusherJs from 'pusher-js';
import { describe, expect, it } from 'vitest';
import { pusher, type PusherConstructor } from '../src/index.js';
import { peer, pusherClient, status, subscribed, waitFor } from './helpers.js';

describe('capabilities are declared, and honest', () => {
  it.each([
    [{}, { publish: 'native', clientEvents: true, acks: false }],
    [{ publishUrl: '/api/publish' }, { publish: 'http', clientEvents: true, acks: true }],
    [{ publishUrl: '/api/publish', clientEvents: false }, { publish: 'http', clientEvents: false, acks: true }],
    [{ clientEvents: false }, { publish: false, clientEvents: false, acks: false }],
  ])('%j', (options, expected) => {
    expect(pusher({ key: 'k', ...options })).toMatchObject({
      name: 'pusher',
      capabilities: { presence: true, resume: false, retries: 'core', serverless: true, ...expected },
    });
  });

  it('needs the app key', () => {
    expect(() => pusher({ key: '' })).toThrow(TypeError);
  });

  it('creating the transport connects nothing, loads nothing, starts no timer', () => {
    const before = process.getActiveResourcesInfo().length;
    const globals = Object.keys(globalThis).length;
    pusher({ key: 'k', cluster: 'eu', authEndpoint: '/auth' });
    expect(process.getActiveResourcesInfo().length).toBe(before);
    expect(Object.keys(globalThis).length).toBe(globals);
  });
});

describe('channels', () => {
  it('a name Pusher does not accept fails that channel (CHANNEL_REFUSED), not the connection', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.listen('room:42');
    a.listen('room-42');
    await subscribed(a, 'room-42');
    await waitFor(() => a.client.channel('room:42').status.getSnapshot().status === 'failed', 'refused');
    expect(a.client.channel('room:42').status.getSnapshot().error?.message).toMatch(/not a Pusher channel name/);
    expect(status(a)).toBe('connected');
  });

  it('every resubscription after a reconnect reports a discontinuity (Pusher keeps no history)', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.listen('news');
    const gaps: string[] = [];
    a.client.channel('news').onDiscontinuity((info) => gaps.push(info.reason));
    await subscribed(a, 'news');
    for (const n of [2, 3]) {
      p.error(4200, 'Reconnect now', true);
      await waitFor(() => a.client.getStats().connects === n && a.client.channel('news').status.getSnapshot().status === 'subscribed', `connection ${n}`);
    }
    expect(gaps).toEqual(['resume-failed', 'resume-failed']);
  });
});

describe('environments pusher-js cannot work in', () => {
  it('no WebSocket: pusher-js says failed, so does the client (PROTOCOL_ERROR)', async () => {
    const runtime = PusherJs.Runtime as unknown as { getWebSocketAPI: () => unknown };
    const original = runtime.getWebSocketAPI;
    runtime.getWebSocketAPI = () => undefined;
    try {
      const a = pusherClient(1);
      a.client.connect();
      await waitFor(() => status(a) === 'failed', () => `failed (status ${status(a)})`);
      expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringMatching(/WebSocket/) });
    } finally {
      runtime.getWebSocketAPI = original;
    }
  });

  it('options pusher-js refuses: failed (PROTOCOL_ERROR), nothing thrown at the app', async () => {
    const Refusing = function () {
      throw 'Options object must provide a cluster';
    } as unknown as PusherConstructor;
    const a = pusherClient(1, { Pusher: Refusing });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError?.message).toMatch(/pusher-js refused the options: Options object must provide a cluster/);
  });
});
