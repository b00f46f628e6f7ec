/**
 * `@switchboard/ably/server`: signed Ably `TokenRequest`s for your token endpoint, so the API key never
 * leaves the server. Web Crypto only (Node 20+, edge runtimes, Next.js route handlers); no Ably SDK.
 *
 * @example
 * // app/api/ably-token/route.ts
 * import { createTokenHandler } from '@switchboard/ably/server';
 *
 * export const GET = createTokenHandler({
 *   apiKey: process.env.ABLY_API_KEY!,
 *   authorize: async (request) => {
 *     const user = await currentUser(request);
 *     return user ? { clientId: user.id, capability: { 'room:*': ['subscribe', 'publish', 'presence'] } } : null;
 *   },
 * });
 */

/** Ably capability: channel (or `namespace:*`, `*`) → operations (`subscribe`, `publish`, `presence`, `*`…). */
export type AblyCapability = Readonly<Record<string, readonly string[]>>;

export interface TokenRequestOptions {
  /** The API key, `appId.keyId:secret` (e.g. `process.env.ABLY_API_KEY`). Server side only. */
  apiKey: string;
  /** The client id the token is for (presence needs one). Absent: an anonymous token. */
  clientId?: string;
  /** What the token allows. Absent: everything the key allows. */
  capability?: AblyCapability;
  /** Token lifetime in ms. Absent: Ably's default (60 minutes). */
  ttlMs?: number;
}

/** A signed TokenRequest, as `authUrl` answers it (JSON) and ably-js exchanges it with Ably. */
export interface SignedTokenRequest {
  readonly keyName: string;
  readonly ttl?: number;
  readonly capability?: string;
  readonly clientId?: string;
  readonly timestamp: number;
  readonly nonce: string;
  readonly mac: string;
}

function subtle(): SubtleCrypto {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (!crypto?.subtle) throw new Error('@switchboard/ably/server needs Web Crypto (globalThis.crypto.subtle): Node 20+ or an edge runtime.');
  return crypto.subtle;
}

/** Ably's canonical capability text: resources sorted, operations sorted, as JSON. */
export function canonicalCapability(capability: AblyCapability): string {
  const sorted: Record<string, string[]> = {};
  for (const resource of Object.keys(capability).sort()) sorted[resource] = [...(capability[resource] ?? [])].sort();
  return JSON.stringify(sorted);
}

function base64(bytes: ArrayBuffer): string {
  let text = '';
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text);
}

function nonce(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Signs a TokenRequest with the API key: HMAC-SHA256 over key name, ttl, capability, client id,
 * timestamp and nonce (one per line), base64 — Ably's documented scheme.
 *
 * @example
 * const tokenRequest = await createTokenRequest({ apiKey: process.env.ABLY_API_KEY!, clientId: user.id });
 * return Response.json(tokenRequest);
 */
export async function createTokenRequest(options: TokenRequestOptions, at: { timestamp?: number; nonce?: string } = {}): Promise<SignedTokenRequest> {
  const [keyName, keySecret] = options.apiKey.split(':');
  if (!keyName || !keySecret) throw new TypeError('apiKey must be the full Ably API key, "appId.keyId:secret".');
  if (options.clientId === '') throw new TypeError('clientId cannot be empty: omit it for an anonymous token.');
  const capability = options.capability === undefined ? undefined : canonicalCapability(options.capability);
  const request = {
    keyName,
    ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
    ...(capability === undefined ? {} : { capability }),
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    timestamp: at.timestamp ?? Date.now(),
    nonce: at.nonce ?? nonce(),
  };
  const text = [request.keyName, request.ttl ?? '', request.capability ?? '', request.clientId ?? '', request.timestamp, request.nonce].join('\n') + '\n';
  const encoder = new TextEncoder();
  const key = await subtle().importKey('raw', encoder.encode(keySecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = base64(await subtle().sign('HMAC', key, encoder.encode(text)));
  return { ...request, mac };
}

/** Who may have a token, and for what: `null` refuses (401). */
export type TokenAuthorizer = (
  request: Request,
) => Promise<Pick<TokenRequestOptions, 'clientId' | 'capability' | 'ttlMs'> | null> | Pick<TokenRequestOptions, 'clientId' | 'capability' | 'ttlMs'> | null;

export interface TokenHandlerOptions {
  /** The API key, `appId.keyId:secret`. Server side only: never a `NEXT_PUBLIC_*` variable. */
  apiKey: string;
  /** Decides from the request (cookie, session) who the client is; `null` answers 401. */
  authorize: TokenAuthorizer;
}

const reply = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });

/**
 * A Web-standard `Request → Response` handler (a Next.js App Router `GET`/`POST`) answering a signed
 * TokenRequest as JSON — what `ably({ authUrl })` expects. 401 when `authorize` refuses; 500 (without
 * details) when it throws.
 *
 * @example
 * export const GET = createTokenHandler({ apiKey: process.env.ABLY_API_KEY!, authorize: () => ({ clientId: 'ann' }) });
 */
export function createTokenHandler(options: TokenHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    let grant: Awaited<ReturnType<TokenAuthorizer>>;
    try {
      grant = await options.authorize(request);
    } catch {
      return reply(500, { error: 'Could not authorize the token request.' });
    }
    if (!grant) return reply(401, { error: 'Not signed in.' });
    return reply(200, await createTokenRequest({ apiKey: options.apiKey, ...grant }));
  };
}
