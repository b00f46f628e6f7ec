// ably/react with the ably client: provider, channel provider, channel and connection-state hooks.
export { AblyProvider, ChannelProvider, useChannel, useConnectionStateListener } from 'ably/react';
export { Realtime } from 'ably';
