import { RealtimeError, type Disconnect } from '@switchboard/core';
import { post, type RequestSettings } from './http.js';
import type { ChannelAuthData, UserAuthData } from './sdk.js';

/** What a custom channel authorizer is asked. */
export interface ChannelAuthRequest {
  /** Pusher's `socket_id` of the connection the signature is for. */
  readonly socketId: string;
  readonly channel: string;
}

/**
 * Signs a `private-*`/`presence-*` subscription, e.g. through a server action. Resolve with what Pusher's
 * server libraries return (`{ auth, channel_data? }`); reject with a `RealtimeError('UNAUTHORIZED')` to refuse.
 */
export type ChannelAuthorizer = (request: ChannelAuthRequest) => Promise<ChannelAuthData>;

interface AuthContext {
  readonly transport: string;
  readonly settings: RequestSettings;
  readonly credentials: unknown;
  readonly signal: AbortSignal;
}

/**
 * Gets a channel signature from the auth endpoint (Pusher's form `socket_id` + `channel_name`, answered
 * with `{ auth, channel_data? }`) or the custom authorizer. Failures are typed: 401/403 → `UNAUTHORIZED`;
 * unreachable, other statuses, a body that is not JSON or has no `auth` → `AUTH_ERROR` (with `status`).
 */
export async function authorizeChannel(
  source: { readonly endpoint?: string | undefined; readonly authorize?: ChannelAuthorizer | undefined },
  request: ChannelAuthRequest,
  context: AuthContext,
  needsChannelData: boolean,
): Promise<ChannelAuthData> {
  const { channel } = request;
  const details = { channel, transport: context.transport };
  let answer: unknown;
  if (source.authorize) {
    try {
      answer = await source.authorize(request);
    } catch (error) {
      if (error instanceof RealtimeError) throw error;
      throw new RealtimeError('AUTH_ERROR', `The channel authorizer failed for ${channel}.`, { cause: error, details });
    }
  } else if (source.endpoint !== undefined) {
    let response;
    try {
      response = await post(source.endpoint, new URLSearchParams({ socket_id: request.socketId, channel_name: channel }), context.settings, context.credentials, context.signal);
    } catch (cause) {
      throw new RealtimeError('AUTH_ERROR', `The channel auth endpoint could not be reached for ${channel}.`, { cause, details });
    }
    if (!response.ok) {
      const code = response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : 'AUTH_ERROR';
      throw new RealtimeError(code, `The channel auth endpoint answered ${response.status} for ${channel}.`, { details: { ...details, status: response.status } });
    }
    if (response.json === undefined) throw new RealtimeError('AUTH_ERROR', `The channel auth endpoint did not answer JSON for ${channel}.`, { details: { ...details, status: response.status } });
    answer = response.json;
  } else {
    throw new RealtimeError('UNAUTHORIZED', `${channel} needs a signature: pass \`authEndpoint\` (or \`authorize\`) to the ${context.transport} transport.`, { details });
  }
  const { auth, channel_data: channelData, shared_secret: sharedSecret } = (answer ?? {}) as { auth?: unknown; channel_data?: unknown; shared_secret?: unknown };
  if (typeof auth !== 'string' || auth === '') throw new RealtimeError('AUTH_ERROR', `The channel authorisation for ${channel} has no \`auth\` string.`, { details });
  if (channelData !== undefined && typeof channelData !== 'string') throw new RealtimeError('AUTH_ERROR', `\`channel_data\` for ${channel} must be a JSON string.`, { details });
  if (needsChannelData && channelData === undefined) {
    throw new RealtimeError('AUTH_ERROR', `The authorisation for ${channel} has no \`channel_data\` (with the member's user_id); return it, or sign users in with \`userAuthEndpoint\`.`, { details });
  }
  return { auth, ...(channelData === undefined ? {} : { channel_data: channelData }), ...(typeof sharedSecret === 'string' ? { shared_secret: sharedSecret } : {}) };
}

/** The outcome of Pusher user authentication: the signature, or why the attempt ends. */
export type UserAuthOutcome = { readonly ok: true; readonly data: UserAuthData } | { readonly ok: false; readonly disconnect: Disconnect };

/**
 * Pusher user authentication (sign-in): POSTs `socket_id` to the user-auth endpoint, expecting
 * `{ auth, user_data }`. A refusal is the connection's: 401 → re-authenticate once, then `failed`; other
 * statuses follow the fatal rules for HTTP; an answer without `auth`/`user_data` is a protocol error.
 */
export async function authenticateUser(endpoint: string, socketId: string, context: AuthContext): Promise<UserAuthOutcome> {
  let response;
  try {
    response = await post(endpoint, new URLSearchParams({ socket_id: socketId }), context.settings, context.credentials, context.signal);
  } catch (error) {
    return { ok: false, disconnect: { type: 'network', error: new RealtimeError('AUTH_ERROR', 'The user auth endpoint could not be reached.', { cause: error, details: { transport: context.transport } }) } };
  }
  if (!response.ok) {
    return {
      ok: false,
      disconnect: { type: 'http', status: response.status, reason: 'user auth endpoint', ...(response.retryAfterMs === undefined ? {} : { retryAfterMs: response.retryAfterMs }) },
    };
  }
  const { auth, user_data: userData } = (response.json ?? {}) as { auth?: unknown; user_data?: unknown };
  if (typeof auth !== 'string' || typeof userData !== 'string') {
    const what = response.json === undefined ? 'did not answer JSON' : 'answered without `auth` and `user_data` strings';
    return { ok: false, disconnect: { type: 'protocol', reason: `the user auth endpoint ${what}` } };
  }
  const id = userIdOf(userData);
  if (id === undefined) return { ok: false, disconnect: { type: 'protocol', reason: 'the user auth endpoint answered `user_data` without a string `id`' } };
  return { ok: true, data: { auth, user_data: userData } };
}

/** The `id` in Pusher's `user_data` JSON, if it is a non-empty string. */
export function userIdOf(userData: unknown): string | undefined {
  try {
    const parsed: unknown = typeof userData === 'string' ? JSON.parse(userData) : userData;
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The `user_id` signed into a presence channel's `channel_data`. */
export function presenceUserOf(channelData: string | undefined): string | undefined {
  if (channelData === undefined) return undefined;
  try {
    const id = (JSON.parse(channelData) as { user_id?: unknown }).user_id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}
