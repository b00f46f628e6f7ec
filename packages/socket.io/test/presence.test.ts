import { afterEach, describe, expect, it } from 'vitest';
import { signChannel } from '../src/server.js';
import { SECRET, World, subscribed, waitFor } from './helpers.js';

let world: World;
afterEach(async () => {
  await world.cleanup();
});
const setup = () => (world = new World());
const names = (members: readonly { data: unknown }[]) => members.map((m) => (m.data as { name?: string }).name).sort();

/** Signs like the app's auth endpoint would: presence user id = "user-" + the first 4 characters of the socket id. */
const signer = (userOf: (session: string) => string) => async ({ session, channel }: { session: string; channel: string }) => {
  const signed = signChannel({ secret: SECRET }, session, channel, channel.startsWith('presence-') ? { userId: userOf(session), userInfo: { via: 'test' } } : undefined);
  return { auth: signed.auth, ...(signed.channel_data === undefined ? {} : { channelData: signed.channel_data }) };
};

describe('presence', () => {
  it('a late subscriber gets the full member list (sync); join, update and leave reach everyone', async () => {
    setup();
    const server = await world.server();
    const [a, b] = [world.client(server.port), world.client(server.port)];
    a.client.channel('lobby').presence.enter({ name: 'ann' });
    await subscribed(a, 'lobby');
    await waitFor(() => server.realtime.members('lobby').length === 1, 'ann is in');
    const watcher = b.client.channel('lobby').presence;
    watcher.subscribe(() => {});
    await waitFor(() => watcher.getSnapshot().synced && watcher.getSnapshot().members.length === 1, 'b synced with ann');
    expect(watcher.getSnapshot().members).toEqual([{ id: a.client.getSnapshot().sessionId, data: { name: 'ann' } }]);
    b.client.channel('lobby').presence.enter({ name: 'bob' });
    await waitFor(() => a.client.channel('lobby').presence.getSnapshot().members.length === 2, 'a sees bob');
    a.client.channel('lobby').presence.update({ name: 'ann', away: true });
    await waitFor(() => watcher.getSnapshot().members.some((m) => (m.data as { away?: boolean }).away), 'b sees the update');
    a.client.channel('lobby').presence.leave();
    await waitFor(() => names(watcher.getSnapshot().members).join() === 'bob', 'b sees ann leave');
    expect(server.realtime.members('lobby').map((m) => m.data)).toEqual([{ name: 'bob' }]);
  });

  it('presence-* channels: the member id is the signed user id, one member for two sockets of the same user', async () => {
    setup();
    const server = await world.server();
    const auth = signer(() => 'user-1');
    const [tab1, tab2] = [world.client(server.port, { auth }), world.client(server.port, { auth })];
    tab1.client.channel('presence-team').presence.enter({ name: 'ann' });
    tab2.client.channel('presence-team').presence.enter({ name: 'ann (tab 2)' });
    await Promise.all([subscribed(tab1, 'presence-team'), subscribed(tab2, 'presence-team')]);
    await waitFor(() => server.realtime.members('presence-team')[0]?.data !== undefined && tab2.client.channel('presence-team').presence.getSnapshot().members.length === 1, 'one member');
    expect(server.realtime.members('presence-team')).toHaveLength(1);
    expect(server.realtime.members('presence-team')[0]?.id).toBe('user-1');
    // Each tab knows itself under the signed id (not its socket id): `me` is the member in the list.
    for (const tab of [tab1, tab2]) {
      const presence = tab.client.channel('presence-team').presence;
      await waitFor(() => presence.getSnapshot().members.length === 1, 'the member in each tab');
      expect(presence.getSnapshot().me?.id).toBe('user-1');
      expect(presence.getSnapshot().members.map((m) => m.id)).toEqual(['user-1']);
    }
    tab1.client.destroy();
    await waitFor(() => server.sockets() === 1, 'tab 1 gone');
    // The user is still here through tab 2.
    expect(server.realtime.members('presence-team').map((m) => m.id)).toEqual(['user-1']);
  });

  it('a recovered drop does not flicker: others see no leave while the member comes back within the grace', async () => {
    setup();
    const server = await world.server({ helper: { presenceGraceMs: 5000 } });
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port);
    const b = world.client(server.port);
    a.client.channel('room').presence.enter({ name: 'ann' });
    const watcher = b.client.channel('room').presence;
    const seen: string[] = [];
    watcher.subscribe(() => seen.push(names(watcher.getSnapshot().members).join()));
    await waitFor(() => names(watcher.getSnapshot().members).join() === 'ann', 'b sees ann');
    const before = seen.length;
    proxy.cut();
    await waitFor(() => a.client.getStats().connects === 2, 'a reconnected');
    await subscribed(a, 'room');
    server.realtime.publish('room', 'sync-point', null);
    await waitFor(() => server.realtime.members('room').length === 1, 'ann still there');
    expect(seen.slice(before).every((s) => s === 'ann')).toBe(true);
  });

  it('a member that is gone for good (not recovered) leaves when the grace ends', async () => {
    setup();
    const server = await world.server({ helper: { presenceGraceMs: 100 } });
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port);
    const b = world.client(server.port);
    a.client.channel('room').presence.enter({ name: 'ann' });
    const watcher = b.client.channel('room').presence;
    watcher.subscribe(() => {});
    await waitFor(() => watcher.getSnapshot().members.length === 1, 'b sees ann');
    proxy.refuse();
    proxy.cut();
    await waitFor(() => watcher.getSnapshot().members.length === 0, 'ann left after the grace');
  });

  it('private channels: a bad signature is refused (CHANNEL_REFUSED, cause UNAUTHORIZED); the connection stays', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port, { auth: async () => ({ auth: 'switchboard:deadbeef' }) });
    a.listen('private-x');
    await waitFor(() => a.client.channel('private-x').status.getSnapshot().status === 'failed', 'refused');
    const error = a.client.channel('private-x').status.getSnapshot().error;
    expect(error?.code).toBe('CHANNEL_REFUSED');
    expect((error?.cause as { code?: string } | undefined)?.code).toBe('UNAUTHORIZED');
    expect(a.client.getSnapshot().status).toBe('connected');
  });

  it('private channels without any `auth` option fail the channel with a hint', async () => {
    setup();
    const server = await world.server();
    const a = world.client(server.port, { auth: undefined });
    a.listen('private-y');
    await waitFor(() => a.client.channel('private-y').status.getSnapshot().status === 'failed', 'refused');
    expect(a.client.channel('private-y').status.getSnapshot().error?.message).toMatch(/auth: \{ endpoint \}/);
  });
});
