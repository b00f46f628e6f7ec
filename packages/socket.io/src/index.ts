/**
 * `@switchboard/socket.io`: the switchboard transport over socket.io-client 4.8 (a peer dependency).
 * Pair it with `@switchboard/socket.io/server` on your socket.io `Server`.
 *
 * @example
 * import { createClient } from '@switchboard/core';
 * import { socketIO } from '@switchboard/socket.io';
 *
 * const client = createClient({ transport: socketIO({ url: 'https://realtime.example.com' }) });
 * client.channel('room:42').subscribe((message) => console.log(message.event, message.data));
 */
export { SOCKET_IO_CAPABILITIES, socketIO, type SocketIOTransportOptions } from './transport.js';
export type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer, ChannelAuthRequest } from './channel-auth.js';
export { STATUS_MAPPING, STOP_CODE, renderStatusMappingMarkdown, type StatusMappingRow } from './disconnects.js';
