import type { RealtimeError } from '@switchboard/core';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { refuse, signChannel } from '../src/server.js';
import { SECRET, World, connected, subscribed, waitFor } from './helpers.js';

let world: World;
afterEach(async () => {
  await world.cleanup();
});
const setup = () => (world = new World());
const ask = (socket: Socket, event: string, ...args: unknown[]) => socket.timeout(2000).emitWithAck(event, ...args) as Promise<Record<string, unknown>>;
/** For requests that must go unanswered. */
const unanswered = (socket: Socket, event: string, ...args: unknown[]) => socket.timeout(300).emitWithAck(event, ...args) as Promise<unknown>;

describe('server helper: every request is answered, bad ones with a typed refusal', () => {
  it('malformed requests → BAD_FRAME refusals (and onError); the server keeps serving', async () => {
    setup();
    const errors: RealtimeError[] = [];
    const server = await world.server({ helper: { onError: (error) => errors.push(error) } });
    const raw = await world.raw(server.port);
    expect(await ask(raw, 'sb:subscribe', 'not an object')).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(await ask(raw, 'sb:subscribe', { channel: 'has space' })).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(await ask(raw, 'sb:publish', { channel: 'c', event: 'e' })).toMatchObject({ ok: false, code: 'BAD_FRAME', message: expect.stringMatching(/id/) });
    expect(await ask(raw, 'sb:presence', { channel: 'c', action: 'dance' })).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(await ask(raw, 'sb:unsubscribe', 7)).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(await ask(raw, 'sb:publish')).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(errors.map((e) => e.code)).toEqual(Array(6).fill('BAD_FRAME'));
    expect(await ask(raw, 'sb:ping')).toEqual({ ok: true });
  });

  it('unknown sb:* events are refused with UNKNOWN_FRAME; the application’s own events are left alone', async () => {
    setup();
    const errors: string[] = [];
    const server = await world.server({ helper: { onError: (error) => errors.push(error.code) } });
    const appEvents: unknown[] = [];
    server.io.on('connection', (socket) => socket.on('chat', (text: unknown, ack: (reply: string) => void) => (appEvents.push(text), ack('app says hi'))));
    const raw = await world.raw(server.port);
    expect(await ask(raw, 'sb:teleport', {})).toMatchObject({ ok: false, code: 'UNKNOWN_FRAME' });
    expect(await (raw.timeout(2000).emitWithAck('chat', 'hello') as Promise<unknown>)).toBe('app says hi');
    expect(appEvents).toEqual(['hello']);
    expect(errors).toEqual(['UNKNOWN_FRAME']);
  });

  it('the application’s socket.use() middlewares see switchboard events too', async () => {
    setup();
    const server = await world.server();
    const seen: string[] = [];
    server.io.on('connection', (socket) =>
      socket.use(([event], next) => {
        seen.push(String(event));
        next(event === 'sb:publish' ? new Error('rate limited by the app') : undefined);
      }),
    );
    const raw = await world.raw(server.port);
    expect(await ask(raw, 'sb:subscribe', { channel: 'c' })).toMatchObject({ ok: true, resumed: false });
    await expect(unanswered(raw, 'sb:publish', { id: 'x.1', channel: 'c', event: 'e', data: 1 })).rejects.toThrow(/timed out/);
    expect(seen).toEqual(['sb:subscribe', 'sb:publish']);
  });

  it('channel rules: private channels need a valid signature for this socket; presence needs a subscription and signed channel data', async () => {
    setup();
    const server = await world.server();
    const raw = await world.raw(server.port);
    const other = await world.raw(server.port);
    const mine = signChannel({ secret: SECRET }, raw.id!, 'private-a');
    const theirs = signChannel({ secret: SECRET }, other.id!, 'private-a');
    expect(await ask(raw, 'sb:subscribe', { channel: 'private-a', auth: theirs.auth })).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    expect(await ask(raw, 'sb:subscribe', { channel: 'private-a', auth: `other-key:${mine.auth.split(':')[1]}` })).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    expect(await ask(raw, 'sb:subscribe', { channel: 'private-a', auth: mine.auth })).toMatchObject({ ok: true });
    const noData = signChannel({ secret: SECRET }, raw.id!, 'presence-a');
    expect(await ask(raw, 'sb:subscribe', { channel: 'presence-a', auth: noData.auth })).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    expect(await ask(raw, 'sb:presence', { channel: 'lobby', action: 'enter', data: 1 })).toMatchObject({ ok: false, code: 'CHANNEL_REFUSED' });
    const signed = signChannel({ secret: SECRET }, raw.id!, 'presence-a', { userId: 42 });
    expect(await ask(raw, 'sb:subscribe', { channel: 'presence-a', auth: signed.auth, channelData: signed.channel_data })).toEqual({ ok: true, resumed: false, members: [], memberId: '42' });
    expect(await ask(raw, 'sb:presence', { channel: 'presence-a', action: 'enter', data: { name: 'ann' } })).toEqual({ ok: true });
    expect(server.realtime.members('presence-a')).toEqual([{ id: '42', data: { name: 'ann' } }]);
  });

  it('without a secret, private channels are refused outright', async () => {
    setup();
    const server = await world.server({ helper: { secret: undefined } });
    const raw = await world.raw(server.port);
    expect(await ask(raw, 'sb:subscribe', { channel: 'private-a', auth: 'switchboard:00' })).toMatchObject({ ok: false, code: 'CHANNEL_REFUSED' });
  });

  it('server-side publish checks its arguments (typed errors) and returns the message id', async () => {
    setup();
    const server = await world.server();
    expect(() => server.realtime.publish('bad channel', 'e', 1)).toThrow(expect.objectContaining({ code: 'CHANNEL_REFUSED' }));
    expect(() => server.realtime.publish('ok', '', 1)).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    expect(server.realtime.publish('ok', 'e', 1)).toMatch(/\.0$/);
  });

  it('authenticate: refuse(code) reaches the client as data.code; a throwing authenticate is SERVER_ERROR (reported)', async () => {
    setup();
    const reported: string[] = [];
    const server = await world.server({
      helper: {
        authenticate: ({ token, auth }) => {
          if (token === 'banned') throw refuse('FORBIDDEN', 'banned');
          if (token === 'boom') throw new Error('database down');
          return auth.tenant === 'acme';
        },
        onError: (error) => reported.push(error.code),
      },
    });
    const refusal = (auth: Record<string, unknown>) =>
      world.raw(server.port, { auth }).then(
        () => null,
        (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
      );
    expect(await refusal({ token: 'banned', tenant: 'acme' })).toEqual({ message: 'banned', data: { code: 'FORBIDDEN' } });
    expect(await refusal({ token: 'boom' })).toMatchObject({ data: { code: 'SERVER_ERROR' } });
    expect(await refusal({ token: 'x', tenant: 'other' })).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(await refusal({ token: 'x', tenant: 'acme' })).toBeNull();
    expect(reported).toEqual(['SERVER_ERROR']);
  });

  it('a transport client’s object credentials travel as the handshake auth (never overriding recovery fields)', async () => {
    setup();
    const server = await world.server();
    const seen: unknown[] = [];
    server.io.use((socket, next) => (seen.push(socket.handshake.auth), next()));
    const a = world.client(server.port, {}, { auth: () => ({ token: 't', tenant: 'acme', pid: 'forged', offset: 'forged' }) });
    a.client.connect();
    await connected(a);
    expect(seen).toEqual([{ token: 't', tenant: 'acme' }]);
  });

  it('one helper on two namespaces: a server publish reaches both; close() detaches everything', async () => {
    setup();
    const server = await world.server();
    const detach = server.realtime.attach(server.io.of('/chat'));
    expect(server.realtime.attach(server.io.of('/chat'))).toBe(detach);
    const root = world.client(server.port);
    const chat = world.client(server.port, { url: `http://127.0.0.1:${server.port}/chat` });
    const [gotRoot, gotChat] = [root.listen('news'), chat.listen('news')];
    await Promise.all([subscribed(root, 'news'), subscribed(chat, 'news')]);
    server.realtime.publish('news', 'e', 'both');
    await waitFor(() => gotRoot.length === 1 && gotChat.length === 1, 'both namespaces');
    server.realtime.close();
    const raw = await world.raw(server.port);
    await expect(unanswered(raw, 'sb:ping')).rejects.toThrow(/timed out/);
    expect(server.realtime.members('news')).toEqual([]);
  });
});
