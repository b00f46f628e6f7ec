import { PROTOCOL_VERSION, decodeClientFrame, utf8Length, type HttpOpsResponse } from '@switchboard/core/protocol';
import { isValidSessionId, safeEqual } from '../auth.js';
import type { Hub } from '../hub.js';
import type { BucketMap } from '../rate-limit.js';
import { authFailure, bearerToken, json, readBody } from './request.js';

export interface OpsOptions {
  /** Largest request body. Default 4 × `maxFrameBytes`. */
  maxBodyBytes?: number;
  /** Most operations in one request. Default 100. */
  maxOps?: number;
}

type Result = HttpOpsResponse['results'][number];

/**
 * `POST`: publishes and presence operations, processed in order; one result per op. A bearer token
 * equal to the server secret makes it a server-to-server request (publish anywhere, no session).
 */
export async function handleOps(hub: Hub, request: Request, buckets: BucketMap, options: OpsOptions, ip: string | null = null): Promise<Response> {
  const maxBody = options.maxBodyBytes ?? hub.limits.maxFrameBytes * 4;
  const text = await readBody(request, maxBody);
  if (text === null) {
    hub.metrics.dropped('too_large');
    return json(413, { type: 'error', code: 'FRAME_TOO_LARGE', message: `Request bodies are limited to ${maxBody} bytes.` });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return json(400, { type: 'error', code: 'BAD_FRAME', message: 'The body is not valid JSON.' });
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { ops?: unknown }).ops)) {
    return json(400, { type: 'error', code: 'BAD_FRAME', message: 'The body must be { v, session?, ops: [...] }.' });
  }
  const { v, session: rawSession, ops } = body as { v?: unknown; session?: unknown; ops: unknown[] };
  if (v !== PROTOCOL_VERSION) return json(400, { type: 'error', code: 'PROTOCOL_ERROR', message: `Unsupported protocol version ${String(v)}.` });
  const maxOps = options.maxOps ?? 100;
  if (ops.length > maxOps) return json(413, { type: 'error', code: 'FRAME_TOO_LARGE', message: `At most ${maxOps} operations per request.` });

  const token = bearerToken(request.headers);
  const secret = hub.secret;
  const server = secret !== undefined && token !== undefined && safeEqual(token, secret);
  let identity = {};
  if (!server) {
    const auth = await hub.authenticate({ token, headers: request.headers, transport: 'http' });
    if (!auth.ok) return authFailure(auth.code);
    identity = auth.identity;
  }
  const session = isValidSessionId(rawSession, secret) ? rawSession : null;
  // Without a session, requests share a rate limit per address (or, address unknown, one for all).
  const caller = hub.httpCaller({ session, identity, server, bucket: server ? null : buckets.get(session ?? `ip:${ip ?? 'anonymous'}`) });

  const results: Result[] = [];
  const max = hub.limits.maxFrameBytes;
  for (const op of ops) {
    if (utf8Length(JSON.stringify(op) ?? '') > max) {
      const id = (op as { id?: unknown } | null)?.id;
      const message = `Frames are limited to ${max} bytes.`;
      results.push(typeof id === 'string' ? { type: 'nack', id, code: 'FRAME_TOO_LARGE', message } : { type: 'error', code: 'FRAME_TOO_LARGE', message });
      continue;
    }
    const decoded = decodeClientFrame(op);
    if (!decoded.ok) {
      results.push({ type: 'error', code: decoded.error.code, message: decoded.error.message });
      continue;
    }
    const frame = decoded.frame;
    if (frame.type === 'publish') {
      results.push((await hub.publishFrom(caller, frame)) ?? { type: 'ok' });
    } else if (frame.type === 'presence') {
      results.push(await hub.presenceFrom(caller, frame));
    } else {
      results.push({ type: 'error', code: 'UNKNOWN_FRAME', message: `"${frame.type}" is not an HTTP operation.` });
    }
  }
  for (const result of results) hub.countFrame(result);
  const response: HttpOpsResponse = { v: PROTOCOL_VERSION, results };
  return json(200, response);
}
