import { activeResources, resourcesAbove } from '@switchboard/conformance';
import { io as ioClient, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { World, connected, status, subscribed, waitFor } from './helpers.js';

let world: World;
afterEach(async () => {
  await world.cleanup();
});
const setup = () => (world = new World());
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('connection state recovery → resume', () => {
  it('recovered: what was published while offline is replayed in order, every channel resumed, no discontinuity', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port);
    const [one, two] = [a.listen('one'), a.listen('two')];
    const gaps: string[] = [];
    for (const c of ['one', 'two']) a.client.channel(c).onDiscontinuity((info) => gaps.push(info.channel));
    await Promise.all([subscribed(a, 'one'), subscribed(a, 'two')]);
    const sessionId = a.client.getSnapshot().sessionId;
    server.realtime.publish('one', 'n', 0);
    await waitFor(() => one.length === 1, 'first message');
    proxy.refuse();
    proxy.cut();
    await waitFor(() => status(a) !== 'connected' && server.sockets() === 0, 'both sides noticed the drop');
    for (const i of range(5, 1)) server.realtime.publish('one', 'n', i);
    server.realtime.publish('two', 'n', 'missed');
    proxy.heal();
    await connected(a);
    await Promise.all([subscribed(a, 'one'), subscribed(a, 'two')]);
    await waitFor(() => one.length === 6 && two.length === 1, () => `replayed (${one.length}, ${two.length})`);
    expect(one).toEqual(range(6));
    expect(two).toEqual(['missed']);
    expect(gaps).toEqual([]);
    // Recovery keeps the socket id: the same session, and no duplicate on the wire.
    expect(a.client.getSnapshot().sessionId).toBe(sessionId);
    expect(a.client.getStats().duplicates).toBe(0);
    expect(a.errors).toEqual([]);
  });

  it('recovered even when nothing had arrived yet on the channel (the welcome gives every connection an offset)', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port);
    const got = a.listen('quiet');
    let gaps = 0;
    a.client.channel('quiet').onDiscontinuity(() => gaps++);
    await subscribed(a, 'quiet');
    proxy.refuse();
    proxy.cut();
    await waitFor(() => server.sockets() === 0, 'the server noticed');
    server.realtime.publish('quiet', 'n', 'while away');
    proxy.heal();
    await waitFor(() => got.length === 1, 'replayed');
    expect(gaps).toBe(0);
  });

  it('not recovered (the server lost the session): one discontinuity per channel, then live messages flow', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port);
    const [one, two] = [a.listen('one'), a.listen('two')];
    const gaps: string[] = [];
    for (const c of ['one', 'two']) a.client.channel(c).onDiscontinuity((info) => gaps.push(`${info.channel}:${info.reason}`));
    await Promise.all([subscribed(a, 'one'), subscribed(a, 'two')]);
    const sessionId = a.client.getSnapshot().sessionId;
    proxy.refuse();
    proxy.cut();
    await waitFor(() => server.sockets() === 0, 'the server noticed');
    // What a restarted server without a persistent adapter knows: nothing.
    const store = server.io.of('/').adapter as unknown as { sessions: Map<string, unknown> };
    store.sessions.clear();
    server.realtime.publish('one', 'n', 'lost');
    proxy.heal();
    await waitFor(() => gaps.length === 2, () => `two discontinuities, got ${gaps.join()}`);
    expect(gaps.sort()).toEqual(['one:resume-failed', 'two:resume-failed']);
    expect(a.client.getSnapshot().sessionId).not.toBe(sessionId);
    server.realtime.publish('one', 'n', 'live');
    server.realtime.publish('two', 'n', 'live');
    await waitFor(() => one.length === 1 && two.length === 1, 'live again');
    expect([one, two]).toEqual([['live'], ['live']]);
    expect(gaps).toHaveLength(2);
  });

  it('a server without connectionStateRecovery: every reconnect is an honest discontinuity', async () => {
    setup();
    const server = await world.server({ io: { connectionStateRecovery: undefined } });
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port);
    a.listen('feed');
    let gaps = 0;
    a.client.channel('feed').onDiscontinuity(() => gaps++);
    await subscribed(a, 'feed');
    proxy.cut();
    await waitFor(() => gaps === 1 && a.client.getStats().connects === 2, 'one discontinuity after the reconnect');
    await subscribed(a, 'feed');
    expect(gaps).toBe(1);
  });

  it('a channel left while offline is left on the server after recovery; its messages raise no error', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const a = world.client(proxy.port, {}, { channels: { lingerMs: 0 } });
    const kept = a.listen('kept');
    const leave = a.client.channel('gone').subscribe(() => {});
    await Promise.all([subscribed(a, 'kept'), subscribed(a, 'gone')]);
    proxy.refuse();
    proxy.cut();
    await waitFor(() => status(a) !== 'connected' && server.sockets() === 0, 'dropped');
    leave();
    await waitFor(() => a.client.channel('gone').status.getSnapshot().status === 'idle', 'left locally');
    server.realtime.publish('gone', 'n', 'replayed but unwanted');
    proxy.heal();
    await subscribed(a, 'kept');
    const rooms = () => [...(server.io.of('/').sockets.get(a.client.getSnapshot().sessionId ?? '')?.rooms ?? [])];
    await waitFor(() => !rooms().includes('sb:gone'), () => `left on the server (${rooms().join()})`);
    expect(rooms()).toContain('sb:kept');
    server.realtime.publish('gone', 'n', 'after');
    server.realtime.publish('kept', 'n', 'marker');
    await waitFor(() => kept.length === 1, 'the marker');
    expect(a.errors).toEqual([]);
    expect(a.client.getStats().unknown).toBe(0);
  });
});

describe('exactly one layer retries', () => {
  it('one drop → one reconnect sequence: socket.io-client never reconnects by itself, the server sees one new connection', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const sockets: Socket[] = [];
    const reconnectAttempts: number[] = [];
    const io = (url: string, options: Partial<ManagerOptions & SocketOptions>) => {
      const socket = ioClient(url, { ...options, reconnection: true }); // even if it were asked to…
      socket.io.on('reconnect_attempt', (n) => reconnectAttempts.push(n));
      sockets.push(socket);
      return socket;
    };
    const a = world.client(proxy.port, { io: (url, options) => io(url, options), socketOptions: { reconnection: true, reconnectionDelay: 1 } });
    a.listen('x');
    await subscribed(a, 'x');
    expect(server.connections()).toBe(1);
    proxy.cut();
    await waitFor(() => a.client.getStats().connects === 2 && status(a) === 'connected', 'reconnected');
    await subscribed(a, 'x');
    expect(await a.client.publish('x', 'e', 'roundtrip')).toMatchObject({ status: 'acked' });
    expect(server.connections()).toBe(2);
    expect(reconnectAttempts).toEqual([]);
    // One socket.io-client socket for the whole life (its session is what recovery presents)…
    expect(sockets).toHaveLength(1);
    // …whose manager was told not to reconnect, whatever the options said.
    expect(sockets[0]?.io.reconnection()).toBe(false);
  });

  it('destroy() while connecting leaves no socket or timer', async () => {
    setup();
    const server = await world.server();
    const proxy = await world.proxy(server.port);
    const baseline = activeResources();
    proxy.delay(200);
    const a = world.client(proxy.port);
    a.client.connect();
    await waitFor(() => proxy.connections === 1, 'connecting');
    a.client.destroy();
    await waitFor(() => proxy.connections === 0, 'connection closed');
    await waitFor(() => Object.keys(resourcesAbove(baseline)).length === 0, () => `resources left: ${JSON.stringify(resourcesAbove(baseline))}`);
    expect(server.sockets()).toBe(0);
  });
});
