import { RealtimeError, isRealtimeError } from '@switchboard/core';
import type { TokenParams } from 'ably';
import { TRANSPORT } from './errors.js';
import type { AblyToken, AblyTransportOptions } from './options.js';

/** Where a connection's tokens come from. `refreshable`: asking again may give a new token. */
export interface TokenSource {
  readonly refreshable: boolean;
  get(params: TokenParams): Promise<AblyToken>;
}

const authError = (message: string, details: Record<string, unknown> = {}, cause?: unknown) =>
  new RealtimeError('AUTH_ERROR', message, { cause, details: { transport: TRANSPORT, ...details } });

/** A token as the core's auth provider or a callback gave it, checked for a shape ably-js accepts. */
export function checkToken(value: unknown, from: string): AblyToken {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'object' && value !== null) {
    const candidate = value as { token?: unknown; keyName?: unknown; mac?: unknown; issued?: unknown };
    if (typeof candidate.keyName === 'string' && typeof candidate.mac === 'string') return value as AblyToken;
    if (typeof candidate.token === 'string' && candidate.token.length > 0) {
      // ably-js tells TokenDetails from a TokenRequest by `issued`; a `{ token, expires }` is TokenDetails too.
      return (typeof candidate.issued === 'number' ? value : { ...value, issued: Date.now() }) as AblyToken;
    }
  }
  throw new RealtimeError('UNAUTHORIZED', `${from} gave no Ably token (expected a token string, TokenDetails or a TokenRequest).`, {
    details: { transport: TRANSPORT },
  });
}

/**
 * The token source of a connection: the transport's `authCallback`, its `authUrl`, or else the
 * credentials the client's `auth` provider returned for this attempt (`null`: none of them).
 */
export function tokenSource(options: AblyTransportOptions, credentials: unknown): TokenSource | null {
  const callback = options.authCallback;
  if (callback) {
    return {
      refreshable: true,
      get: async (params) => {
        try {
          return checkToken(await callback(params), 'authCallback');
        } catch (error) {
          if (isRealtimeError(error)) throw error;
          throw authError(`authCallback failed: ${error instanceof Error ? error.message : String(error)}`, {}, error);
        }
      },
    };
  }
  if (options.authUrl !== undefined) {
    const url = options.authUrl;
    return { refreshable: true, get: (params) => fetchToken(url, options, params) };
  }
  if (credentials === undefined || credentials === null) return null;
  return { refreshable: false, get: async () => checkToken(credentials, 'The auth provider') };
}

async function fetchToken(authUrl: string, options: AblyTransportOptions, params: TokenParams): Promise<AblyToken> {
  const query = new URLSearchParams({ ...options.authParams, ...(params.clientId ? { clientId: params.clientId } : {}) });
  const post = options.authMethod === 'POST';
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const url = new URL(authUrl, base);
  if (!post) for (const [k, v] of query) url.searchParams.set(k, v);
  let response: Response;
  try {
    response = await fetch(url, {
      method: post ? 'POST' : 'GET',
      headers: { accept: 'application/json, application/jwt, text/plain', ...(post ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.authHeaders },
      ...(post ? { body: query.toString() } : {}),
      credentials: options.authCredentials ?? 'same-origin',
      // (`AbortSignal.timeout` is missing in older browsers: no timeout there rather than a failure.)
      ...(typeof AbortSignal.timeout === 'function' ? { signal: AbortSignal.timeout(options.authTimeoutMs ?? 10_000) } : {}),
    });
  } catch (cause) {
    throw authError(`The Ably token endpoint could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`, {}, cause);
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new RealtimeError('UNAUTHORIZED', `The Ably token endpoint answered ${response.status}.`, { details: { transport: TRANSPORT, status: response.status } });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw authError(`The Ably token endpoint answered ${response.status}.`, { status: response.status });
  }
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text().catch((cause: unknown) => {
    throw authError('The Ably token endpoint response could not be read.', {}, cause);
  });
  if (type.includes('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw authError('The Ably token endpoint did not answer valid JSON.', {}, cause);
    }
    try {
      return checkToken(body, 'The Ably token endpoint');
    } catch (cause) {
      throw authError('The Ably token endpoint answered JSON without a token (expected TokenDetails or a TokenRequest).', {}, cause);
    }
  }
  if (type.includes('text/plain') || type.includes('application/jwt')) {
    const token = text.trim();
    if (token === '' || token.startsWith('{')) throw authError('The Ably token endpoint answered an empty or JSON-looking token as text.');
    return token;
  }
  throw authError(`The Ably token endpoint answered an unusable content type (${type || 'none'}).`, { contentType: type || null });
}
