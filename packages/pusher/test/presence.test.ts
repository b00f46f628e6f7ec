import type { PresenceSnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { peer, pusherClient, quietPeriod, waitFor, type TestClient } from './helpers.js';

type Data = { name?: string; typing?: boolean; n?: number } | null;

/** The member list of `c` on `channel`, as `id → data`. */
function members(c: TestClient, channel: string): Record<string, Data> {
  const snapshot = c.client.channel(channel).presence.getSnapshot() as PresenceSnapshot<Data>;
  return Object.fromEntries(snapshot.members.map((m) => [m.id, m.data]));
}

const idOf = (c: TestClient) => c.client.getSnapshot().sessionId ?? '';

/** The peer's app signs user_info `{ name }` for presence channels; user ids are socket ids. */
const withNames = () => peer({ authorize: ({ session }) => ({ userId: session, userInfo: { name: `user-${session.slice(0, 3)}` } }) });

describe('presence on presence-* channels', () => {
  it('members come from Pusher (user_id → user_info); entered data overrides it for everyone, the sender included', async () => {
    const p = await withNames();
    const [a, b] = [pusherClient(p.port), pusherClient(p.port)];
    const watch = b.client.channel('presence-room').presence;
    watch.subscribe(() => {});
    await waitFor(() => watch.getSnapshot().synced, 'b synced');
    const room = a.client.channel('presence-room').presence;
    room.enter({ name: 'ann' });
    await waitFor(() => members(b, 'presence-room')[idOf(a)]?.name === 'ann', 'b sees ann');
    expect(members(b, 'presence-room')).toEqual({ [idOf(a)]: { name: 'ann' }, [idOf(b)]: { name: `user-${idOf(b).slice(0, 3)}` } });
    await waitFor(() => members(a, 'presence-room')[idOf(a)]?.name === 'ann', 'a sees itself');
    expect(room.getSnapshot().me).toEqual({ id: idOf(a), data: { name: 'ann' } });
    room.update({ name: 'ann', typing: true });
    await waitFor(() => members(b, 'presence-room')[idOf(a)]?.typing === true, 'b sees the update');
  });

  it('a member that joins later learns what the others entered with', async () => {
    const p = await withNames();
    const a = pusherClient(p.port);
    a.client.channel('presence-room').presence.enter({ name: 'ann' });
    await waitFor(() => a.client.channel('presence-room').presence.getSnapshot().synced, 'a synced');
    const late = pusherClient(p.port);
    late.client.channel('presence-room').presence.subscribe(() => {});
    await waitFor(() => members(late, 'presence-room')[idOf(a)]?.name === 'ann', 'the newcomer sees ann');
  });

  it('leave(): gone for the others at once (while still subscribed), back on enter(); an unsubscribe removes the member', async () => {
    const p = await withNames();
    const [a, b] = [pusherClient(p.port), pusherClient(p.port)];
    a.listen('presence-room'); // keeps the channel subscribed after leave()
    const room = a.client.channel('presence-room').presence;
    const watch = b.client.channel('presence-room').presence;
    watch.subscribe(() => {});
    room.enter({ name: 'ann' });
    await waitFor(() => members(b, 'presence-room')[idOf(a)]?.name === 'ann', 'joined');
    room.leave();
    await waitFor(() => !(idOf(a) in members(b, 'presence-room')), 'left');
    expect(p.members('presence-room')).toContain(idOf(a)); // Pusher still lists the subscriber
    room.enter({ name: 'ann again' });
    await waitFor(() => members(b, 'presence-room')[idOf(a)]?.name === 'ann again', 'back');
    a.client.destroy();
    await waitFor(() => !(idOf(a) in members(b, 'presence-room')) && Object.keys(members(b, 'presence-room')).length === 1, 'removed');
  });

  it('rapid updates are throttled under Pusher’s client event limit; the last value wins', async () => {
    const p = await withNames();
    const [a, b] = [pusherClient(p.port), pusherClient(p.port)];
    b.client.channel('presence-room').presence.subscribe(() => {});
    const room = a.client.channel('presence-room').presence;
    room.enter({ n: 0 });
    await waitFor(() => members(b, 'presence-room')[idOf(a)]?.n === 0, 'entered');
    for (let n = 1; n <= 40; n++) {
      room.update({ n });
      await quietPeriod(10);
    }
    await waitFor(() => members(b, 'presence-room')[idOf(a)]?.n === 40, 'the last value');
    const sent = p.received.filter((f) => f.event === 'client-switchboard-presence').length;
    expect(sent).toBeLessThan(10);
    expect(a.errors).toEqual([]);
  });

  it('presence on a channel that is not presence-*: a CAPABILITY_MISSING error event (once) naming the fix', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.listen('lobby');
    const lobby = a.client.channel('lobby').presence;
    lobby.enter({ name: 'ann' });
    await waitFor(() => a.errors.length === 1, 'an error event');
    lobby.update({ name: 'ann', typing: true });
    await quietPeriod(200);
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toMatchObject({ code: 'CAPABILITY_MISSING', message: expect.stringMatching(/presence-lobby/), details: { transport: 'pusher', channel: 'lobby' } });
  });

  it('with client events off, members and user_info still work; entered data says it cannot travel', async () => {
    const p = await withNames();
    const [a, b] = [pusherClient(p.port, { clientEvents: false }), pusherClient(p.port, { clientEvents: false })];
    b.client.channel('presence-room').presence.subscribe(() => {});
    a.client.channel('presence-room').presence.enter({ name: 'ann' });
    await waitFor(() => idOf(a) in members(b, 'presence-room'), 'b sees a');
    expect(members(b, 'presence-room')[idOf(a)]).toEqual({ name: `user-${idOf(a).slice(0, 3)}` });
    await waitFor(() => a.errors.length === 1, 'an error event');
    expect(a.errors[0]).toMatchObject({ code: 'CAPABILITY_MISSING', message: expect.stringMatching(/client events/) });
    expect(p.received.some((f) => f.event.startsWith('client-'))).toBe(false);
  });
});

describe('me', () => {
  it('is the user_id the auth endpoint signed for the channel, also without user sign-in', async () => {
    const p = await peer({ authorize: ({ session }) => ({ userId: `user-${session.slice(0, 5)}`, userInfo: { name: 'ann' } }) });
    const a = pusherClient(p.port, { userAuthEndpoint: undefined });
    const room = a.client.channel('presence-room').presence;
    room.enter({ name: 'Ann' });
    await waitFor(() => room.getSnapshot().synced && room.getSnapshot().members.length === 1, 'synced');
    const me = `user-${idOf(a).slice(0, 5)}`;
    expect(room.getSnapshot().me).toEqual({ id: me, data: { name: 'Ann' } });
    expect(room.getSnapshot().members).toEqual([{ id: me, data: { name: 'Ann' } }]);
  });
});
