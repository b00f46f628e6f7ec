/**
 * Signatures for `private-*` / `presence-*` channels, fetched by the client for its socket id: from an
 * endpoint (Pusher's form `socket_id` + `channel_name`, answering `{ auth, channel_data? }`, which the
 * server kit's `createAuthHandler` serves) or from a function — the native transports' option and
 * cache, from the core. The secret stays on the server; the browser only ever sees signatures.
 */
export { ChannelAuthCache } from '@switchboard/core/websocket';
export type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer, ChannelAuthRequest } from '@switchboard/core/websocket';
