import { createClient } from '@switchboard/core';
import { activeResources, resourcesAbove } from '@switchboard/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { World } from './helpers.js';
import { localOptions } from './target.js';

describe('ably: module and capabilities', () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.cleanup();
    world = null;
  });

  it('importing the package and creating a transport and a client opens nothing', async () => {
    world = await World.start();
    const baseline = activeResources();
    const { ably } = await import('../src/index.js');
    const client = createClient({ transport: ably(localOptions(world.peer.port)), auth: () => 'token' });
    client.channel('room').status.subscribe(() => {});
    expect(resourcesAbove(baseline)).toEqual({});
    expect(world.peer.connectAttempts).toBe(0);
    client.destroy();
  });

  it('declares what it offers: native acked publish, presence, resume; ably-js retries (so the core does not)', async () => {
    const { ably, ABLY_CAPABILITIES } = await import('../src/index.js');
    const transport = ably();
    expect(transport.name).toBe('ably');
    expect(transport.capabilities).toBe(ABLY_CAPABILITIES);
    expect(ABLY_CAPABILITIES).toEqual({ publish: 'native', acks: true, presence: true, resume: true, clientEvents: false, retries: 'sdk', serverless: true, auth: expect.stringContaining('token') });
    expect(Object.isFrozen(ABLY_CAPABILITIES)).toBe(true);
    const client = createClient({ transport, auth: () => 'token' });
    // Presence and publish are available: no CAPABILITY_MISSING at subscribe time.
    expect(() => client.channel('room').presence).not.toThrow();
    client.destroy();
  });
});
