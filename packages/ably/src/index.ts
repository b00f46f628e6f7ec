/**
 * `@switchboard/ably`: the switchboard transport over ably-js. The same `useChannel` / `usePresence`
 * code runs on Ably; tokens come from your server, never the API key.
 *
 * @example
 * import { createClient } from '@switchboard/core';
 * import { ably } from '@switchboard/ably';
 *
 * const client = createClient({ transport: ably({ authUrl: '/api/ably-token' }) });
 */
import type { Transport, TransportCapabilities } from '@switchboard/core';
import { AblyConnection, type TransportMemory } from './connection.js';
import type { AblyTransportOptions } from './options.js';

export type { AblyToken, AblyTokenCallback, AblyTransportOptions, OwnedClientOption } from './options.js';
export { STATUS_MAPPING, renderStatusMappingMarkdown, type StatusMappingRow } from './status.js';

/**
 * What the Ably transport offers: native publish with acks (at-least-once, deduplicated by message id),
 * presence, resume (ably-js connection resume and channel serials). ably-js retries dropped
 * connections itself, so the core only waits for it (`retries: 'sdk'`).
 */
export const ABLY_CAPABILITIES: TransportCapabilities = Object.freeze({
  publish: 'native',
  acks: true,
  presence: true,
  resume: true,
  clientEvents: false,
  retries: 'sdk',
  serverless: true,
  auth: 'Ably tokens (authUrl / authCallback); no API key in the browser',
});

/**
 * Creates the Ably transport. Nothing connects until the client needs it. Use one transport per client:
 * it remembers the last connection to recover it after a token refresh.
 *
 * @example
 * // Browser: tokens from your route handler (see `@switchboard/ably/server`).
 * const transport = ably({ authUrl: '/api/ably-token' });
 *
 * @example
 * // Or the client's auth provider returns the token (string, TokenDetails or TokenRequest).
 * const client = createClient({
 *   transport: ably(),
 *   auth: async () => (await fetch('/api/ably-token')).json(),
 * });
 */
export function ably(options: AblyTransportOptions = {}): Transport {
  const memory: TransportMemory = { recoverKey: null, live: null };
  return {
    name: 'ably',
    capabilities: ABLY_CAPABILITIES,
    open: (handler, context) => new AblyConnection(options, memory, handler, context),
  };
}
