import { RealtimeError, type AuthContext } from '@switchboard/core';
import { mintAblyToken } from '@switchboard/conformance/peers/ably';
import { afterEach, describe, expect, it } from 'vitest';
import { ably } from '../src/index.js';
import { GOOD_TOKEN } from './target.js';
import { World, json, text, waitFor } from './helpers.js';

const causeOf = (error: unknown) => (error as { cause?: unknown }).cause as RealtimeError | undefined;

describe('ably: token auth', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  describe('authUrl', () => {
    it('a token string (text/plain) connects; the browser only ever sees the token', async () => {
      world = await World.start();
      const token = world.peer.mintToken({ clientId: 'ann' });
      const endpoint = await world.endpoint((_request, response) => text(response, 200, token));
      const a = world.client({ token: null, transport: { authUrl: endpoint.url, authParams: { room: '42' } } });
      a.client.connect();
      await a.connected();
      expect(endpoint.requests).toEqual(['GET /token?room=42']);
    });

    it('TokenDetails JSON (POST) connects', async () => {
      world = await World.start();
      const token = world.peer.mintToken({ clientId: 'ann', expires: Date.now() + 60_000 });
      const endpoint = await world.endpoint((_request, response) => json(response, 200, { token, expires: Date.now() + 60_000, clientId: 'ann' }));
      const a = world.client({ token: null, transport: { authUrl: endpoint.url, authMethod: 'POST' } });
      a.client.connect();
      await a.connected();
      expect(endpoint.requests).toEqual(['POST /token']);
    });

    it.each([401, 403])('HTTP %i → failed with UNAUTHORIZED; the endpoint is asked once', async (status) => {
      world = await World.start();
      const endpoint = await world.endpoint((_request, response) => json(response, status, { error: 'nope' }));
      const a = world.client({ token: null, transport: { authUrl: endpoint.url } });
      a.client.connect();
      await a.status('failed');
      const { lastError } = a.client.getSnapshot();
      expect(lastError?.code).toBe('UNAUTHORIZED');
      expect(causeOf(lastError)?.details).toMatchObject({ status, transport: 'ably' });
      expect(endpoint.hits).toBe(1);
      expect(world.peer.connectAttempts).toBe(0);
    });

    it('HTTP 500, bad JSON and an unusable content type are AUTH_ERROR, retried until a token comes', async () => {
      world = await World.start();
      const token = world.peer.mintToken({ clientId: 'ann' });
      const answers = [
        (response: Parameters<typeof json>[0]) => json(response, 500, { error: 'down' }),
        (response: Parameters<typeof json>[0]) => text(response, 200, '{"token": ', 'application/json'),
        (response: Parameters<typeof json>[0]) => text(response, 200, '<html>login</html>', 'text/html'),
        (response: Parameters<typeof json>[0]) => text(response, 200, token),
      ];
      const endpoint = await world.endpoint((_request, response) => answers[Math.min(endpoint.hits - 1, answers.length - 1)]!(response));
      const a = world.client({ token: null, transport: { authUrl: endpoint.url } });
      const seen: string[] = [];
      a.client.subscribe(() => {
        const error = causeOf(a.client.getSnapshot().lastError);
        if (error && seen[seen.length - 1] !== error.message) seen.push(error.message);
      });
      a.client.connect();
      await a.connected(10_000);
      expect(endpoint.hits).toBe(4);
      expect(a.statuses).not.toContain('failed');
      expect(seen).toEqual([
        'The Ably token endpoint answered 500.',
        'The Ably token endpoint did not answer valid JSON.',
        'The Ably token endpoint answered an unusable content type (text/html).',
      ]);
    });

    it('a token endpoint slower than realtimeRequestTimeout: AUTH_ERROR, asked again, connected; the late answer changes nothing', async () => {
      world = await World.start();
      const token = world.peer.mintToken({ clientId: 'ann' });
      let answered = 0;
      const endpoint = await world.endpoint((_request, response) => {
        const wait = endpoint.hits === 1 ? 1200 : 0;
        setTimeout(() => {
          answered++;
          text(response, 200, token);
        }, wait);
      });
      const a = world.client({ token: null, transport: { authUrl: endpoint.url, realtimeRequestTimeout: 400, authTimeoutMs: 5000 } });
      const seen: string[] = [];
      a.client.subscribe(() => {
        const code = a.client.getSnapshot().lastError?.code;
        if (code && !seen.includes(code)) seen.push(code);
      });
      a.client.connect();
      await a.connected();
      expect(seen).toEqual(['AUTH_ERROR']);
      await waitFor(() => answered === 2, 'the late answer', 5000);
      expect(a.client.getSnapshot().status).toBe('connected');
      expect(a.client.getStats().connects).toBe(1);
      expect(endpoint.hits).toBe(2);
    });

    it('a token the server refuses is fetched again once; a second refusal ends in failed (UNAUTHORIZED)', async () => {
      world = await World.start();
      const endpoint = await world.endpoint((_request, response) => text(response, 200, 'not-a-peer-token'));
      const a = world.client({ token: null, transport: { authUrl: endpoint.url } });
      a.client.connect();
      await a.status('failed');
      expect(a.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
      expect(endpoint.hits).toBe(2);
      expect(world.peer.connectAttempts).toBe(2);
    });
  });

  describe('authCallback', () => {
    it('returns a token → connected', async () => {
      world = await World.start();
      const peer = world.peer;
      const params: unknown[] = [];
      const a = world.client({ token: null, transport: { authCallback: (p) => (params.push(p), peer.mintToken({ clientId: 'cb' })) } });
      a.client.connect();
      await a.connected();
      expect(params).toHaveLength(1);
    });

    it('throwing RealtimeError("UNAUTHORIZED") stops; throwing anything else is retried (AUTH_ERROR)', async () => {
      world = await World.start();
      const stop = world.client({ token: null, transport: { authCallback: () => Promise.reject(new RealtimeError('UNAUTHORIZED', 'signed out')) } });
      stop.client.connect();
      await stop.status('failed');
      expect(stop.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');

      let calls = 0;
      const peer = world.peer;
      const flaky = world.client({
        token: null,
        transport: {
          authCallback: () => {
            calls++;
            if (calls === 1) throw new Error('offline');
            return peer.mintToken({ clientId: 'cb' });
          },
        },
      });
      flaky.client.connect();
      await flaky.connected();
      expect(calls).toBe(2);
      expect(flaky.statuses).not.toContain('failed');
    });
  });

  describe("the client's auth provider", () => {
    it('is asked once more when the token is refused, then the client fails with UNAUTHORIZED', async () => {
      world = await World.start();
      const reasons: AuthContext['reason'][] = [];
      const a = world.client({ token: null, client: { auth: ({ reason }) => (reasons.push(reason), 'refused-token') } });
      a.client.connect();
      await a.status('failed');
      expect(reasons).toEqual(['initial', 'refresh']);
      expect(a.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
    });

    it('an expired token is replaced by a refreshed one at connect', async () => {
      world = await World.start();
      const expired = world.peer.mintToken({ clientId: 'ann', expires: Date.now() - 1000 });
      const reasons: AuthContext['reason'][] = [];
      const a = world.client({ token: null, client: { auth: ({ reason }) => (reasons.push(reason), reason === 'initial' ? expired : GOOD_TOKEN) } });
      a.client.connect();
      await a.connected();
      expect(reasons).toEqual(['initial', 'refresh']);
    });

    it('a token expiring while connected (DISCONNECTED 40142) is refreshed once; the new client recovers the connection and its channels', async () => {
      world = await World.start();
      const reasons: AuthContext['reason'][] = [];
      const a = world.client({ token: null, client: { auth: ({ reason }) => (reasons.push(reason), GOOD_TOKEN) } });
      const got = a.listen('feed');
      let gaps = 0;
      a.client.channel('feed').onDiscontinuity(() => gaps++);
      await a.subscribed('feed');
      await world.peer.publish('feed', 'n', 1);
      await waitFor(() => got.length === 1, 'the first message');
      const session = a.client.getSnapshot().sessionId;

      world.peer.disconnectAll({ code: 40142, statusCode: 401, message: 'Token expired' });
      await waitFor(() => a.statuses.includes('reconnecting'), 'reconnecting');
      await world.peer.publish('feed', 'n', 2);
      await a.connected();
      await a.subscribed('feed');
      await waitFor(() => got.length === 2, 'the message published during the refresh');

      expect(reasons).toEqual(['initial', 'refresh']);
      expect(a.client.getSnapshot().sessionId).toBe(session);
      expect(got).toEqual([1, 2]);
      expect(gaps).toBe(0);
      expect(world.peer.sessions()).toBe(1);
    });

    it('credentials that are not a token fail the client with a clear UNAUTHORIZED', async () => {
      world = await World.start();
      const a = world.client({ token: null, client: { auth: () => ({ user: 'ann' }) } });
      a.client.connect();
      await a.status('failed');
      expect(a.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
      expect(causeOf(a.client.getSnapshot().lastError)?.message).toMatch(/no Ably token/);
    });
  });

  it('no token source at all fails at once, saying what to configure', async () => {
    world = await World.start();
    const a = world.client({ token: null });
    a.client.connect();
    await a.status('failed');
    expect(causeOf(a.client.getSnapshot().lastError)?.message).toMatch(/authUrl.*authCallback/);
    expect(world.peer.connectAttempts).toBe(0);
  });

  it('the API key cannot be handed to the browser transport (type error)', () => {
    // @ts-expect-error `key` is not an option of the transport: tokens come from your server.
    const transport = ably({ clientOptions: { key: 'app.key:secret' } });
    expect(transport.name).toBe('ably');
    expect(mintAblyToken({ clientId: 'x' })).toMatch(/^sbt\./);
  });
});
