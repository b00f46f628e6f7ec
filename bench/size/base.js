// What an app imports to use switchboard over its own WebSocket server: the provider, the client,
// a channel and the connection status (react + core + websocket transport). Exported, so nothing a
// real app would use is tree-shaken away.
export { RealtimeProvider, createClient, useChannel, useConnectionStatus } from '@switchboard/react';
export { websocket } from '@switchboard/core/websocket';
