import { parseRetryAfter } from '@switchboard/core';

/** Extra headers for the auth, user-auth and publish requests: fixed, or read before each request. */
export type HeadersOption = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);

export interface RequestSettings {
  readonly headers: HeadersOption | undefined;
  readonly credentials: 'omit' | 'same-origin' | 'include';
  readonly timeoutMs: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly ok: boolean;
  /** Parsed JSON body; `undefined` when the body is not JSON. */
  readonly json: unknown;
  readonly retryAfterMs: number | undefined;
}

/** The bearer token in what the client's auth provider returned (a string, or `{ token }`). */
export function tokenOf(credentials: unknown): string | undefined {
  if (typeof credentials === 'string') return credentials;
  if (typeof credentials === 'object' && credentials !== null) {
    const token = (credentials as { token?: unknown }).token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/**
 * POSTs `body` (form-encoded for `URLSearchParams`, JSON otherwise) with the configured headers and the
 * bearer token of the attempt. Rejects only when no answer arrived (network, timeout, `signal`).
 */
export async function post(url: string, body: URLSearchParams | object, settings: RequestSettings, credentials: unknown, signal?: AbortSignal): Promise<HttpAnswer> {
  const extra = typeof settings.headers === 'function' ? await settings.headers() : settings.headers;
  const token = tokenOf(credentials);
  const form = body instanceof URLSearchParams;
  const signals = [signal, typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(settings.timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
  const response = await globalThis.fetch(url, {
    method: 'POST',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      accept: 'application/json',
      ...extra,
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: form ? body.toString() : JSON.stringify(body),
    credentials: settings.credentials,
    ...(signals.length === 0 ? {} : { signal: signals.length === 1 ? signals[0] : anySignal(signals) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, ok: response.ok, json, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()) };
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const s of signals) s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  return controller.signal;
}
