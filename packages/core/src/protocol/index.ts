/**
 * `@switchboard/core/protocol`: the native wire protocol (docs/protocol.md) — frame types, the
 * validating decoder, close codes, limits and cursor lists. One definition, imported by the client
 * transports and by `@switchboard/server`.
 *
 * @example
 * import { decodeServerFrame } from '@switchboard/core/protocol';
 *
 * const result = decodeServerFrame(text, { maxBytes: 128 * 1024 });
 * if (result.ok) handle(result.frame);
 * else report(result.error); // RealtimeError: BAD_FRAME, UNKNOWN_FRAME or FRAME_TOO_LARGE
 */
// Error codes are part of the wire protocol: the server reports them with the same class.
export { REALTIME_ERROR_CODES, RealtimeError, isRealtimeError, type RealtimeErrorCode } from '../errors.js';
export { ERROR_CODES } from '../error-docs.js';
export * from './frames.js';
export * from './constants.js';
export * from './cursors.js';
export {
  decodeClientFrame,
  decodeServerFrame,
  encodeFrame,
  frameError,
  isSupportedVersion,
  toErrorCode,
  utf8Length,
  type DecodeOptions,
  type DecodeResult,
} from './decode.js';
