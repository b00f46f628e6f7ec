// The base plus the Server-Sent Events transport.
export * from './base.js';
export { sse } from '@switchboard/core/sse';
