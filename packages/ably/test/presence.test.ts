import type { PresenceMember } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { World, waitFor } from './helpers.js';

const names = (members: readonly PresenceMember[]) => members.map((m) => (m.data as { name?: string }).name).sort();

describe('ably: presence', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  it('members already present arrive as one sync; `me` is this connection; enter/update/leave with data', async () => {
    world = await World.start();
    const ann = world.client({ token: world.peer.mintToken({ clientId: 'ann' }) });
    ann.client.channel('room').presence.enter({ name: 'ann' });
    await waitFor(() => world!.peer.members('room').length === 1, 'ann entered');

    const bob = world.client({ token: world.peer.mintToken({ clientId: 'bob' }) });
    const presence = bob.client.channel('room').presence;
    presence.subscribe(() => {});
    await waitFor(() => presence.getSnapshot().synced && presence.getSnapshot().members.length === 1, 'bob synced with ann');
    expect(presence.getSnapshot().members).toEqual([{ id: ann.client.getSnapshot().sessionId, data: { name: 'ann' } }]);

    presence.enter({ name: 'bob' });
    await waitFor(() => names(presence.getSnapshot().members).join() === 'ann,bob', 'bob sees both');
    expect(presence.getSnapshot().me?.id).toBe(bob.client.getSnapshot().sessionId);

    const annView = ann.client.channel('room').presence;
    presence.update({ name: 'bob', typing: true });
    await waitFor(() => annView.getSnapshot().members.some((m) => (m.data as { typing?: boolean }).typing === true), 'ann sees the update');
    presence.leave();
    await waitFor(() => names(annView.getSnapshot().members).join() === 'ann', 'ann sees bob leave');
    expect(world.peer.members('room').map((m) => m.clientId)).toEqual(['ann']);
  });

  it('a client that drops and resumes stays present; one that does not come back leaves after the server timeout', async () => {
    world = await World.start({ presenceTimeoutMs: 300 });
    const proxy = await world.proxy();
    const ann = world.client({ via: proxy, token: world.peer.mintToken({ clientId: 'ann' }) });
    ann.client.channel('room').presence.enter({ name: 'ann' });
    const bob = world.client({ token: world.peer.mintToken({ clientId: 'bob' }) });
    const view = bob.client.channel('room').presence;
    view.subscribe(() => {});
    await waitFor(() => names(view.getSnapshot().members).join() === 'ann', 'bob sees ann');
    const leaves: string[] = [];
    view.subscribe(() => {
      if (view.getSnapshot().members.length === 0) leaves.push('empty');
    });

    proxy.cut();
    await waitFor(() => ann.client.getStats().connects === 2 && ann.client.getSnapshot().status === 'connected', 'ann resumed');
    expect(names(view.getSnapshot().members)).toEqual(['ann']);
    expect(leaves).toEqual([]);

    proxy.refuse();
    proxy.cut();
    await waitFor(() => view.getSnapshot().members.length === 0, 'ann timed out');
    expect(leaves).toEqual(['empty']);
  });

  it('a client that is destroyed leaves at once (the server is told with CLOSE)', async () => {
    world = await World.start({ presenceTimeoutMs: 60_000 });
    const ann = world.client({ token: world.peer.mintToken({ clientId: 'ann' }) });
    ann.client.channel('room').presence.enter({ name: 'ann' });
    const bob = world.client({ token: world.peer.mintToken({ clientId: 'bob' }) });
    const view = bob.client.channel('room').presence;
    view.subscribe(() => {});
    await waitFor(() => names(view.getSnapshot().members).join() === 'ann', 'bob sees ann');
    ann.client.destroy();
    await waitFor(() => view.getSnapshot().members.length === 0, 'ann left');
    expect(world.peer.members('room')).toEqual([]);
  });

  it('presence without a clientId → CAPABILITY_MISSING naming the transport; messages still flow', async () => {
    world = await World.start();
    const anonymous = world.client({ token: world.peer.mintToken({}) });
    const got = anonymous.listen('room');
    anonymous.client.channel('room').presence.enter({ name: 'nobody' });
    await waitFor(() => anonymous.errors.length > 0, 'an error event');
    expect(anonymous.errors[0]).toMatchObject({ code: 'CAPABILITY_MISSING', details: { transport: 'ably', ablyCode: 40012, channel: 'room' } });
    expect(anonymous.errors[0]?.message).toMatch(/clientId/);
    await world.peer.publish('room', 'e', 1);
    await waitFor(() => got.length === 1, 'a message');
  });

  it('presence data Ably cannot carry (a bare number) → INVALID_PAYLOAD', async () => {
    world = await World.start();
    const a = world.client();
    a.client.channel('room').presence.enter(42);
    await waitFor(() => a.errors.length > 0, 'an error event');
    expect(a.errors[0]).toMatchObject({ code: 'INVALID_PAYLOAD', details: { ablyCode: 40013 } });
  });
});
