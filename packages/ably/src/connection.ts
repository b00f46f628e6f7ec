import {
  RealtimeError,
  isRealtimeError,
  type Disconnect,
  type OpenContext,
  type OutgoingMessage,
  type PresenceOp,
  type SubscribeOptions,
  type TransportConnection,
  type TransportHandler,
} from '@switchboard/core';
import { ErrorInfo, Realtime, type ConnectionStateChange, type TokenDetails, type TokenParams, type TokenRequest } from 'ably';
import { ChannelLinks } from './channels.js';
import { TRANSPORT, fromLogLine } from './errors.js';
import { UNASKED_CLOSE, disconnectFor, isRetry, type LostState } from './status.js';
import { DEFAULT_MAX_FRAME_BYTES, clientOptionsFor, type AblyTransportOptions } from './options.js';
import { tokenSource, type TokenSource } from './token.js';

/** What one `ably()` transport remembers between the connections it opens. */
export interface TransportMemory {
  /** Recovery key of a connection ended to refresh its token: the next one recovers it. */
  recoverKey: string | null;
  /** The connection opened last, while it is open. */
  live: AblyConnection | null;
}

type AuthCallback = (params: TokenParams, callback: (error: ErrorInfo | string | null, token: TokenDetails | TokenRequest | string | null) => void) => void;

/** The error ably-js is given when a token could not be had (its `statusCode` 403 makes ably-js fail). */
const callbackError = (error: RealtimeError) =>
  error.code === 'UNAUTHORIZED' ? new ErrorInfo(error.message, 40300, 403) : new ErrorInfo(error.message, 40170, 500);

/** Channel names in a recovery key (Ably's documented JSON: `connectionKey`, `msgSerial`, `channelSerials`). */
function recoveredChannels(recoveryKey: string | undefined): string[] {
  if (!recoveryKey) return [];
  try {
    const serials = (JSON.parse(recoveryKey) as { channelSerials?: unknown }).channelSerials;
    return typeof serials === 'object' && serials !== null ? Object.keys(serials) : [];
  } catch {
    return [];
  }
}

/**
 * One core connection over one ably-js client. ably-js retries a dropped connection by itself (and
 * resumes it); this reports each state change to the core (`retries: 'sdk'`), which only waits. What
 * ably-js cannot retry — a refused token, a failed connection — ends the client here, and the core
 * decides (a refreshed token once, or `failed`).
 */
export class AblyConnection implements TransportConnection {
  #closed = false;
  #open = false;
  #realtime: Realtime | null = null;
  #links: ChannelLinks | null = null;
  #source: TokenSource | null = null;
  /** The last token request was answered with a token (a further request means it was not accepted). */
  #tokenGiven = false;
  #lastAuthError: RealtimeError | null = null;
  /** Counts token requests; an answer to an older one (ably-js gave up on it) changes nothing. */
  #authRequests = 0;

  constructor(
    private readonly options: AblyTransportOptions,
    private readonly memory: TransportMemory,
    private readonly handler: TransportHandler,
    context: OpenContext,
  ) {
    // The core opens one connection at a time; a previous one still open here was superseded without a
    // close (`reconnect()` while waiting for the SDK): end it, and let this one recover its state.
    memory.live?.supersede();
    memory.live = this;
    try {
      this.#source = tokenSource(options, context.credentials);
      const passthrough = options.clientOptions ?? {};
      if (!this.#source && !('token' in passthrough) && !('tokenDetails' in passthrough)) {
        throw new RealtimeError('UNAUTHORIZED', 'The ably transport needs a token: pass `authUrl` or `authCallback`, or an `auth` provider to createClient().', {
          details: { transport: TRANSPORT },
        });
      }
      const recover = memory.recoverKey ?? undefined;
      memory.recoverKey = null;
      const realtime = new Realtime(
        clientOptionsFor(options, {
          authCallback: this.#source ? this.#authorize : undefined,
          recover,
          logHandler: (line, level) => this.#onLog(line, level),
        }),
      );
      this.#realtime = realtime;
      this.#links = new ChannelLinks(realtime, handler, {
        rewind: options.rewind,
        maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        closed: () => this.#closed,
      });
      realtime.connection.on((change: ConnectionStateChange) => this.#onState(change));
      realtime.connect();
      this.#links.attachRecovered(recoveredChannels(recover));
    } catch (error) {
      const unauthorized = isRealtimeError(error, 'UNAUTHORIZED');
      const disconnect: Disconnect = unauthorized
        ? { type: 'auth-provider', unauthorized: true, error }
        : { type: 'protocol', reason: `ably-js could not be set up: ${error instanceof Error ? error.message : String(error)}` };
      queueMicrotask(() => this.#fail(disconnect));
    }
  }

  subscribe(channel: string, _options: SubscribeOptions): void {
    // The resume cursor is ably-js's own `channelSerial`, kept across the connections it resumes.
    this.#links?.subscribe(channel);
  }

  unsubscribe(channel: string): void {
    this.#links?.unsubscribe(channel);
  }

  publish(message: OutgoingMessage): void {
    this.#links?.publish(message);
  }

  presence(channel: string, op: PresenceOp): void {
    this.#links?.presence(channel, op);
  }

  close(reason?: 'replaced'): void {
    if (this.#closed) return;
    // Replaced by a newer connection (the core's reconnect() while ably-js was retrying): it recovers this one.
    if (reason === 'replaced') this.#saveRecoveryKey();
    this.#closed = true;
    this.#teardown();
  }

  /** Ends this connection for a newer one of the same transport, which recovers its state. */
  supersede(): void {
    this.#saveRecoveryKey();
    this.close();
  }

  #teardown(): void {
    if (this.memory.live === this) this.memory.live = null;
    try {
      this.#realtime?.close();
    } catch {
      // never connected
    }
  }

  /** Reports something that ends this client: it is closed first, the core then decides. */
  #fail(disconnect: Disconnect): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#teardown();
    this.handler.close(disconnect);
  }

  /** Reports a drop ably-js retries itself (the core waits for `open()` again), or ends the client. */
  #report(disconnect: Disconnect): void {
    if (this.#closed) return;
    if (!isRetry(disconnect)) return this.#fail(disconnect);
    this.handler.close(disconnect);
  }

  #saveRecoveryKey(): void {
    try {
      const key = this.#realtime?.connection.createRecoveryKey();
      if (key) this.memory.recoverKey = key;
    } catch {
      // not recoverable
    }
  }

  #onState(change: ConnectionStateChange): void {
    if (this.#closed) return;
    switch (change.current) {
      case 'connected':
        // (ably-js emits connection events a tick late; it has re-sent every ATTACH by then.)
        return this.#opened();
      case 'disconnected':
      case 'suspended':
      case 'failed':
        return this.#lost(change.current, change.reason);
      case 'closing':
      case 'closed':
        return this.#fail(UNASKED_CLOSE);
    }
  }

  #opened(): void {
    const realtime = this.#realtime;
    if (this.#closed || this.#open || !realtime || realtime.connection.state !== 'connected') return;
    this.#open = true;
    const id = realtime.connection.id;
    this.#links?.open(() => this.handler.open(id === undefined ? {} : { sessionId: id, memberId: id }));
  }

  #lost(state: LostState, reason: ErrorInfo | undefined): void {
    this.#open = false;
    this.#links?.lost();
    const disconnect = disconnectFor(state, reason, this.#lastAuthError);
    if (disconnect.type === 'auth-provider') {
      // The token request failed or timed out (ably-js only says 80019). A token ably-js could not use
      // never reached the server, so its next request is a retry, not a refusal.
      this.#lastAuthError = null;
      this.#tokenGiven = false;
      this.#authRequests++;
    }
    if (disconnect.type === 'auth') this.#saveRecoveryKey();
    this.#report(disconnect);
  }

  /** ably-js asks for a token: on connecting, and again when it needs another one. */
  #authorize: AuthCallback = (params, callback) => {
    const source = this.#source;
    const realtime = this.#realtime;
    if (this.#closed || !source || !realtime) return callback(callbackError(new RealtimeError('CLOSED')), null);
    const connected = realtime.connection.state === 'connected';
    if (this.#tokenGiven && (!connected || !source.refreshable)) {
      // The token given was refused (or has expired): the core refreshes credentials once, on a new
      // connection that recovers this one; a second refusal ends in `failed`.
      this.#saveRecoveryKey();
      this.#fail({ type: 'auth', reason: connected ? 'Ably asked for a new token' : 'Ably did not accept the token' });
      return callback(callbackError(new RealtimeError('UNAUTHORIZED', 'The token is refreshed through the client.')), null);
    }
    const request = ++this.#authRequests;
    source.get(params).then(
      (token) => {
        if (this.#closed) return callback(callbackError(new RealtimeError('CLOSED')), null);
        if (request !== this.#authRequests) return callback(callbackError(new RealtimeError('AUTH_ERROR', 'A newer token request was made.')), null);
        this.#tokenGiven = true;
        this.#lastAuthError = null;
        callback(null, token);
      },
      (error: unknown) => {
        const reason = isRealtimeError(error) ? error : new RealtimeError('AUTH_ERROR', String(error), { cause: error, details: { transport: TRANSPORT } });
        if (request !== this.#authRequests) return callback(callbackError(reason), null);
        this.#tokenGiven = false;
        this.#lastAuthError = reason;
        callback(callbackError(reason), null);
      },
    );
  };

  #onLog(line: string, level: number): void {
    const wanted = this.options.clientOptions?.logLevel;
    if (wanted !== undefined && level <= wanted) console.log(line);
    if (this.#closed) return;
    const error = fromLogLine(line);
    if (error) this.handler.error(error);
  }
}
