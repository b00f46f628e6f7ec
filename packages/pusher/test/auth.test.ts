import { RealtimeError } from '@switchboard/core';
import { authorizeChannel } from '@switchboard/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connected, httpServer, peer, pusherClient, status, subscribed, waitFor } from './helpers.js';

type Reply = (req: IncomingMessage, res: ServerResponse) => void;
const answer =
  (code: number, body: string, type = 'application/json'): Reply =>
  (_req, res) =>
    res.writeHead(code, { 'content-type': type }).end(body);

/** Subscribes `channel` and returns its failure, after checking the connection and another channel survived. */
async function refusal(authEndpoint: string | undefined, channel = 'private-room', extra: Parameters<typeof pusherClient>[1] = {}) {
  const p = await peer();
  const a = pusherClient(p.port, { authEndpoint, ...extra });
  a.listen('news');
  a.listen(channel);
  await waitFor(() => a.client.channel(channel).status.getSnapshot().status === 'failed', `${channel} failed`);
  await subscribed(a, 'news');
  expect(status(a)).toBe('connected');
  expect(a.client.getStats().connects).toBe(1);
  const error = a.client.channel(channel).status.getSnapshot().error;
  expect(error?.code).toBe('CHANNEL_REFUSED');
  expect(a.errors.map((e) => e.code)).toEqual(['CHANNEL_REFUSED']);
  return error as RealtimeError & { cause?: RealtimeError };
}

describe('channel auth endpoint failures fail the channel (CHANNEL_REFUSED), never the connection', () => {
  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'UNAUTHORIZED'],
    [500, 'AUTH_ERROR'],
    [502, 'AUTH_ERROR'],
  ])('%i → cause %s, with the status', async (code, causeCode) => {
    const error = await refusal(await httpServer(answer(code, '{"error":"no"}')));
    expect(error.cause).toMatchObject({ code: causeCode, details: { status: code, channel: 'private-room', transport: 'pusher' } });
  });

  it('a body that is not JSON → AUTH_ERROR', async () => {
    const error = await refusal(await httpServer(answer(200, '<html>oops</html>', 'text/html')));
    expect(error.cause).toMatchObject({ code: 'AUTH_ERROR', message: expect.stringMatching(/did not answer JSON/) });
  });

  it('JSON without `auth` → AUTH_ERROR', async () => {
    const error = await refusal(await httpServer(answer(200, '{"token":"x"}')));
    expect(error.cause).toMatchObject({ code: 'AUTH_ERROR', message: expect.stringMatching(/no `auth`/) });
  });

  it('an endpoint that cannot be reached → AUTH_ERROR', async () => {
    const url = await httpServer((req) => req.socket.destroy());
    const error = await refusal(url);
    expect(error.cause).toMatchObject({ code: 'AUTH_ERROR', message: expect.stringMatching(/could not be reached/) });
  });

  it('no endpoint configured → UNAUTHORIZED, naming the option', async () => {
    const error = await refusal(undefined);
    expect(error.cause).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/authEndpoint/) });
  });

  it('a presence authorisation without channel_data (and no sign-in) → AUTH_ERROR', async () => {
    const p = await peer();
    const url = await httpServer(answer(200, JSON.stringify({ auth: `${p.key}:abc` })));
    const a = pusherClient(p.port, { authEndpoint: url, userAuthEndpoint: undefined });
    a.listen('presence-room');
    await waitFor(() => a.client.channel('presence-room').status.getSnapshot().status === 'failed', 'failed');
    expect(a.client.channel('presence-room').status.getSnapshot().error?.cause).toMatchObject({ code: 'AUTH_ERROR', message: expect.stringMatching(/channel_data/) });
  });

  it('a signature the server rejects → CHANNEL_REFUSED (cause UNAUTHORIZED, status 401 from Pusher)', async () => {
    const error = await refusal(undefined, 'private-room', { authorize: async () => ({ auth: 'conformance-key:0000' }) });
    expect(error.cause).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 }, message: expect.stringMatching(/Invalid signature/) });
  });

  it('a custom authorizer signs (here with the server kit) and its own refusal keeps its code', async () => {
    const p = await peer();
    const a = pusherClient(p.port, {
      authEndpoint: undefined,
      authorize: async ({ socketId, channel }) => {
        if (channel.includes('secret')) throw new RealtimeError('UNAUTHORIZED', 'not you');
        return authorizeChannel({ secret: p.secret, key: p.key }, socketId, channel);
      },
    });
    const got = a.listen('private-room');
    a.listen('private-secret');
    await subscribed(a, 'private-room');
    await waitFor(() => a.client.channel('private-secret').status.getSnapshot().status === 'failed', 'refused');
    expect(a.client.channel('private-secret').status.getSnapshot().error?.cause).toMatchObject({ code: 'UNAUTHORIZED', message: 'not you' });
    await p.publish('private-room', 'e', 1);
    await waitFor(() => got.length === 1, 'the signed channel works');
  });

  it('the endpoint gets Pusher’s form, the configured headers and the bearer token of the auth provider', async () => {
    const p = await peer();
    const seen: Array<{ headers: IncomingMessage['headers'] }> = [];
    const url = await httpServer((req, res) => {
      seen.push({ headers: req.headers });
      res.writeHead(403).end();
    });
    const a = pusherClient(p.port, { authEndpoint: url, headers: () => ({ 'x-app': 'demo' }) }, { auth: () => ({ token: 'tok-1' }) });
    a.listen('private-room');
    await waitFor(() => seen.length === 1, 'asked');
    expect(seen[0]?.headers).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', 'x-app': 'demo', authorization: 'Bearer tok-1' });
  });
});

describe('user authentication (sign-in) failures follow the fatal rules', () => {
  it('401 → credentials refreshed once, then failed (UNAUTHORIZED, status 401)', async () => {
    const p = await peer();
    const calls: string[] = [];
    const a = pusherClient(p.port, { userAuthEndpoint: await httpServer(answer(401, '{}')) }, { auth: ({ reason }) => (calls.push(reason), 'valid-token') });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(calls).toEqual(['initial', 'refresh']);
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 } });
  });

  it('500 → retried with backoff (CONNECTION_LOST, status 500), never connected', async () => {
    const p = await peer();
    let asked = 0;
    const url = await httpServer((_req, res) => {
      asked++;
      res.writeHead(500).end();
    });
    const a = pusherClient(p.port, { userAuthEndpoint: url });
    a.client.connect();
    await waitFor(() => asked >= 2, 'asked again');
    expect(status(a)).toBe('connecting');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', details: { status: 500 } });
  });

  it.each([
    ['not JSON', 'nope'],
    ['no auth/user_data', '{"auth":"x"}'],
    ['user_data without an id', '{"auth":"x","user_data":"{\\"name\\":\\"ann\\"}"}'],
  ])('an answer with %s → failed (PROTOCOL_ERROR)', async (_what, body) => {
    const p = await peer();
    const a = pusherClient(p.port, { userAuthEndpoint: await httpServer(answer(200, body)) });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError?.code).toBe('PROTOCOL_ERROR');
  });

  it('a signed-in user is the member id (`me`) and the session is the socket id', async () => {
    const userOf = (socketId: string) => `user-${socketId.slice(0, 4)}`;
    const p = await peer({ authenticateUser: (_token, socketId) => ({ id: userOf(socketId) }), authorize: ({ session }) => ({ userId: userOf(session) }) });
    const a = pusherClient(p.port);
    a.client.connect();
    await connected(a);
    const presence = a.client.channel('presence-room').presence;
    presence.enter({ here: true });
    await waitFor(() => presence.getSnapshot().me !== null && presence.getSnapshot().synced, 'entered');
    const socketId = a.client.getSnapshot().sessionId ?? '';
    expect(presence.getSnapshot().me).toEqual({ id: userOf(socketId), data: { here: true } });
    expect(presence.getSnapshot().members).toEqual([{ id: userOf(socketId), data: { here: true } }]);
  });
});

describe('a refused channel', () => {
  it.each([
    ['by the auth endpoint', 'endpoint'],
    ['by the server (bad signature)', 'server'],
  ])('can be subscribed again later (refused %s)', async (_what, where) => {
    const p = await peer();
    let calls = 0;
    const a = pusherClient(
      p.port,
      {
        authEndpoint: undefined,
        authorize: async ({ socketId, channel }) => {
          calls++;
          if (calls > 1) return authorizeChannel({ secret: p.secret, key: p.key }, socketId, channel);
          if (where === 'endpoint') throw new RealtimeError('UNAUTHORIZED', 'not yet');
          return { auth: `${p.key}:0000` };
        },
      },
      { channels: { lingerMs: 10 } },
    );
    a.client.connect(); // stays connected without channels: the same connection subscribes again
    const off = a.client.channel('private-room').subscribe(() => {});
    await waitFor(() => a.client.channel('private-room').status.getSnapshot().status === 'failed', 'refused');
    off();
    await waitFor(() => a.client.channel('private-room').status.getSnapshot().status === 'idle', 'left');
    const got = a.listen('private-room');
    await subscribed(a, 'private-room');
    await p.publish('private-room', 'e', 1);
    await waitFor(() => got.length === 1, 'delivered');
    expect(calls).toBe(2);
    expect(a.client.getStats().connects).toBe(1);
  });
});
