import { afterEach, describe, expect, it } from 'vitest';
import { World, waitFor, type Fixture } from './helpers.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('ably: resume, rewind and discontinuity', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  /** A client through a proxy, subscribed to `channels`, counting discontinuities per channel. */
  async function subscribedClient(channels: string[], transport = {}) {
    world ??= await World.start();
    const proxy = await world.proxy();
    const a = world.client({ via: proxy, transport });
    const got: Record<string, unknown[]> = {};
    const gaps: Record<string, number> = {};
    for (const channel of channels) {
      got[channel] = a.listen(channel);
      gaps[channel] = 0;
      a.client.channel(channel).onDiscontinuity(() => gaps[channel]!++);
    }
    await Promise.all(channels.map((c) => a.subscribed(c)));
    return { a, proxy, got, gaps };
  }

  async function backOnline(a: Fixture, channels: string[], connects = 2) {
    await waitFor(
      () => a.client.getStats().connects === connects && channels.every((c) => a.client.channel(c).status.getSnapshot().status === 'subscribed'),
      'reconnected and resubscribed',
    );
  }

  it('a resumed connection replays what was missed: no loss, no discontinuity, same session', async () => {
    const { a, proxy, got, gaps } = await subscribedClient(['feed']);
    const session = a.client.getSnapshot().sessionId;
    for (const i of range(3)) await world!.peer.publish('feed', 'n', i);
    await waitFor(() => got.feed!.length === 3, 'the first three');
    proxy.refuse();
    proxy.cut();
    await a.status('reconnecting');
    for (const i of range(3, 3)) await world!.peer.publish('feed', 'n', i);
    proxy.heal();
    await backOnline(a, ['feed']);
    await waitFor(() => got.feed!.length === 6, 'all six');
    expect(got.feed).toEqual(range(6));
    expect(gaps.feed).toBe(0);
    expect(a.client.getSnapshot().sessionId).toBe(session);
  });

  it('history the server no longer has → one discontinuity for that channel only', async () => {
    const { a, proxy, got, gaps } = await subscribedClient(['lost', 'kept']);
    await world!.peer.publish('lost', 'n', 1);
    await world!.peer.publish('kept', 'n', 1);
    await waitFor(() => got.lost!.length === 1 && got.kept!.length === 1, 'one message on each');
    proxy.refuse();
    proxy.cut();
    await a.status('reconnecting');
    await world!.peer.publish('lost', 'n', 2);
    await world!.peer.publish('kept', 'n', 2);
    world!.peer.forgetHistory('lost');
    proxy.heal();
    await backOnline(a, ['lost', 'kept']);
    await waitFor(() => got.kept!.length === 2, 'the message missed on "kept"');
    expect(gaps).toEqual({ lost: 1, kept: 0 });
    expect(got).toEqual({ lost: [1], kept: [1, 2] });
  });

  it('a connection the server forgot (80008): a new session, yet channels still resume from their serials', async () => {
    const { a, proxy, got, gaps } = await subscribedClient(['feed']);
    const session = a.client.getSnapshot().sessionId;
    await world!.peer.publish('feed', 'n', 0);
    await waitFor(() => got.feed!.length === 1, 'the first message');
    proxy.refuse();
    proxy.cut();
    await a.status('reconnecting');
    world!.peer.forgetConnections();
    await world!.peer.publish('feed', 'n', 1);
    proxy.heal();
    await backOnline(a, ['feed']);
    await waitFor(() => got.feed!.length === 2, 'the missed message');
    expect(a.client.getSnapshot().sessionId).not.toBe(session);
    expect(got.feed).toEqual([0, 1]);
    expect(gaps.feed).toBe(0);
  });

  it('rewind: a new subscription starts with the last N messages', async () => {
    world = await World.start();
    for (const i of range(5)) await world.peer.publish('log', 'n', i);
    const a = world.client({ transport: { rewind: 3 } });
    const got = a.listen('log');
    await a.subscribed('log');
    await waitFor(() => got.length === 3, 'the last three');
    await world.peer.publish('log', 'n', 5);
    await waitFor(() => got.length === 4, 'then live');
    expect(got).toEqual([2, 3, 4, 5]);
    const attach = world.peer.frames.find((f) => f.action === 10);
    expect(attach?.params).toEqual({ rewind: '3' });
  });

  it('rewind after a gap the server cannot fill: the recent messages arrive, and the gap is still reported', async () => {
    world = await World.start({ historySize: 3 });
    const { a, proxy, got, gaps } = await subscribedClient(['log'], { rewind: 2 });
    await world.peer.publish('log', 'n', 0);
    await waitFor(() => got.log!.length === 1, 'the first message');
    proxy.refuse();
    proxy.cut();
    await a.status('reconnecting');
    for (const i of range(6, 1)) await world.peer.publish('log', 'n', i);
    proxy.heal();
    await backOnline(a, ['log']);
    await waitFor(() => got.log!.length === 3, 'the rewound messages');
    expect(got.log).toEqual([0, 5, 6]);
    expect(gaps.log).toBe(1);
  });

  it('the server detaching a channel: ably-js re-attaches it; resumed → nothing to report, not resumed → one discontinuity', async () => {
    const { a, got, gaps } = await subscribedClient(['feed']);
    await world!.peer.publish('feed', 'n', 0);
    await waitFor(() => got.feed!.length === 1, 'the first message');
    const attaches = world!.peer.subscribes('feed');

    world!.peer.detach('feed');
    await waitFor(() => world!.peer.subscribes('feed') === attaches + 1, 're-attached');
    await world!.peer.publish('feed', 'n', 1);
    await waitFor(() => got.feed!.length === 2, 'the next message');
    expect(gaps.feed).toBe(0);

    // Detached, a message goes by, and the server cannot replay it: a gap.
    world!.peer.detach('feed');
    await world!.peer.publish('feed', 'n', 2);
    world!.peer.forgetHistory('feed');
    await waitFor(() => gaps.feed === 1, 'one discontinuity');
    await world!.peer.publish('feed', 'n', 3);
    await waitFor(() => got.feed!.length === 3, 'live again');
    expect(got.feed).toEqual([0, 1, 3]);
    expect(a.client.channel('feed').status.getSnapshot().status).toBe('subscribed');
    expect(a.errors).toEqual([]);
  });
});
