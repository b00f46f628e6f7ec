/**
 * Every error switchboard reports is a `RealtimeError` with a stable `code`.
 * Codes never change meaning between versions; messages may be reworded.
 * The table of codes lives in docs/errors.md (checked against `ERROR_CODES` by a test).
 */
export const ERROR_CODES = {
  CLOSED: 'The client was closed or destroyed before the operation completed.',
  UNAUTHORIZED: 'The server or the auth provider refused the credentials (after one refresh).',
  FORBIDDEN: 'The server refused the connection for good (HTTP 4xx or close code 4000-4099).',
  AUTH_ERROR: 'The auth provider failed for a transient reason; the client retries.',
  CONNECTION_REFUSED: 'The connection was refused with a fatal close code or HTTP status.',
  CONNECTION_LOST: 'The connection dropped or could not be opened; the client retries.',
  HEARTBEAT_TIMEOUT: 'No frame arrived within the heartbeat deadline (half-open connection).',
  BAD_CONTENT_TYPE: 'The event stream answered with a content type other than text/event-stream.',
  PROTOCOL_ERROR: 'The peer violated the protocol (bad handshake, unsupported version).',
  BAD_FRAME: 'A frame from the wire could not be parsed.',
  FRAME_TOO_LARGE: 'A frame or message exceeded the size limit.',
  UNKNOWN_FRAME: 'A frame of an unknown type arrived.',
  UNKNOWN_CHANNEL: 'A message arrived for a channel this client is not subscribed to.',
  INVALID_PAYLOAD: 'A payload failed schema validation or is not serialisable.',
  QUEUE_FULL: 'The outbox is full (message count or byte limit).',
  TIMEOUT: 'A message was not acknowledged within its time to live.',
  SUSPENDED: 'The client has been disconnected too long; sends fail fast until it reconnects.',
  PUBLISH_REJECTED: 'The server rejected a published message (nack).',
  CHANNEL_REFUSED: 'The server refused a channel subscription.',
  CAPABILITY_MISSING: 'The transport does not offer what this operation needs.',
  RATE_LIMITED: 'The server limited the rate of messages or connections.',
  STORAGE_ERROR: 'The outbox storage failed to read or write.',
  HANDLER_ERROR: 'A listener passed to switchboard threw.',
  SERVER_ERROR: 'The server reported an error.',
  NO_PROVIDER: 'A hook was used outside <RealtimeProvider>.',
} as const;

export type RealtimeErrorCode = keyof typeof ERROR_CODES;

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
    super(message ?? ERROR_CODES[code], options.cause === undefined ? undefined : { cause: options.cause });
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
