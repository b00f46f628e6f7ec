/**
 * Every error switchboard reports is a `RealtimeError` with a stable `code`.
 * Codes never change meaning between versions; messages may be reworded.
 * The table of codes lives in docs/errors.md (checked against `ERROR_CODES` by a test); the
 * descriptions are kept out of this module so apps do not ship them.
 */
/** Every stable error code. What each means is in `ERROR_CODES` (error-docs.ts) and docs/errors.md. */
export const REALTIME_ERROR_CODES = [
  'CLOSED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'AUTH_ERROR',
  'CONNECTION_REFUSED',
  'CONNECTION_LOST',
  'HEARTBEAT_TIMEOUT',
  'BAD_CONTENT_TYPE',
  'PROTOCOL_ERROR',
  'BAD_FRAME',
  'FRAME_TOO_LARGE',
  'UNKNOWN_FRAME',
  'UNKNOWN_CHANNEL',
  'INVALID_PAYLOAD',
  'QUEUE_FULL',
  'TIMEOUT',
  'SUSPENDED',
  'PUBLISH_REJECTED',
  'CHANNEL_REFUSED',
  'CAPABILITY_MISSING',
  'RATE_LIMITED',
  'STORAGE_ERROR',
  'HANDLER_ERROR',
  'SERVER_ERROR',
  'NO_PROVIDER',
] as const;

export type RealtimeErrorCode = (typeof REALTIME_ERROR_CODES)[number];

/** `CONNECTION_LOST` → "Connection lost": the message when none is given. */
function defaultMessage(code: RealtimeErrorCode): string {
  return code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');
}

/** Structured context attached to an error; every field is optional. */
export interface RealtimeErrorDetails {
  /** WebSocket (or application) close code that caused the error. */
  closeCode?: number;
  /** HTTP status that caused the error. */
  status?: number;
  channel?: string;
  event?: string;
  /** Client id of the outbox message concerned. */
  messageId?: string;
  /** Name of the transport that reported it. */
  transport?: string;
  /** Free-form extra context (issues found by a schema, a limit, …). */
  [key: string]: unknown;
}

export interface RealtimeErrorOptions {
  cause?: unknown;
  details?: RealtimeErrorDetails;
}

const DOCS_BASE = 'https://github.com/switchboard-dev/switchboard/blob/main/docs/errors.md';

export class RealtimeError extends Error {
  override name = 'RealtimeError';
  readonly code: RealtimeErrorCode;
  readonly details: RealtimeErrorDetails;

  constructor(code: RealtimeErrorCode, message?: string, options: RealtimeErrorOptions = {}) {
    super(message ?? defaultMessage(code), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Link to the documentation of this code. */
  get docsUrl(): string {
    return `${DOCS_BASE}#${this.code.toLowerCase()}`;
  }

  toJSON(): { name: string; code: RealtimeErrorCode; message: string; details: RealtimeErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** The outbox is full: the message was not queued. */
export class QueueFullError extends RealtimeError {
  override name = 'QueueFullError';
  constructor(message?: string, options?: RealtimeErrorOptions) {
    super('QUEUE_FULL', message, options);
  }
}

/** A message was not acknowledged within its time to live. */
export class TimeoutError extends RealtimeError {
  override name = 'TimeoutError';
  constructor(message?: string, options?: RealtimeErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

export function isRealtimeError(value: unknown, code?: RealtimeErrorCode): value is RealtimeError {
  return value instanceof RealtimeError && (code === undefined || value.code === code);
}

/** Wraps anything thrown into a `RealtimeError` (kept as `cause`), leaving `RealtimeError`s untouched. */
export function toRealtimeError(value: unknown, code: RealtimeErrorCode, details?: RealtimeErrorDetails): RealtimeError {
  if (value instanceof RealtimeError) return value;
  const message = value instanceof Error ? value.message : undefined;
  return new RealtimeError(code, message || undefined, { cause: value, details });
}
