/**
 * Signatures for `private-*` / `presence-*` channels, fetched by the client for its socket id: from an
 * endpoint (Pusher's form `socket_id` + `channel_name`, answering `{ auth, channel_data? }`, which the
 * server kit's `createAuthHandler` serves) or from a function. Same option shape as the native
 * transports. The secret stays on the server; the browser only ever sees signatures.
 */
import { RealtimeError } from '@switchboard/core';
import type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer } from '@switchboard/core/websocket';

export type { ChannelAuthOption, ChannelAuthorization, ChannelAuthorizer, ChannelAuthRequest } from '@switchboard/core/websocket';

/** One signature per session (socket id) and channel; a new session starts afresh. */
export class ChannelSigner {
  readonly #authorize: ChannelAuthorizer | null;
  readonly #transport: string;
  #session: string | null = null;
  #cache = new Map<string, Promise<ChannelAuthorization>>();

  constructor(option: ChannelAuthOption | undefined, transport: string, fetchFn: () => typeof fetch = () => globalThis.fetch) {
    this.#transport = transport;
    this.#authorize = option === undefined ? null : typeof option === 'function' ? option : endpoint(option, fetchFn, transport);
  }

  sign(session: string, channel: string): Promise<ChannelAuthorization> {
    if (this.#session !== session) {
      this.#session = session;
      this.#cache.clear();
    }
    const authorize = this.#authorize;
    const details = { channel, transport: this.#transport };
    if (!authorize) {
      return Promise.reject(new RealtimeError('UNAUTHORIZED', `${channel} needs a signature: pass \`auth: { endpoint }\` to socketIO().`, { details }));
    }
    let pending = this.#cache.get(channel);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => authorize({ session, channel }))
        .then((authorization) => {
          if (typeof authorization?.auth !== 'string') throw new RealtimeError('UNAUTHORIZED', 'The channel authorizer returned no `auth` string.', { details });
          return authorization;
        });
      const settled = pending;
      this.#cache.set(channel, settled);
      settled.catch(() => {
        if (this.#cache.get(channel) === settled) this.#cache.delete(channel);
      });
    }
    return pending;
  }
}

function endpoint(option: Exclude<ChannelAuthOption, ChannelAuthorizer>, fetchFn: () => typeof fetch, transport: string): ChannelAuthorizer {
  return async ({ session, channel }) => {
    const details = { channel, transport };
    const headers = typeof option.headers === 'function' ? option.headers() : option.headers;
    let response: Response;
    try {
      response = await fetchFn()(option.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
        body: new URLSearchParams({ socket_id: session, channel_name: channel }).toString(),
        credentials: option.credentials ?? 'same-origin',
        ...(typeof AbortSignal.timeout === 'function' ? { signal: AbortSignal.timeout(option.timeoutMs ?? 10_000) } : {}),
      });
    } catch (cause) {
      throw new RealtimeError('AUTH_ERROR', `The channel auth endpoint could not be reached for ${channel}.`, { cause, details });
    }
    if (!response.ok) {
      // Drain the body so the connection goes back to the pool (or closes) at once.
      await response.body?.cancel().catch(() => {});
      const code = response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : 'AUTH_ERROR';
      throw new RealtimeError(code, `The channel auth endpoint answered ${response.status} for ${channel}.`, { details: { ...details, status: response.status } });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw new RealtimeError('AUTH_ERROR', 'The channel auth endpoint did not answer JSON.', { cause, details });
    }
    const { auth, channel_data: channelData } = (typeof body === 'object' && body !== null ? body : {}) as { auth?: unknown; channel_data?: unknown };
    if (typeof auth !== 'string') throw new RealtimeError('AUTH_ERROR', 'The channel auth endpoint answered without `auth`.', { details });
    return { auth, ...(typeof channelData === 'string' ? { channelData } : {}) };
  };
}
