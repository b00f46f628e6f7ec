import { RealtimeError, type RealtimeErrorCode, type RealtimeErrorDetails } from '@switchboard/core';

/** The fields of Ably's `ErrorInfo` this package reads (ably-js errors, or errors from the wire). */
export interface AblyErrorLike {
  readonly code?: number;
  readonly statusCode?: number;
  readonly message?: string;
}

export const TRANSPORT = 'ably';

export function asErrorInfo(value: unknown): AblyErrorLike {
  if (typeof value !== 'object' || value === null) return {};
  const { code, statusCode, message } = value as { code?: unknown; statusCode?: unknown; message?: unknown };
  return {
    ...(typeof code === 'number' ? { code } : {}),
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** Ably's token errors (40140–40149): expired, revoked, unrecognised… — a fresh token may fix them. */
export function isTokenError(value: unknown): boolean {
  const { code } = asErrorInfo(value);
  return code !== undefined && code >= 40140 && code < 40150;
}

/** `80019`: ably-js could not get a token from the configured auth callback / URL. */
export function isAuthProviderError(value: unknown): boolean {
  return asErrorInfo(value).code === 80019;
}

export function describe(value: unknown): string {
  const { code, message } = asErrorInfo(value);
  return `${message ?? 'unknown error'}${code === undefined ? '' : ` (Ably ${code})`}`;
}

/** The stable code for an Ably error reported about one operation (publish nack, presence, attach). */
function codeFor(value: unknown, fallback: RealtimeErrorCode): RealtimeErrorCode {
  const { code, statusCode } = asErrorInfo(value);
  if (code === 40009) return 'FRAME_TOO_LARGE';
  if (code === 40012) return 'CAPABILITY_MISSING';
  if (code === 40013) return 'INVALID_PAYLOAD';
  if (statusCode === 429 || (code !== undefined && code >= 42900 && code < 43000)) return 'RATE_LIMITED';
  if (code !== undefined && code >= 50000 && code < 60000) return 'SERVER_ERROR';
  return fallback;
}

/** Wraps an ably-js error in a `RealtimeError`, keeping Ably's own code and status in `details`. */
export function fromAblyError(value: unknown, fallback: RealtimeErrorCode, details: RealtimeErrorDetails = {}): RealtimeError {
  const info = asErrorInfo(value);
  const code = codeFor(value, fallback);
  const extra = code === 'CAPABILITY_MISSING' ? ' Ably presence needs a clientId: mint tokens with a clientId, or set `clientId`.' : '';
  return new RealtimeError(code, `${describe(value)}${extra}`, {
    cause: value,
    details: {
      transport: TRANSPORT,
      ...(info.code === undefined ? {} : { ablyCode: info.code }),
      ...(info.statusCode === undefined ? {} : { status: info.statusCode }),
      ...details,
    },
  });
}

/** Ably's request errors (4xxxx) and server errors (5xxxx): a NACK or a client-side check, never a lost connection. */
export function isRefusal(value: unknown): boolean {
  const { code } = asErrorInfo(value);
  return code !== undefined && code >= 40000 && code < 60000;
}

/** ably-js reports frames it cannot use only in its log; these lines become error events. */
export function fromLogLine(line: string): RealtimeError | null {
  if (line.includes('WebSocketTransport.onWsData()') && line.includes('Unexpected exception')) {
    const detail = /Unexpected exception handing channel message: ([^\n]*)/.exec(line)?.[1] ?? 'unparsable frame';
    return new RealtimeError('BAD_FRAME', `A frame from Ably could not be parsed: ${detail}`, { details: { transport: TRANSPORT } });
  }
  const unknownAction = /unrecognised message action \((\d+)\)/.exec(line) ?? /received event unspecified channel, action = (\d+)/.exec(line);
  if (unknownAction) {
    return new RealtimeError('UNKNOWN_FRAME', `Ably sent a protocol message with an unknown action (${unknownAction[1]}).`, {
      details: { transport: TRANSPORT, action: Number(unknownAction[1]) },
    });
  }
  const unknownChannel = /received event for non-existent channel: (.*)$/.exec(line);
  if (unknownChannel) {
    const channel = unknownChannel[1] ?? '';
    return new RealtimeError('UNKNOWN_CHANNEL', `Ably sent an event for "${channel}", which this client never used.`, { details: { transport: TRANSPORT, channel } });
  }
  return null;
}
