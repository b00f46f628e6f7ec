// The base plus the Pusher adapter (pusher-js, its peer dependency, is loaded on the first connection).
export * from './base.js';
export { pusher } from '@switchboard/pusher';
