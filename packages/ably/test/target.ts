import type { ConformanceTarget } from '@switchboard/conformance';
import { mintAblyToken, startAblyPeer } from '@switchboard/conformance/peers/ably';
import { ably, type AblyTransportOptions } from '../src/index.js';

/** A token the peer accepts for every conformance client (they share the client id, not the connection). */
export const GOOD_TOKEN = mintAblyToken({ clientId: 'conformance' });

/** ably-js's own timeouts, shortened for tests the way `TEST_BACKOFF` shortens the core's. */
export const FAST_REQUEST_TIMEOUT_MS = 1000;

/** Options that point ably-js at a local peer (through `port`), with nothing reaching beyond 127.0.0.1. */
export function localOptions(port: number, extra: AblyTransportOptions = {}): AblyTransportOptions {
  return {
    endpoint: '127.0.0.1',
    port,
    tls: false,
    useBinaryProtocol: false,
    transports: ['web_socket'],
    disconnectedRetryTimeout: 300,
    suspendedRetryTimeout: 1000,
    realtimeRequestTimeout: 5000,
    ...extra,
    clientOptions: {
      // ably-js checks connectivity when an attempt is slow: ask the peer, never the internet.
      connectivityCheckUrl: `http://127.0.0.1:${port}/is-the-internet-up.txt`,
      wsConnectivityCheckUrl: `ws://127.0.0.1:${port}/`,
      ...extra.clientOptions,
    },
  };
}

export const ablyTarget: ConformanceTarget = {
  name: 'ably',
  startPeer: (options) => startAblyPeer({ ...options, refuseChannel: (channel) => channel.includes('denied') }),
  createTransport: (port, options) =>
    ably(
      localOptions(port, {
        ...(options.fastTimeouts ? { realtimeRequestTimeout: FAST_REQUEST_TIMEOUT_MS } : {}),
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      }),
    ),
  refusedToken: { token: 'refused-token', code: 'UNAUTHORIZED' },
  goodToken: GOOD_TOKEN,
  // ably-js's own idle timer: the server's heartbeat interval + realtimeRequestTimeout (+100 ms).
  liveness: (heartbeatMs) => ({ code: 'CONNECTION_LOST', deadlineMs: heartbeatMs + FAST_REQUEST_TIMEOUT_MS + 100 }),
  privateChannels: { allowed: 'private-room', refused: 'private-denied' },
};
