import { RealtimeError, type Disconnect, type OpenContext, type OutgoingMessage, type PresenceOp, type SubscribeOptions, type TransportConnection, type TransportHandler } from '@switchboard/core';
import { authenticateUser, authorizeChannel, userIdOf } from './auth.js';
import { isClosingCode, pusherCodeDisconnect, pusherError, readPusherError } from './codes.js';
import type { RequestSettings } from './http.js';
import { PusherChannels } from './channels.js';
import { allowsClientEvents, isPresenceChannel, jsonBytes, type ResolvedOptions } from './options.js';
import type { HttpPublisher } from './publish.js';
import type { AttemptHooks, ChannelAuthData, PusherDriver, PusherEvent, UserAuthData } from './sdk.js';

export interface AttemptDeps {
  readonly name: string;
  readonly config: ResolvedOptions;
  readonly settings: RequestSettings;
  readonly publisher: HttpPublisher | null;
  /** The driver is free again (the attempt ended). */
  readonly release: (driver: PusherDriver) => void;
}

type Phase = 'connecting' | 'signing-in' | 'open' | 'done';

/**
 * One connection attempt over a pusher-js instance: reports what happened to the core, never retries.
 * It ends the moment pusher-js would retry by itself (see sdk.ts), with the `Disconnect` that says why.
 */
export class PusherAttempt implements TransportConnection, AttemptHooks {
  readonly #d: AttemptDeps;
  readonly #handler: TransportHandler;
  readonly #context: OpenContext;
  readonly #driver: PusherDriver;
  readonly #abort = new AbortController();
  readonly #channels: PusherChannels;
  #phase: Phase = 'connecting';
  /** A Pusher close code (4000-4299) announced by `pusher:error`, for the close that follows. */
  #announced: { code: number; message: string } | null = null;
  #socketErrorText: string | undefined;
  #connectTimer: ReturnType<typeof setTimeout>;

  constructor(deps: AttemptDeps, driver: PusherDriver, handler: TransportHandler, context: OpenContext) {
    this.#d = deps;
    this.#driver = driver;
    this.#handler = handler;
    this.#context = context;
    this.#channels = new PusherChannels({
      transport: deps.name,
      config: deps.config,
      driver,
      handler,
      authorize: (socketId, channel) => this.#authorize(socketId, channel),
    });
    this.#connectTimer = setTimeout(
      () => this.#finish({ type: 'network', error: new RealtimeError('CONNECTION_LOST', 'Connect timeout.', { details: { transport: deps.name } }) }),
      deps.config.connectTimeoutMs,
    );
    try {
      driver.begin(this);
    } catch (error) {
      // Not returned to the pool: an instance that cannot start is not reused.
      this.#phase = 'done';
      clearTimeout(this.#connectTimer);
      throw error;
    }
  }

  // ── TransportConnection: what the core asks ─────────────────────────────────────────────────────

  subscribe(channel: string, _options: SubscribeOptions): void {
    // Pusher keeps no history: the cursor cannot be used, and every resubscription reports a gap.
    this.#channels.subscribe(channel);
  }

  unsubscribe(channel: string): void {
    this.#channels.unsubscribe(channel);
  }

  publish(message: OutgoingMessage): void {
    const { id, channel, data } = message;
    const details = { transport: this.#d.name, channel, event: message.event, messageId: id };
    const bytes = jsonBytes(data);
    if (bytes > this.#d.config.maxMessageBytes) {
      throw new RealtimeError('FRAME_TOO_LARGE', `The payload is ${bytes} bytes; Pusher accepts ${this.#d.config.maxMessageBytes} per event.`, { details: { ...details, bytes } });
    }
    const clientEvent = this.#d.config.clientEvents && allowsClientEvents(channel) && this.#channels.has(channel);
    const publisher = this.#d.publisher;
    if (publisher && !(message.volatile && clientEvent)) {
      publisher.enqueue(message, this.#driver.socketId, this.#context.credentials, this.#handler);
      return;
    }
    if (clientEvent) {
      this.#channels.clientEvent(message);
      return;
    }
    const why = !this.#d.config.clientEvents
      ? 'client events are off'
      : channel.startsWith('private-encrypted-')
        ? 'Pusher allows no client events on encrypted channels'
        : !allowsClientEvents(channel)
          ? 'Pusher allows client events only on private-/presence- channels'
          : 'client events need this client to be subscribed to the channel';
    throw new RealtimeError(
      'CAPABILITY_MISSING',
      `The ${this.#d.name} transport cannot publish to "${channel}": ${why}. Pass \`publishUrl\` (your server triggers the event through Pusher's HTTP API), or publish on a private-/presence- channel you are subscribed to.`,
      { details: { ...details, capability: 'publish' } },
    );
  }

  presence(channel: string, op: PresenceOp): void {
    this.#channels.presence(channel, op);
  }

  ping(): void {
    this.#driver.send('pusher:ping', {});
  }

  close(): void {
    if (this.#phase === 'done') return;
    this.#end();
  }

  // ── AttemptHooks: what pusher-js reports ────────────────────────────────────────────────────────

  state(previous: string, current: string): void {
    if (current === 'connected') return this.#connected();
    if (current === 'failed') return this.#finish({ type: 'protocol', reason: 'pusher-js cannot connect in this environment (no WebSocket support)' });
    if (current === 'disconnected' || current === 'unavailable' || (current === 'connecting' && previous === 'connected')) {
      this.#finish(this.#announcedDisconnect() ?? { type: 'network', error: new RealtimeError('CONNECTION_LOST', `pusher-js went ${current}.`) });
    }
  }

  event(event: PusherEvent): void {
    this.#handler.activity();
    const name = event.event;
    if (name.startsWith('pusher:')) return this.#protocolEvent(event);
    if (name.startsWith('pusher_internal:')) return this.#channels.internalEvent(event);
    if (typeof event.channel !== 'string') {
      return this.#handler.error(new RealtimeError('UNKNOWN_FRAME', `Pusher event "${name.slice(0, 60)}" arrived without a channel.`, { details: { transport: this.#d.name, event: name } }));
    }
    this.#channels.appEvent(event);
  }

  badFrame(description: string): void {
    this.#handler.activity();
    this.#handler.error(new RealtimeError('BAD_FRAME', `A Pusher frame without an event name was dropped: ${description}`, { details: { transport: this.#d.name } }));
  }

  error(error: unknown): void {
    const e = (error ?? {}) as { type?: unknown; error?: unknown; data?: unknown };
    if (e.type === 'MessageParseError') {
      this.#handler.activity();
      this.#handler.error(new RealtimeError('BAD_FRAME', 'A Pusher frame could not be parsed as JSON.', { cause: e.error, details: { transport: this.#d.name } }));
    } else if (e.type === 'PusherError') {
      // A `pusher:error` on the open connection.
      const { code, message } = readPusherError(e.data);
      if (isClosingCode(code)) {
        this.#announced = { code, message };
        queueMicrotask(() => this.#finish(pusherCodeDisconnect(code, message)));
      } else {
        this.#handler.error(pusherError(code, message, this.#d.name));
      }
    } else if (e.type === 'WebSocketError') {
      // pusher-js's handshake or socket errors: remember a Pusher code; the end comes with the close or retry.
      const inner = (e.error ?? {}) as { type?: unknown; data?: unknown };
      const { code, message } = readPusherError(inner.type === 'PusherError' ? inner.data : undefined);
      if (isClosingCode(code)) this.#announced = { code, message };
    } else if (e.type === 'HandshakeError') {
      this.#finish({ type: 'protocol', reason: `bad Pusher handshake: ${describe(e.error)}` });
    }
  }

  socketClosed(code: number | undefined, reason: string | undefined): void {
    const announced = this.#announcedDisconnect();
    if (announced) return this.#finish(announced);
    if (isClosingCode(code)) return this.#finish(pusherCodeDisconnect(code, reason));
    if (this.#phase === 'connecting') {
      // The upgrade was answered with an HTTP status (faye-websocket puts it in the close reason).
      const status = /Unexpected response code: (\d{3})/i.exec(`${reason ?? ''} ${this.#socketErrorText ?? ''}`)?.[1];
      if (status !== undefined) return this.#finish({ type: 'http', status: Number(status), reason: 'WebSocket upgrade refused' });
    }
    if (code !== undefined) return this.#finish({ type: 'close', code, ...(reason === undefined ? {} : { reason }) });
    this.#finish({ type: 'network', ...(this.#socketErrorText ? { error: new Error(this.#socketErrorText) } : {}) });
  }

  socketError(text: string): void {
    this.#socketErrorText = text;
  }

  retrying(): void {
    this.#finish(this.#announcedDisconnect() ?? { type: 'network', error: new RealtimeError('CONNECTION_LOST', 'The connection was lost.') });
  }

  authorizeChannel(socketId: string, channel: string): Promise<ChannelAuthData> {
    return this.#channels.authorizeFor(socketId, channel);
  }

  async authenticateUser(socketId: string): Promise<UserAuthData> {
    const endpoint = this.#d.config.options.userAuthEndpoint;
    if (endpoint === undefined) throw new Error('no userAuthEndpoint');
    const outcome = await authenticateUser(endpoint, socketId, this.#authContext());
    if (outcome.ok) return outcome.data;
    this.#finish(outcome.disconnect);
    throw new Error('user authentication failed');
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────

  #authContext() {
    return { transport: this.#d.name, settings: this.#d.settings, credentials: this.#context.credentials, signal: this.#abort.signal };
  }

  #authorize(socketId: string, channel: string): Promise<ChannelAuthData> {
    const { authEndpoint, authorize } = this.#d.config.options;
    const signedIn = this.#phase === 'open' && this.#d.config.options.userAuthEndpoint !== undefined;
    return authorizeChannel({ endpoint: authEndpoint, authorize }, { socketId, channel }, this.#authContext(), isPresenceChannel(channel) && !signedIn);
  }

  #connected(): void {
    if (this.#phase !== 'connecting') return;
    const socketId = this.#driver.socketId;
    if (socketId === undefined) return this.#finish({ type: 'protocol', reason: 'pusher:connection_established without a socket_id' });
    if (this.#d.config.options.userAuthEndpoint !== undefined) {
      this.#phase = 'signing-in'; // pusher-js asks `authenticateUser` now; open once Pusher confirms
      return;
    }
    this.#open(socketId, undefined);
  }

  #open(socketId: string, memberId: string | undefined): void {
    this.#phase = 'open';
    clearTimeout(this.#connectTimer);
    this.#channels.setMe(memberId);
    this.#handler.open({ sessionId: socketId, ...(memberId === undefined ? {} : { memberId }), heartbeatMs: this.#driver.activityTimeoutMs });
  }

  #protocolEvent(event: PusherEvent): void {
    switch (event.event) {
      case 'pusher:error': // reported through pusher-js's `error` event
      case 'pusher:ping': // answered by pusher-js
      case 'pusher:pong':
      case 'pusher:cache_miss':
        return;
      case 'pusher:signin_success': {
        const userId = userIdOf((event.data as { user_data?: unknown } | null)?.user_data);
        if (this.#phase !== 'signing-in') return;
        const socketId = this.#driver.socketId;
        if (userId === undefined || socketId === undefined) return this.#finish({ type: 'protocol', reason: 'pusher:signin_success without a user id' });
        return this.#open(socketId, userId);
      }
      case 'pusher:subscription_error':
        return this.#channels.refused(event);
      case 'pusher:connection_established':
        return this.#handler.error(new RealtimeError('BAD_FRAME', 'A second pusher:connection_established arrived on an open connection.', { details: { transport: this.#d.name } }));
      default:
        this.#handler.error(new RealtimeError('UNKNOWN_FRAME', `Unknown Pusher event "${event.event.slice(0, 60)}".`, { details: { transport: this.#d.name, event: event.event } }));
    }
  }

  #announcedDisconnect(): Disconnect | null {
    return this.#announced ? pusherCodeDisconnect(this.#announced.code, this.#announced.message) : null;
  }

  /** The attempt ended on its own: tell the core why (once). */
  #finish(disconnect: Disconnect): void {
    if (this.#phase === 'done') return;
    this.#end();
    this.#handler.close(disconnect);
  }

  #end(): void {
    this.#phase = 'done';
    clearTimeout(this.#connectTimer);
    this.#abort.abort();
    this.#channels.dispose();
    this.#d.publisher?.forget(this.#handler);
    this.#driver.end();
    this.#d.release(this.#driver);
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  const inner = (value as { error?: unknown } | null)?.error;
  return inner instanceof Error ? inner.message : typeof inner === 'string' ? inner : 'unreadable first frame';
}
