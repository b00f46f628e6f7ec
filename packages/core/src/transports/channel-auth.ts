import { RealtimeError } from '../errors.js';

export interface ChannelAuthRequest {
  /** The session id from the server's `welcome` (Pusher's `socket_id`). */
  readonly session: string;
  readonly channel: string;
}

/** A signature for one channel and session, as the auth endpoint returns it. */
export interface ChannelAuthorization {
  readonly auth: string;
  /** `presence-*`: the signed JSON with the member's `user_id`. */
  readonly channelData?: string;
}

/** Your own way to get a signature (e.g. from a server action). */
export type ChannelAuthorizer = (request: ChannelAuthRequest) => Promise<ChannelAuthorization>;

/**
 * How `private-*`/`presence-*` channels get their signatures: an endpoint (POSTed Pusher's form
 * `socket_id` + `channel_name`, answering `{ auth, channel_data? }`) or a function.
 */
export type ChannelAuthOption =
  | ChannelAuthorizer
  | {
      readonly endpoint: string;
      readonly headers?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);
      /** Default `same-origin` (cookies for same-origin endpoints). */
      readonly credentials?: 'omit' | 'same-origin' | 'include';
      /** An answer not received within this counts as a failure (`AUTH_ERROR`). Default 10 s. */
      readonly timeoutMs?: number;
    };

/** Fetches and caches channel signatures per session and channel. */
export class ChannelAuthCache {
  #authorize: ChannelAuthorizer | null;
  #cache = new Map<string, Promise<ChannelAuthorization>>();
  #resolved = new Map<string, ChannelAuthorization>();
  #session: string | null = null;

  constructor(option: ChannelAuthOption | undefined, fetchFn: () => typeof fetch, transport: string) {
    this.#authorize = option === undefined ? null : typeof option === 'function' ? option : endpointAuthorizer(option, fetchFn, transport);
  }

  get configured(): boolean {
    return this.#authorize !== null;
  }

  /** A signature already fetched for this session, if any. */
  peek(session: string, channel: string): ChannelAuthorization | undefined {
    return this.#session === session ? this.#resolved.get(channel) : undefined;
  }

  get(session: string, channel: string, transport: string): Promise<ChannelAuthorization> {
    if (this.#session !== session) {
      this.#session = session;
      this.#cache.clear();
      this.#resolved.clear();
    }
    const authorize = this.#authorize;
    if (!authorize) {
      return Promise.reject(
        new RealtimeError('UNAUTHORIZED', `${channel} needs a signature: pass \`auth: { endpoint }\` to the ${transport} transport.`, { details: { channel, transport } }),
      );
    }
    let pending = this.#cache.get(channel);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => authorize({ session, channel }))
        .then((authorization) => {
          if (typeof authorization?.auth !== 'string') throw new RealtimeError('UNAUTHORIZED', 'The channel authorizer returned no `auth` string.', { details: { channel, transport } });
          if (this.#session === session) this.#resolved.set(channel, authorization);
          return authorization;
        });
      this.#cache.set(channel, pending);
      pending.catch(() => {
        if (this.#cache.get(channel) === pending) this.#cache.delete(channel);
      });
    }
    return pending;
  }
}

function endpointAuthorizer(
  option: Exclude<ChannelAuthOption, ChannelAuthorizer>,
  fetchFn: () => typeof fetch,
  transport: string,
): ChannelAuthorizer {
  return async ({ session, channel }) => {
    const headers = typeof option.headers === 'function' ? option.headers() : option.headers;
    let response: Response;
    try {
      response = await fetchFn()(option.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
        body: new URLSearchParams({ socket_id: session, channel_name: channel }).toString(),
        credentials: option.credentials ?? 'same-origin',
        // (`AbortSignal.timeout` is missing in older browsers: no timeout there rather than a failure.)
        ...(typeof AbortSignal.timeout === 'function' ? { signal: AbortSignal.timeout(option.timeoutMs ?? 10_000) } : {}),
      });
    } catch (cause) {
      throw new RealtimeError('AUTH_ERROR', `The channel auth endpoint could not be reached for ${channel}.`, { cause, details: { channel, transport } });
    }
    if (!response.ok) {
      // Drain the body so the connection goes back to the pool (or closes) at once.
      await response.body?.cancel().catch(() => {});
      const code = response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : 'AUTH_ERROR';
      throw new RealtimeError(code, `The channel auth endpoint answered ${response.status} for ${channel}.`, { details: { channel, status: response.status, transport } });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw new RealtimeError('AUTH_ERROR', 'The channel auth endpoint did not answer JSON.', { cause, details: { channel, transport } });
    }
    const { auth, channel_data: channelData } = (typeof body === 'object' && body !== null ? body : {}) as { auth?: unknown; channel_data?: unknown };
    if (typeof auth !== 'string') throw new RealtimeError('AUTH_ERROR', 'The channel auth endpoint answered without `auth`.', { details: { channel, transport } });
    return { auth, ...(typeof channelData === 'string' ? { channelData } : {}) };
  };
}

/** The presence member id a signature grants (`user_id` in Pusher-style `channel_data`), if any. */
export function memberIdOf(authorization: ChannelAuthorization | null | undefined): string | undefined {
  if (!authorization?.channelData) return undefined;
  try {
    const data = JSON.parse(authorization.channelData) as { user_id?: unknown };
    return typeof data.user_id === 'string' || typeof data.user_id === 'number' ? String(data.user_id) : undefined;
  } catch {
    return undefined;
  }
}
