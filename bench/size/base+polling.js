// The base plus the HTTP polling transport.
export * from './base.js';
export { polling } from '@switchboard/core/polling';
