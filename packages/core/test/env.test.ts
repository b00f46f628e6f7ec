import { describe, expect, it } from 'vitest';
import { ENV_NAMES, readTransportEnv, transportFromEnv, type TransportFactories } from '../src/env.js';
import { isRealtimeError } from '../src/errors.js';
import type { Transport } from '../src/transport.js';
import { polling } from '../src/transports/polling.js';
import { sse } from '../src/transports/sse.js';
import { websocket } from '../src/transports/websocket.js';

/** Factories that record what they were given. */
function recording() {
  const calls: Array<[string, unknown]> = [];
  const make = (name: string) => (options: unknown): Transport => {
    calls.push([name, options]);
    return { name, capabilities: websocket({ url: 'ws://x' }).capabilities, open: () => ({ subscribe() {}, unsubscribe() {}, publish() {}, close() {} }) };
  };
  const factories: TransportFactories = { websocket: make('websocket'), sse: make('sse'), polling: make('polling'), pusher: make('pusher'), ably: make('ably'), 'socket.io': make('socket.io') };
  return { calls, factories };
}

describe('transportFromEnv', () => {
  it('builds the native transports from the real factories', () => {
    const factories = { websocket, sse, polling };
    expect(transportFromEnv({ transport: 'websocket', url: 'ws://localhost:3001/realtime' }, factories).name).toBe('websocket');
    expect(transportFromEnv({ transport: 'sse', url: '/api/realtime' }, factories).name).toBe('sse');
    expect(transportFromEnv({ transport: 'polling', url: '/api/realtime', intervalMs: '2000' }, factories).name).toBe('polling');
    expect(transportFromEnv({ url: 'ws://x' }, factories).name).toBe('websocket'); // the default
  });

  it('maps the variables onto each transport’s options', () => {
    const { calls, factories } = recording();
    const env = { url: '/api/realtime', authEndpoint: '/api/realtime/auth', publishUrl: '/api/publish', key: 'app-key', cluster: 'eu', host: '127.0.0.1', port: '6001', tls: 'false', intervalMs: '1500' };
    for (const transport of ['websocket', 'sse', 'polling', 'pusher', 'ably', 'socket.io']) transportFromEnv({ ...env, transport }, factories);
    expect(Object.fromEntries(calls)).toEqual({
      websocket: { url: '/api/realtime', auth: { endpoint: '/api/realtime/auth' } },
      sse: { url: '/api/realtime', publishUrl: '/api/publish', auth: { endpoint: '/api/realtime/auth' } },
      polling: { url: '/api/realtime', intervalMs: 1500, auth: { endpoint: '/api/realtime/auth' } },
      pusher: { key: 'app-key', cluster: 'eu', wsHost: '127.0.0.1', wsPort: 6001, forceTLS: false, authEndpoint: '/api/realtime/auth', publishUrl: '/api/publish' },
      ably: { authUrl: '/api/realtime/auth', endpoint: '127.0.0.1', port: 6001, tls: false },
      'socket.io': { url: '/api/realtime', auth: { endpoint: '/api/realtime/auth' } },
    });
  });

  it('explains an unknown transport, a factory not passed, and a missing setting', () => {
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return null;
    };
    const unknown = attempt(() => transportFromEnv({ transport: 'carrier-pigeon', url: 'x' }, { websocket }));
    expect(isRealtimeError(unknown, 'CAPABILITY_MISSING')).toBe(true);
    expect((unknown as Error).message).toMatch(/Unknown transport "carrier-pigeon".*websocket, sse, polling, pusher, ably, socket.io/);
    const notPassed = attempt(() => transportFromEnv({ transport: 'pusher', key: 'k' }, { websocket }));
    expect((notPassed as Error).message).toMatch(/no pusher factory.*"@switchboard\/pusher"/);
    const noUrl = attempt(() => transportFromEnv({ transport: 'sse' }, { sse }));
    expect((noUrl as Error).message).toContain(ENV_NAMES.url);
  });

  it('refuses an Ably API key (it holds its secret) in a public variable', () => {
    const { factories } = recording();
    expect(() => transportFromEnv({ transport: 'ably', key: 'appid.keyid:keysecret' }, factories)).toThrow(/Ably API key/);
  });
});

describe('readTransportEnv', () => {
  it('reads NEXT_PUBLIC_SWITCHBOARD_* and ignores the rest', () => {
    expect(
      readTransportEnv({
        NEXT_PUBLIC_SWITCHBOARD_TRANSPORT: 'pusher',
        NEXT_PUBLIC_SWITCHBOARD_KEY: 'app-key',
        NEXT_PUBLIC_SWITCHBOARD_CLUSTER: 'eu',
        NEXT_PUBLIC_SWITCHBOARD_URL: '',
        SWITCHBOARD_SECRET: 'server-only is fine',
        PATH: '/usr/bin',
      }),
    ).toEqual({ transport: 'pusher', key: 'app-key', cluster: 'eu' });
  });

  it('refuses a secret in a NEXT_PUBLIC_ variable', () => {
    expect(() => readTransportEnv({ NEXT_PUBLIC_PUSHER_SECRET: 's3cr3t' })).toThrow(/NEXT_PUBLIC_PUSHER_SECRET looks like a secret/);
    expect(() => readTransportEnv({ NEXT_PUBLIC_ABLY_API_KEY: 'a.b:c' })).toThrow(/looks like a secret/);
  });
});
