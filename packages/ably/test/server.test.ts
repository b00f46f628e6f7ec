import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@switchboard/server';
import { ABLY_PEER_KEY } from '@switchboard/conformance/peers/ably';
import { Rest } from 'ably';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalCapability, createTokenHandler, createTokenRequest } from '../src/server.js';
import { World, waitFor } from './helpers.js';

describe('@switchboard/ably/server: signed TokenRequests, the API key stays on the server', () => {
  let world: World | null = null;
  const servers: Server[] = [];
  afterEach(async () => {
    await world?.cleanup();
    world = null;
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  async function serve(handler: (request: Request) => Promise<Response>): Promise<string> {
    const server = createServer(toNodeHandler(handler));
    server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ably-token`;
  }

  it('signs exactly as ably-js itself does (same MAC for the same fields)', async () => {
    const fields = { timestamp: 1_700_000_000_000, nonce: 'fixed-nonce-1234' };
    const capability: Record<string, ('subscribe' | 'presence' | 'publish')[]> = { 'room:*': ['subscribe', 'presence'], chat: ['publish', 'subscribe'] };
    const rest = new Rest({ key: 'app.key:s3cret' });
    const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
    const ours = await createTokenRequest({ apiKey: 'app.key:s3cret', clientId: 'ann', capability, ttlMs: 60_000 }, fields);
    const reference = await rest.auth.createTokenRequest({ clientId: 'ann', capability, ttl: 60_000, ...fields });
    expect(plain(ours)).toEqual(plain(reference));
    const anonymous = await createTokenRequest({ apiKey: 'app.key:s3cret' }, fields);
    expect(plain(anonymous)).toEqual(plain(await rest.auth.createTokenRequest(fields)));
    expect(canonicalCapability({ b: ['z', 'a'], a: ['*'] })).toBe('{"a":["*"],"b":["a","z"]}');
  });

  it('rejects a key without its secret, and an empty client id', async () => {
    await expect(createTokenRequest({ apiKey: 'app.key' })).rejects.toThrow(/appId.keyId:secret/);
    await expect(createTokenRequest({ apiKey: 'app.key:s', clientId: '' })).rejects.toThrow(/clientId/);
  });

  it('end to end: the browser fetches a TokenRequest from the handler, ably-js exchanges it, the client id is the server’s choice', async () => {
    world = await World.start();
    const url = await serve(createTokenHandler({ apiKey: ABLY_PEER_KEY, authorize: () => ({ clientId: 'user-7', capability: { '*': ['*'] } }) }));
    const a = world.client({ token: null, transport: { authUrl: url } });
    a.client.channel('room').presence.enter({ name: 'seven' });
    await a.subscribed('room');
    await a.connected();
    expect(a.errors).toEqual([]);
    const frames = JSON.stringify(world.peer.frames);
    expect(frames).not.toContain('peer-key-secret');
    await waitFor(() => world!.peer.members('room').length === 1, 'entered');
    expect(world.peer.members('room')[0]?.clientId).toBe('user-7');
  });

  it('a refused request answers 401 (the client fails with UNAUTHORIZED); a throwing authorizer answers 500 without details', async () => {
    world = await World.start();
    const refused = await serve(createTokenHandler({ apiKey: ABLY_PEER_KEY, authorize: () => null }));
    const response = await fetch(refused);
    expect(response.status).toBe(401);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const a = world.client({ token: null, transport: { authUrl: refused } });
    a.client.connect();
    await a.status('failed');
    expect(a.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');

    const broken = await serve(
      createTokenHandler({
        apiKey: ABLY_PEER_KEY,
        authorize: () => {
          throw new Error('database password is hunter2');
        },
      }),
    );
    const failure = await fetch(broken);
    expect(failure.status).toBe(500);
    expect(await failure.text()).not.toContain('hunter2');
  });
});
