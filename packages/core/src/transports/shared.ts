import { RealtimeError } from '../errors.js';
import { frameError, type MessageFrame, type PresenceChangeFrame, type PresenceSyncFrame } from '../protocol/index.js';
import type { Message, PresenceEvent, TransportHandler } from '../transport.js';

/**
 * What the client's auth provider may return, as the native transports read it: a string is a bearer
 * token (`Authorization: Bearer …` over HTTP, `hello.token` over WebSocket); an object may carry a
 * `token` and extra HTTP `headers`.
 */
export type NativeCredentials = string | { readonly token?: string; readonly headers?: Readonly<Record<string, string>> } | undefined | null;

export function tokenOf(credentials: unknown): string | undefined {
  if (typeof credentials === 'string') return credentials;
  if (typeof credentials === 'object' && credentials !== null) {
    const token = (credentials as { token?: unknown }).token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/** Headers to send with every HTTP request of a connection attempt. */
export type HeadersOption = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);

export async function requestHeaders(option: HeadersOption | undefined, credentials: unknown): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extra = typeof option === 'function' ? await option() : option;
  if (extra) Object.assign(out, extra);
  if (typeof credentials === 'object' && credentials !== null) {
    const headers = (credentials as { headers?: unknown }).headers;
    if (typeof headers === 'object' && headers !== null) {
      for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') out[k] = v;
    }
  }
  const token = tokenOf(credentials);
  if (token !== undefined) out.authorization = `Bearer ${token}`;
  return out;
}

export function resolveUrl(url: string | (() => string)): string {
  return typeof url === 'function' ? url() : url;
}

/**
 * `fetch` as a plain function. Browsers throw "Illegal invocation" when `window.fetch` is called as a
 * method of another object (`options.fetch(…)`, `this.fetch(…)`); Node does not, so only a real
 * browser notices. Resolved at call time, so a `fetch` patched later (tests, polyfills) is used.
 */
export function fetcher(custom: typeof fetch | undefined): typeof fetch {
  return (input, init) => (custom ?? globalThis.fetch)(input, init);
}

/** Appends query parameters to a (possibly relative) URL. */
export function withQuery(url: string, params: URLSearchParams): string {
  const query = params.toString();
  if (query === '') return url;
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

/** A core `Message` from a `message` frame: the server offset is both the dedup id and the cursor. */
export function toMessage(frame: MessageFrame): Message {
  // Hot path: optional fields assigned only when present, no spread of temporary objects.
  const message: { -readonly [K in keyof Message]: Message[K] } = { channel: frame.channel, event: frame.event, data: frame.data, id: frame.offset, cursor: frame.offset };
  if (frame.clientMessageId !== undefined) message.clientMessageId = frame.clientMessageId;
  if (frame.ts !== undefined) message.timestamp = frame.ts;
  return message;
}

export function toPresenceEvent(frame: PresenceSyncFrame | PresenceChangeFrame): PresenceEvent {
  return frame.action === 'sync' ? { action: 'sync', members: frame.members } : { action: frame.action, member: frame.member };
}

/** Reports an error without letting a throwing handler escape into the transport's event loop. */
export function report(handler: TransportHandler, error: RealtimeError): void {
  handler.error(error);
}

export function invalidChannel(channel: string, transport: string): RealtimeError {
  return new RealtimeError('CHANNEL_REFUSED', `"${channel.slice(0, 60)}" is not a valid channel name (1-200 printable ASCII characters, no spaces).`, {
    details: { channel, transport },
  });
}

export { frameError };
