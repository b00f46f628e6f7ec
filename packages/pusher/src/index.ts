/**
 * `@switchboard/pusher`: the switchboard transport over pusher-js, so components written against
 * `useChannel`/`usePresence` run unchanged on Pusher Channels.
 *
 * @example
 * import { createClient } from '@switchboard/core';
 * import { pusher } from '@switchboard/pusher';
 *
 * const client = createClient({ transport: pusher({ key: 'app-key', cluster: 'eu', authEndpoint: '/api/pusher/auth' }) });
 */
export { pusher } from './transport.js';
export type { PusherTransportOptions } from './options.js';
export type { ChannelAuthorizer, ChannelAuthRequest } from './auth.js';
export type { HeadersOption } from './http.js';
export type { ChannelAuthData, PusherConstructor } from './sdk.js';
export { PRESENCE_EVENT } from './presence.js';
export { STATUS_MAPPING, renderStatusMappingMarkdown, type StatusMappingRow } from './status.js';
