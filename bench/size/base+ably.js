// The base plus the Ably adapter (ably, its peer dependency, is imported by the adapter).
export * from './base.js';
export { ably } from '@switchboard/ably';
