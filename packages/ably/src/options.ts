import type { ClientOptions, TokenDetails, TokenParams, TokenRequest } from 'ably';

/**
 * A token as Ably accepts it: a token string (or Ably JWT), `TokenDetails`, or a `TokenRequest` signed
 * by your server (ably-js exchanges it with Ably). Never the API key.
 */
export type AblyToken = string | TokenDetails | TokenRequest;

/** Your own way to get a token (e.g. a server action). Throw `RealtimeError('UNAUTHORIZED')` to stop for good. */
export type AblyTokenCallback = (params: TokenParams) => Promise<AblyToken> | AblyToken;

/** ably-js options the transport sets itself (the rest may be passed through `clientOptions`). */
export type OwnedClientOption =
  | 'autoConnect'
  | 'queueMessages'
  | 'authCallback'
  | 'authUrl'
  | 'recover'
  | 'logHandler'
  | 'key';

export interface AblyTransportOptions {
  /** Ably endpoint: a routing policy id, or a hostname (self-hosted / local test peer). Default Ably's. */
  endpoint?: string;
  /** Port for a non-TLS endpoint (local peers). */
  port?: number;
  /** Default `true`. */
  tls?: boolean;
  /**
   * Where the browser gets a token: `GET` (or `POST`) returning `TokenDetails`/`TokenRequest` JSON, or a
   * token string as `text/plain` / `application/jwt`. 401/403 stops (`UNAUTHORIZED`); other failures retry
   * (`AUTH_ERROR`). The API key stays on your server.
   */
  authUrl?: string;
  /** Default `GET`. */
  authMethod?: 'GET' | 'POST';
  authHeaders?: Readonly<Record<string, string>>;
  /** Sent as the query (`GET`) or form body (`POST`). */
  authParams?: Readonly<Record<string, string>>;
  /** `fetch` credentials mode for `authUrl`. Default `same-origin` (cookies for same-origin endpoints). */
  authCredentials?: 'omit' | 'same-origin' | 'include';
  /** An `authUrl` answer not received within this counts as a failure (`AUTH_ERROR`). Default 10 s. */
  authTimeoutMs?: number;
  /** Instead of `authUrl`: your own function returning a token. */
  authCallback?: AblyTokenCallback;
  /** Client id (must match the token's, if it has one). Presence needs one. */
  clientId?: string;
  /**
   * Replays recent messages on a channel's first attach: a count (`10`) or a duration (`'30s'`,
   * Ably's `rewind` channel parameter).
   */
  rewind?: number | string;
  /** Receive the messages this client publishes. Default `true`. */
  echoMessages?: boolean;
  /** JSON (`false`) or MessagePack (`true`, ably-js default) on the wire. */
  useBinaryProtocol?: boolean;
  /** Transports ably-js may use, e.g. `['web_socket']`. Default: ably-js's choice. */
  transports?: readonly ('web_socket' | 'xhr_polling' | 'comet')[];
  /** Inbound messages larger than this are dropped with `FRAME_TOO_LARGE`. Default 128 KiB. */
  maxFrameBytes?: number;
  /** ably-js's wait before retrying a dropped connection (ms). Default 15 s (the first retry is immediate). */
  disconnectedRetryTimeout?: number;
  /** ably-js's retry interval once suspended (ms). Default 30 s. */
  suspendedRetryTimeout?: number;
  /** ably-js's timeout for connect/attach/heartbeat replies (ms); also bounds half-open detection. Default 10 s. */
  realtimeRequestTimeout?: number;
  /** Any other ably-js client option (not the ones this transport sets itself). */
  clientOptions?: Omit<ClientOptions, OwnedClientOption>;
}

export const DEFAULT_MAX_FRAME_BYTES = 128 * 1024;
const ABLY_LOG_MAJOR = 2;

/** The ably-js client options for one connection. */
export function clientOptionsFor(
  options: AblyTransportOptions,
  extra: { authCallback: ClientOptions['authCallback'] | undefined; recover: string | undefined; logHandler: (message: string, level: number) => void },
): ClientOptions {
  const passthrough = options.clientOptions ?? {};
  const plain = {
    endpoint: options.endpoint,
    port: options.port,
    tls: options.tls,
    clientId: options.clientId,
    echoMessages: options.echoMessages,
    useBinaryProtocol: options.useBinaryProtocol,
    transports: options.transports ? [...options.transports] : undefined,
    disconnectedRetryTimeout: options.disconnectedRetryTimeout,
    suspendedRetryTimeout: options.suspendedRetryTimeout,
    realtimeRequestTimeout: options.realtimeRequestTimeout,
  };
  const defined = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined)) as Partial<ClientOptions>;
  return {
    ...passthrough,
    ...defined,
    // The core connects when something needs it, and its outbox queues while offline: ably-js does neither.
    autoConnect: false,
    queueMessages: false,
    // ably-js reports unparsable and unknown frames only in its log (level 2 = "major" and above).
    logLevel: Math.max(passthrough.logLevel ?? 0, ABLY_LOG_MAJOR),
    logHandler: extra.logHandler,
    ...(extra.authCallback ? { authCallback: extra.authCallback } : {}),
    ...(extra.recover ? { recover: extra.recover } : {}),
  };
}
