import type { IncomingMessage } from 'node:http';
import { HEADERS, QUERY, isValidChannelName, type WireLimits } from '@switchboard/core/protocol';

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(headers: Headers): string | undefined {
  const value = headers.get('authorization');
  const match = value ? /^Bearer\s+(.+)$/i.exec(value.trim()) : null;
  return match?.[1];
}

/** Channel signatures sent by the client in `x-switchboard-auth`. Malformed → none. */
export function channelAuthHeader(headers: Headers): Map<string, { auth?: string; channelData?: string }> {
  const out = new Map<string, { auth?: string; channelData?: string }>();
  const raw = headers.get(HEADERS.channelAuth);
  if (!raw || raw.length > 64 * 1024) return out;
  try {
    const parsed: unknown = JSON.parse(decodeURIComponent(raw));
    if (typeof parsed !== 'object' || parsed === null) return out;
    for (const [channel, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'object' || value === null) continue;
      const { auth, channelData } = value as { auth?: unknown; channelData?: unknown };
      out.set(channel, {
        ...(typeof auth === 'string' ? { auth } : {}),
        ...(typeof channelData === 'string' ? { channelData } : {}),
      });
    }
  } catch {
    // malformed header: the private channels of this request are refused one by one
  }
  return out;
}

/** One requested channel of an SSE stream or poll, at its position in the query. */
export interface RequestedChannel {
  readonly index: number;
  readonly channel: string;
  /** Why it will not be served, if so. */
  readonly refused?: { readonly code: 'CHANNEL_REFUSED' | 'BAD_FRAME'; readonly message: string };
}

/** The `channel` query parameters, in order, each either served or refused with a reason. */
export function requestedChannels(url: URL, limits: WireLimits): RequestedChannel[] {
  const raw = url.searchParams.getAll(QUERY.channel);
  const seen = new Set<string>();
  let served = 0;
  return raw.map((channel, index) => {
    if (!isValidChannelName(channel)) return { index, channel: String(channel).slice(0, 200), refused: { code: 'BAD_FRAME', message: 'Invalid channel name.' } };
    if (seen.has(channel)) return { index, channel, refused: { code: 'CHANNEL_REFUSED', message: 'Channel listed twice.' } };
    seen.add(channel);
    if (++served > limits.maxChannels) return { index, channel, refused: { code: 'CHANNEL_REFUSED', message: `At most ${limits.maxChannels} channels per request.` } };
    return { index, channel };
  });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

/** The HTTP status and body for a refused `authenticate`. */
export function authFailure(code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'SERVER_ERROR'): Response {
  const status = code === 'UNAUTHORIZED' ? 401 : code === 'FORBIDDEN' ? 403 : 500;
  return json(status, { type: 'error', code, message: code === 'SERVER_ERROR' ? 'Authentication failed.' : 'Authentication refused.' });
}

/** Reads a request body as text, refusing more than `maxBytes`. `null` when too large. */
export async function readBody(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Web `Headers` from a Node request. */
export function nodeHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}
