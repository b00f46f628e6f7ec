// The base plus the socket.io adapter (socket.io-client, its peer dependency, is imported by the adapter).
export * from './base.js';
export { socketIO } from '@switchboard/socket.io';
