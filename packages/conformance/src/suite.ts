import type { PublishResult, RealtimeClient } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, type ClientFixture } from './harness.js';
import type { ConformanceTarget, PeerOptions } from './target.js';
import { activeResources, resourcesAbove, waitFor } from './wait.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function status(client: RealtimeClient) {
  return client.getSnapshot().status;
}

function connected(f: ClientFixture, timeoutMs = 5000): Promise<void> {
  return waitFor(() => status(f.client) === 'connected', () => `connected (status ${status(f.client)}, ${f.client.getSnapshot().lastError?.message ?? ''})`, timeoutMs);
}

function subscribed(f: ClientFixture, channel: string, timeoutMs = 5000): Promise<void> {
  return waitFor(() => f.client.channel(channel).status.getSnapshot().status === 'subscribed', `${channel} subscribed`, timeoutMs);
}

/** Takes a client off the network until `heal()`: open connections drop, new ones are refused. */
async function offline(f: ClientFixture): Promise<void> {
  f.proxy.refuse();
  f.proxy.cut();
  await waitFor(() => status(f.client) !== 'connected', 'the client noticed it is offline');
}

/**
 * The one behaviour suite every transport passes, against its real peer on 127.0.0.1 (port 0),
 * through a TCP fault proxy. A new target is one `defineConformanceSuite(target)` call.
 *
 * Where a transport declares a capability missing (`acks`, `resume`), the cases that need it check
 * what it promises instead: at-most-once, in order, no duplicates, and one `discontinuity` per gap.
 * `presenceChannel`: where presence exists only on some channel names (Pusher: `presence-*`).
 */
export function defineConformanceSuite(target: ConformanceTarget & { readonly presenceChannel?: string }): void {
  describe(`conformance: ${target.name}`, () => {
    let harness: Harness | null = null;
    const start = async (options?: Partial<PeerOptions>) => (harness = await Harness.start(target, options));
    afterEach(async () => {
      await harness?.cleanup();
      harness = null;
    });

    it('connects: status becomes connected once the handshake is done, with a session id', async () => {
      const h = await start();
      const a = await h.client();
      expect(status(a.client)).toBe('idle');
      a.client.connect();
      await connected(a);
      expect(a.client.getSnapshot()).toMatchObject({ status: 'connected', attempt: 0, lastError: null, transport: a.client.transport.name });
      expect(a.client.getSnapshot().sessionId).toEqual(expect.any(String));
      expect(a.errors).toEqual([]);
    });

    it('subscribes and receives messages in order', async () => {
      const h = await start();
      const a = await h.client();
      const got = a.listen('news');
      await subscribed(a, 'news');
      for (const i of range(5)) await h.peer.publish('news', 'item', { i });
      await waitFor(() => got.length === 5, () => `5 messages, got ${got.length}`);
      expect(got).toEqual(range(5).map((i) => ({ i })));
      expect(a.errors).toEqual([]);
    });

    it('publishes with an ack; every subscriber receives the message once', async () => {
      const h = await start();
      const [a, b] = [await h.client(), await h.client()];
      const [gotA, gotB] = [a.listen('chat'), b.listen('chat')];
      await Promise.all([subscribed(a, 'chat'), subscribed(b, 'chat')]);
      const result = await a.client.channel('chat').publish('text', { n: 1 });
      // Without acks (Pusher) a message is `sent`: written once, at most once.
      expect(result).toEqual({ id: expect.any(String), status: a.client.transport.capabilities.acks ? 'acked' : 'sent' });
      await waitFor(() => gotA.length === 1 && gotB.length === 1, 'both received it');
      expect(gotB).toEqual([{ n: 1 }]);
      expect(a.client.outbox.getSnapshot().pending).toEqual([]);
    });

    it('presence: a member joining and leaving is seen by another client', async () => {
      const h = await start();
      const [a, b] = [await h.client(), await h.client()];
      const lobby = target.presenceChannel ?? 'lobby';
      if (!a.client.transport.capabilities.presence) {
        expect(() => a.client.channel(lobby).presence).toThrow(/presence/);
        return;
      }
      const watcher = b.client.channel(lobby).presence;
      watcher.subscribe(() => {});
      a.client.channel(lobby).presence.enter({ name: 'ann' });
      await waitFor(() => watcher.getSnapshot().members.some((m) => (m.data as { name?: string }).name === 'ann'), 'b sees ann join');
      const ann = watcher.getSnapshot().members.find((m) => (m.data as { name?: string }).name === 'ann');
      expect(ann?.id).toBe(a.client.getSnapshot().sessionId);
      a.client.channel(lobby).presence.update({ name: 'ann', typing: true });
      await waitFor(() => watcher.getSnapshot().members.some((m) => (m.data as { typing?: boolean }).typing === true), 'b sees the update');
      a.client.channel(lobby).presence.leave();
      await waitFor(() => !watcher.getSnapshot().members.some((m) => m.id === ann?.id), 'b sees ann leave');
    });

    it('private channels: a signed subscription works; a refused one fails the channel (CHANNEL_REFUSED), not the connection', async () => {
      const h = await start();
      const channels = target.privateChannels;
      if (!channels) return expect(target.privateChannels).toBeUndefined();
      const a = await h.client();
      const got = a.listen(channels.allowed);
      a.listen(channels.refused);
      await subscribed(a, channels.allowed);
      await waitFor(() => a.client.channel(channels.refused).status.getSnapshot().status === 'failed', 'the refused channel failed');
      expect(a.client.channel(channels.refused).status.getSnapshot().error?.code).toBe('CHANNEL_REFUSED');
      await h.peer.publish(channels.allowed, 'secret', { ok: true });
      await waitFor(() => got.length === 1, 'the private message arrived');
      expect(status(a.client)).toBe('connected');
    });

    it('auth refusal: the client ends in failed with the documented code; the server stays up', async () => {
      const h = await start();
      const bad = await h.client({ token: target.refusedToken.token });
      bad.client.connect();
      await waitFor(() => status(bad.client) === 'failed', () => `failed (status ${status(bad.client)})`);
      expect(bad.client.getSnapshot().lastError?.code).toBe(target.refusedToken.code);
      const good = await h.client();
      good.client.connect();
      await connected(good);
    });

    it('a dropped connection reconnects and resubscribes every channel exactly once', async () => {
      const h = await start();
      const a = await h.client();
      a.listen('one');
      a.listen('two');
      await Promise.all([subscribed(a, 'one'), subscribed(a, 'two')]);
      const wire = { one: a.wireSubscribes.get('one'), two: a.wireSubscribes.get('two') };
      const server = { one: h.peer.subscribes?.('one'), two: h.peer.subscribes?.('two') };
      let resubscribed = 0;
      a.client.channel('one').status.subscribe(() => {
        if (a.client.channel('one').status.getSnapshot().status === 'subscribed') resubscribed++;
      });
      await offline(a);
      a.proxy.heal();
      await waitFor(() => a.client.getStats().connects === 2 && ['one', 'two'].every((c) => a.client.channel(c).status.getSnapshot().status === 'subscribed'), 'reconnected and resubscribed');
      expect(a.wireSubscribes.get('one')).toBe((wire.one ?? 0) + 1);
      expect(a.wireSubscribes.get('two')).toBe((wire.two ?? 0) + 1);
      if (h.peer.subscribes) {
        expect(h.peer.subscribes('one')).toBe((server.one ?? 0) + 1);
        expect(h.peer.subscribes('two')).toBe((server.two ?? 0) + 1);
      }
      expect(resubscribed).toBe(1);
    });

    it('resumes after a drop without loss or duplicates', async () => {
      const h = await start();
      const a = await h.client();
      const got = a.listen('feed');
      let gaps = 0;
      a.client.channel('feed').onDiscontinuity(() => gaps++);
      await subscribed(a, 'feed');
      for (const i of range(10)) await h.peer.publish('feed', 'n', i);
      await waitFor(() => got.length === 10, 'the first ten');
      await offline(a);
      for (const i of range(20, 10)) await h.peer.publish('feed', 'n', i);
      a.proxy.heal();
      await connected(a);
      if (!a.client.transport.capabilities.resume) {
        // No resume (Pusher): what was published meanwhile is lost, and the gap is reported once.
        await subscribed(a, 'feed');
        for (const i of range(10, 30)) await h.peer.publish('feed', 'n', i);
        await waitFor(() => got.length >= 20, () => `20 messages, got ${got.length}`);
        expect(got).toEqual([...range(10), ...range(10, 30)]);
        expect(gaps).toBe(1);
        return;
      }
      for (const i of range(10, 30)) await h.peer.publish('feed', 'n', i);
      await waitFor(() => got.length >= 40, () => `40 messages, got ${got.length}`);
      expect(got).toEqual(range(40));
      expect(gaps).toBe(0);
    });

    it('malformed and oversized frames become a RealtimeError; the connection stays up', async () => {
      const h = await start();
      const a = await h.client({ maxFrameBytes: 16 * 1024, client: { outbox: { maxMessageBytes: 1024 * 1024 } } });
      const got = a.listen('m');
      await subscribed(a, 'm');
      // A quote inside the value breaks the frame whether the payload is embedded or JSON-encoded (Pusher, Ably).
      h.proxy.corrupt('CORRUPT-ME', 'CORRUPT"ME');
      await h.peer.publish('m', 'e', { marker: 'CORRUPT-ME' });
      await waitFor(() => a.errors.some((e) => e.code === 'BAD_FRAME'), 'BAD_FRAME reported');
      expect(h.proxy.corrupted).toBe(1);
      await h.peer.publish('m', 'e', { big: 'x'.repeat(32 * 1024) });
      await waitFor(() => a.errors.some((e) => e.code === 'FRAME_TOO_LARGE'), 'FRAME_TOO_LARGE reported');
      await h.peer.publish('m', 'e', { after: true });
      await waitFor(() => got.some((d) => (d as { after?: boolean }).after), 'a later message still arrives');
      // Outgoing: a frame beyond the server's limit is refused, the connection stays.
      const huge = await a.client.publish('m', 'e', { huge: 'y'.repeat(200 * 1024) }).then(
        () => null,
        (error: unknown) => error as { code: string; details?: { messageId?: string } },
      );
      // The transport's (or server's) own code, naming the message.
      expect(huge?.code).toBe('FRAME_TOO_LARGE');
      expect(huge?.details?.messageId).toEqual(expect.any(String));
      expect(status(a.client)).toBe('connected');
      expect(a.client.getStats().connects).toBe(1);
      expect(got.some((d) => (d as { big?: string }).big)).toBe(false);
    });

    it('destroy() leaves nothing: no session on the server, no socket or timer in the process', async () => {
      const h = await start();
      const baseline = activeResources();
      const a = await h.client();
      a.listen('x');
      a.listen(target.privateChannels?.allowed ?? 'y');
      a.client.channel('x').presence.enter({ here: true });
      await subscribed(a, 'x');
      await a.client.publish('x', 'e', 1);
      a.client.destroy();
      await waitFor(() => h.peer.sessions() === 0, () => `no session left (${h.peer.sessions()})`);
      await waitFor(() => h.proxy.connections === 0, () => `no connection left (${h.proxy.connections})`);
      await waitFor(() => Object.keys(resourcesAbove(baseline)).length === 0, () => `resources left: ${JSON.stringify(resourcesAbove(baseline))}`, 5000);
    });

    describe('under faults (TCP fault proxy)', () => {
      it('server killed for 5 s while a sequence is published every 10 ms: 0 lost, 0 duplicated, in order', async () => {
        const h = await start();
        const [pub, sub] = [await h.client(), await h.client()];
        const got = sub.listen('seq');
        pub.client.connect();
        await Promise.all([subscribed(sub, 'seq'), connected(pub)]);
        let next = 0;
        const results: Promise<PublishResult>[] = [];
        const timer = setInterval(() => results.push(pub.client.publish('seq', 'n', next++)), 10);
        try {
          await waitFor(() => got.length >= 20, 'messages flowing');
          await h.kill();
          await waitFor(() => status(pub.client) !== 'connected' && status(sub.client) !== 'connected', 'both noticed');
          await delay(5000);
          await h.restart();
          await Promise.all([connected(pub, 10_000), connected(sub, 10_000)]);
          // Connected is not yet subscribed: without resume (Pusher), what is published before the
          // subscriber is back on the channel is lost by design — count the window from there.
          await subscribed(sub, 'seq', 10_000);
          const resumedAt = next;
          await waitFor(() => next >= resumedAt + 30, 'publishing after the restart');
        } finally {
          clearInterval(timer);
        }
        const total = next;
        const settled = await Promise.all(results);
        const { acks, resume } = pub.client.transport.capabilities;
        if (!acks || !resume) {
          // At-most-once, no resume (Pusher): what either side missed while down is lost — never repeated or reordered.
          expect(settled.every((r) => r.status === (acks ? 'acked' : 'sent'))).toBe(true);
          // Publishes over HTTP (Pusher's publishUrl) go one request at a time: on a loaded machine a
          // backlog builds while the sequence runs, and drains after it.
          await waitFor(() => got.includes(total - 1), () => `the last message (${total - 1}) arrives, got up to ${String(got.at(-1))}`, 30_000);
          expect(got).toEqual([...new Set(got)].sort((x, y) => (x as number) - (y as number)));
          return;
        }
        expect(settled.every((r) => r.status === 'acked')).toBe(true);
        await waitFor(() => got.length >= total, () => `${total} messages, got ${got.length}`, 30_000);
        expect(got.length).toBe(total);
        expect(got).toEqual(range(total));
      }, 75_000);

      // Defined where the peer can restart as a new process with an in-memory broker would: empty.
      if (target.restartsEmpty) {
        it('a server that restarts empty: what an offline client sent reaches a subscriber that comes back after it, once, in order, with one discontinuity', async () => {
          const h = await start();
          const pub = await h.client();
          const sub = await h.client({ ownProxy: true });
          const got = sub.listen('room');
          const gaps: string[] = [];
          sub.client.channel('room').onDiscontinuity((info) => gaps.push(info.reason));
          pub.client.connect();
          await Promise.all([subscribed(sub, 'room'), connected(pub)]);
          await pub.client.publish('room', 'n', 0);
          await waitFor(() => got.length === 1, 'the first message');
          await h.kill();
          await waitFor(() => status(pub.client) !== 'connected' && status(sub.client) !== 'connected', 'both noticed');
          // The subscriber stays away until the publisher's outbox has reached the new server.
          sub.proxy.refuse();
          const sent = [1, 2, 3].map((n) => pub.client.publish('room', 'n', n));
          await h.restart({ empty: true });
          expect((await Promise.all(sent)).map((r) => r.status)).toEqual(['acked', 'acked', 'acked']);
          sub.proxy.heal();
          await subscribed(sub, 'room', 10_000);
          await waitFor(() => got.length >= 4, () => `4 messages, got ${JSON.stringify(got)}`, 10_000);
          // Its cursor is of the old process: not resumed (what that process held is gone), yet all of
          // the new process's history follows.
          expect(gaps).toEqual(['resume-failed']);
          await pub.client.publish('room', 'n', 4);
          await waitFor(() => got.length >= 5, () => `5 messages, got ${JSON.stringify(got)}`);
          expect(got).toEqual(range(5));
        }, 30_000);
      }

      it('a black-holed connection is detected within the heartbeat deadline', async () => {
        const heartbeatMs = 250;
        const graceMs = 1000;
        const h = await start({ heartbeatMs });
        const a = await h.client({ fastTimeouts: true, client: { heartbeat: { graceMs } } });
        a.listen('hb');
        await subscribed(a, 'hb');
        const { code, deadlineMs } = target.liveness(heartbeatMs, graceMs);
        h.proxy.blackHole();
        const since = Date.now();
        await waitFor(() => status(a.client) !== 'connected', 'the dead connection noticed', deadlineMs + 5000);
        const noticedAfterMs = Date.now() - since;
        expect(a.client.getSnapshot().lastError?.code).toBe(code);
        // The deadline, plus timer and scheduling slack on a busy machine.
        expect(noticedAfterMs).toBeLessThanOrEqual(deadlineMs + 2500);
        h.proxy.heal();
        h.proxy.cut();
        await connected(a, 10_000);
      }, 20_000);

      it('two clients publishing while one is offline end up with the same sequence', async () => {
        const h = await start();
        const a = await h.client();
        const b = await h.client({ ownProxy: true });
        const [gotA, gotB] = [a.listen('shared'), b.listen('shared')];
        await Promise.all([subscribed(a, 'shared'), subscribed(b, 'shared')]);
        await offline(b);
        const fromB = range(5).map((i) => b.client.publish('shared', 'm', `b${i}`));
        const fromA = range(5).map((i) => a.client.publish('shared', 'm', `a${i}`));
        await Promise.all(fromA);
        await waitFor(() => gotA.length === 5, 'a sees its own five');
        b.proxy.heal();
        await Promise.all(fromB);
        if (!b.client.transport.capabilities.resume) {
          // No resume (Pusher): b missed what was published while it was away, in order, without duplicates.
          await waitFor(() => gotA.length === 10, () => `a has all ten, got ${gotA.length}`, 10_000);
          expect(new Set(gotA)).toEqual(new Set([...range(5).map((i) => `a${i}`), ...range(5).map((i) => `b${i}`)]));
          expect(gotA.slice(5)).toEqual(range(5).map((i) => `b${i}`));
          expect(gotB.filter((m) => !gotA.includes(m))).toEqual([]);
          expect(gotB).toEqual(gotA.filter((m) => gotB.includes(m)));
          return;
        }
        await waitFor(() => gotA.length === 10 && gotB.length === 10, () => `ten each, got ${gotA.length} and ${gotB.length}`, 10_000);
        expect(gotB).toEqual(gotA);
        expect(new Set(gotA)).toEqual(new Set([...range(5).map((i) => `a${i}`), ...range(5).map((i) => `b${i}`)]));
      }, 20_000);
    });
  });
}
