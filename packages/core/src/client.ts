import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { ChannelRegistry, DEFAULT_CHANNEL, type ChannelOptions, type ChannelSnapshot, type DiscontinuityInfo } from './channels.js';
import { Connection, type AuthProvider, type ConnectionSnapshot } from './connection.js';
import { RealtimeError, toRealtimeError } from './errors.js';
import { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './heartbeat.js';
import { createIdGenerator } from './ids.js';
import { isDev, resolveLogger, type Logger } from './logger.js';
import { DEFAULT_OUTBOX, Outbox, type OutboxOptions, type OutboxSnapshot, type PublishOptions, type PublishResult } from './outbox.js';
import { resolvePlatform, type Platform } from './platform.js';
import { DEFAULT_PRESENCE, EMPTY_PRESENCE, type PresenceOptions, type PresenceSnapshot } from './presence.js';
import {
  createValidatorLookup,
  type AnySchema,
  type ChannelEvents,
  type ChannelName,
  type ChannelSchema,
  type EventName,
  type Payload,
  type SchemaValidators,
} from './schema.js';
import { Emitter, type Listener, type Readable, type Unsubscribe } from './store.js';
import type { Message, Transport, TransportCapabilities } from './transport.js';

export interface ClientOptions {
  /** The pipe: `websocket(…)`, `sse(…)`, `polling(…)`, `pusher(…)`, `ably(…)`, `socketIO(…)`, or a fake. */
  transport: Transport;
  /** Credentials for each attempt; refreshed once when the server says they are invalid or expired. */
  auth?: AuthProvider;
  backoff?: Partial<BackoffOptions>;
  /** `false` turns liveness checks off. */
  heartbeat?: Partial<HeartbeatOptions> | false;
  /** Disconnected this long → `suspended` (sends fail fast, resync follows). Default 120 s. */
  suspendAfterMs?: number;
  channels?: Partial<ChannelOptions>;
  outbox?: Partial<OutboxOptions>;
  presence?: Partial<PresenceOptions>;
  /** Standard Schema validators per channel (`'room:*'` prefixes allowed) and event. */
  schemas?: SchemaValidators;
  /** Timers, clock, random, online/visibility. Defaults use globals. */
  platform?: Partial<Platform>;
  /** `true` logs to the console; default silent. */
  logger?: Logger | boolean;
  /**
   * Makes message ids `prefix.0`, `prefix.1`, … — deterministic, for tests. By default each id is
   * cryptographically random, so nobody who sees one can predict the next.
   */
  idPrefix?: string;
}

export interface ClientEvents {
  /** Every non-fatal problem: malformed frames, invalid payloads, listener exceptions, storage errors. */
  error: [error: RealtimeError];
}

export interface ClientStats {
  /** Messages received from the transport (before dedup and validation). */
  readonly received: number;
  /** Dropped by the receive-side dedup window. */
  readonly duplicates: number;
  /** Dropped because schema validation failed. */
  readonly invalid: number;
  /** Arrived for a channel this client is not subscribed to. */
  readonly unknown: number;
  /** Errors reported through the `error` event. */
  readonly errors: number;
  /** Times the connection became protocol-ready. */
  readonly connects: number;
}

/** A message of channel `C`, discriminated by `event`. */
export type ChannelMessage<S extends ChannelSchema, C extends string> = {
  [E in ChannelEventName<S, C>]: Message<E, Payload<S, C, E>>;
}[ChannelEventName<S, C>];

/** Presence data type of a channel: the `$presence` entry of its event map, if any. */
export type PresenceData<S extends ChannelSchema, C extends string> =
  ChannelEvents<S, C> extends { $presence: infer P } ? P : unknown;

/** Event names a channel publishes/receives (the reserved `$presence` excluded). */
export type ChannelEventName<S extends ChannelSchema, C extends string> = Exclude<EventName<S, C>, '$presence'>;

export interface Presence<T = unknown> extends Readable<PresenceSnapshot<T>> {
  /** Enters with `data`; keeps the channel subscribed until `leave()`. Re-entered after reconnects. */
  enter(data: T): void;
  /** Updates this client's data; throttled, last value wins. Enters if not entered yet. */
  update(data: T): void;
  leave(): void;
}

export interface ListenOptions {
  /**
   * Where the data you already hold ends: the cursor your server read before it rendered its snapshot
   * (`hub.cursor(channel)` of `@switchboard/server`). While this client has no position of its own in
   * the channel, the subscription resumes from it — what was published after the snapshot arrives,
   * even if that was before the page subscribed — or, where the server cannot resume from it,
   * `onDiscontinuity` fires. Ignored once the client has a position. A transport whose server does not
   * know the cursor (the vendors': it is the server kit's) cannot resume from it: a discontinuity.
   */
  since?: string | null;
}

export interface Channel<S extends ChannelSchema = AnySchema, C extends string = string> {
  readonly name: C;
  /** Every message of the channel. Holds a subscription while registered. */
  subscribe(listener: (message: ChannelMessage<S, C>) => void, options?: ListenOptions): Unsubscribe;
  /** Messages of one event. Holds a subscription while registered. */
  on<E extends ChannelEventName<S, C>>(
    event: E,
    listener: (data: Payload<S, C, E>, message: Message<E, Payload<S, C, E>>) => void,
    options?: ListenOptions,
  ): Unsubscribe;
  publish<E extends ChannelEventName<S, C>>(event: E, data: Payload<S, C, E>, options?: PublishOptions): Promise<PublishResult>;
  /** Called once per detected gap (resume impossible), so the app can refetch a snapshot. */
  onDiscontinuity(listener: (info: DiscontinuityInfo) => void): Unsubscribe;
  /** Observes the subscription state without holding a subscription. */
  readonly status: Readable<ChannelSnapshot>;
  /** Presence of the channel; requires a transport with presence. */
  readonly presence: Presence<PresenceData<S, C>>;
}

export interface RealtimeClient<S extends ChannelSchema = AnySchema> extends Readable<ConnectionSnapshot> {
  readonly transport: { readonly name: string; readonly capabilities: TransportCapabilities };
  /** The timers, clock and signals this client runs on (bindings use it, so tests stay deterministic). */
  readonly platform: Platform;
  /** Messages waiting for an ack and messages that failed. */
  readonly outbox: Readable<OutboxSnapshot> & {
    /** Re-queues a failed message with the same id. */
    retry(id: string): Promise<PublishResult>;
    discard(id: string): void;
  };
  channel<C extends ChannelName<S>>(name: C): Channel<S, C>;
  publish<C extends ChannelName<S>, E extends ChannelEventName<S, C>>(
    channel: C,
    event: E,
    data: Payload<S, C, E>,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  /** Connects and stays connected even when no channel needs it (until `close()`). */
  connect(): void;
  /** Retries now: skips a backoff wait, or restarts after `failed`/`closed`. */
  reconnect(): void;
  /** Closes the connection: status `closed` until `connect()` or `reconnect()`. */
  close(): void;
  /** Closes and releases everything: no socket, timer or listener is left. The client is unusable after. */
  destroy(): void;
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): Unsubscribe;
  getStats(): ClientStats;
}

const ALTERNATIVES: Record<string, string> = {
  presence: 'Use a transport with presence: websocket, sse, polling, pusher (presence-* channels), ably or socket.io.',
  publish: 'Publish from your server, or use a transport that publishes: websocket, sse/polling (over HTTP), ably or socket.io.',
};

/** Creates a client. Nothing happens until a channel, a publish or `connect()` needs a connection. */
export function createClient<S extends ChannelSchema = AnySchema>(options: ClientOptions): RealtimeClient<S> {
  return new Client(options) as unknown as RealtimeClient<S>;
}

class Client implements RealtimeClient<AnySchema> {
  readonly transport: RealtimeClient['transport'];
  readonly outbox: RealtimeClient['outbox'];
  readonly platform: Platform;
  #logger: Logger;
  #emitter: Emitter<ClientEvents>;
  #connection: Connection;
  #registry: ChannelRegistry;
  #outboxImpl: Outbox;
  #stats = { received: 0, duplicates: 0, invalid: 0, unknown: 0, errors: 0, connects: 0 };
  #held = false;
  #stopped = false;
  #destroyed = false;
  #demandCheckQueued = false;
  #warned = new Set<string>();
  #presenceHolds = new Map<string, () => void>();

  constructor(options: ClientOptions) {
    const platform = (this.platform = resolvePlatform(options.platform));
    const logger = (this.#logger = resolveLogger(options.logger));
    const transport = options.transport;
    this.transport = { name: transport.name, capabilities: transport.capabilities };
    const onError = (error: unknown) => this.#report(toRealtimeError(error, 'HANDLER_ERROR'));
    this.#emitter = new Emitter<ClientEvents>((error) => logger.error('error listener threw', error));
    const report = (error: RealtimeError) => this.#report(error);
    const onDemandChange = () => this.#updateDemand();

    this.#registry = new ChannelRegistry({
      platform,
      logger,
      options: { ...DEFAULT_CHANNEL, ...options.channels },
      presenceOptions: { ...DEFAULT_PRESENCE, ...options.presence },
      transportName: transport.name,
      validator: createValidatorLookup(options.schemas),
      report,
      onError,
      stats: this.#stats,
      onDemandChange,
    });
    const outbox = (this.#outboxImpl = new Outbox(
      { ...DEFAULT_OUTBOX, ...options.outbox },
      {
        platform,
        nextId: createIdGenerator(options.idPrefix, platform.random),
        acks: transport.capabilities.acks,
        report,
        onDemandChange,
      },
    ));
    this.outbox = {
      subscribe: outbox.subscribe,
      getSnapshot: outbox.getSnapshot,
      retry: (id) => outbox.retry(id),
      discard: (id) => outbox.discard(id),
    };
    const registry = this.#registry;
    this.#connection = new Connection(
      {
        transport,
        auth: options.auth,
        backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
        heartbeat: options.heartbeat === false ? false : { ...DEFAULT_HEARTBEAT, ...options.heartbeat },
        suspendAfterMs: options.suspendAfterMs ?? 120_000,
        platform,
        logger,
        onError,
      },
      {
        ready: (conn, info) => {
          this.#stats.connects++;
          registry.attach(conn, info.memberId ?? info.sessionId ?? null);
          outbox.attach(conn);
        },
        lost: () => {
          registry.detach();
          outbox.detach();
        },
        suspended: () => {},
        message: (message) => registry.dispatch(message),
        subscribed: (channel, info) => registry.onSubscribed(channel, info),
        subscribeFailed: (channel, error) => registry.onSubscribeFailed(channel, error),
        discontinuity: (channel) => registry.onGap(channel),
        ack: (id) => outbox.ack(id),
        nack: (id, error) => outbox.nack(id, error),
        presence: (channel, event) => registry.onPresence(channel, event),
        error: report,
      },
    );
    if (options.outbox?.storage) void outbox.hydrate();
  }

  readonly subscribe = (listener: Listener): Unsubscribe => this.#connection.status.subscribe(listener);
  readonly getSnapshot = (): ConnectionSnapshot => this.#connection.status.getSnapshot();

  channel<C extends string>(name: C): Channel<AnySchema, C> {
    this.#assertUsable();
    const registry = this.#registry;
    const transport = this.transport;
    const requirePresence = () => {
      if (!transport.capabilities.presence) throw this.#missing('presence');
    };
    let presenceHandle: Presence | undefined;
    // Entering holds the channel until leave(), whichever handle of the channel calls them.
    const holds = this.#presenceHolds;
    const holdPresence = () => {
      if (!holds.has(name)) holds.set(name, registry.acquire(name));
      return registry.presence(name);
    };
    const releasePresence = () => {
      holds.get(name)?.();
      holds.delete(name);
    };
    const handle: Channel = {
      name,
      subscribe: (listener, options) => registry.listen(name, listener as (m: Message) => void, options?.since),
      on: (event, listener, options) =>
        registry.listen(
          name,
          (message) => {
            if (message.event === event) (listener as (d: unknown, m: Message) => void)(message.data, message);
          },
          options?.since,
        ),
      publish: (event, data, options) => this.publish(name, event, data, options),
      onDiscontinuity: (listener) => registry.onDiscontinuity(name, listener),
      status: registry.status(name),
      get presence(): Presence {
        if (presenceHandle) return presenceHandle;
        requirePresence();
        presenceHandle = {
          subscribe: (listener) => {
            const releaseSub = registry.acquire(name);
            const off = registry.presence(name).subscribe(listener);
            return () => {
              off();
              releaseSub();
            };
          },
          getSnapshot: () => registry.peekPresence(name)?.getSnapshot() ?? EMPTY_PRESENCE,
          enter: (data) => holdPresence().enter(data),
          update: (data) => holdPresence().update(data),
          leave: () => {
            registry.peekPresence(name)?.leave();
            releasePresence();
          },
        };
        return presenceHandle;
      },
    };
    return handle as unknown as Channel<AnySchema, C>;
  }

  publish(channel: string, event: string, data: unknown, options?: PublishOptions): Promise<PublishResult> {
    if (this.#destroyed) return Promise.reject(new RealtimeError('CLOSED', 'The client was destroyed.'));
    if (this.transport.capabilities.publish === false) throw this.#missing('publish');
    this.#connection.checkAlive();
    return this.#outboxImpl.publish(channel, event, data, options, this.#connection.suspended);
  }

  connect(): void {
    this.#assertUsable();
    this.#held = true;
    this.#stopped = false;
    this.#connection.start();
  }

  reconnect(): void {
    this.#assertUsable();
    this.#stopped = false;
    this.#connection.reconnect();
  }

  close(): void {
    if (this.#destroyed) return;
    this.#held = false;
    this.#stopped = true;
    this.#connection.stop('closed');
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.close();
    this.#destroyed = true;
    this.#outboxImpl.close();
    this.#registry.dispose();
    this.#connection.status.clear();
    this.#emitter.clear();
  }

  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): Unsubscribe {
    return this.#emitter.on(event, listener);
  }

  getStats(): ClientStats {
    return Object.freeze({ ...this.#stats });
  }

  #assertUsable(): void {
    if (this.#destroyed) throw new RealtimeError('CLOSED', 'The client was destroyed.');
  }

  #missing(capability: 'presence' | 'publish'): RealtimeError {
    const name = this.transport.name;
    return new RealtimeError('CAPABILITY_MISSING', `The ${name} transport does not support ${capability}. ${ALTERNATIVES[capability]}`, {
      details: { transport: name, capability },
    });
  }

  /** Connects when something needs it; goes idle (after the fact, never mid-callback) when nothing does. */
  #updateDemand(): void {
    if (this.#destroyed || this.#stopped) return;
    if (this.#hasDemand()) {
      if (this.#connection.phase === 'idle') this.#connection.start();
      return;
    }
    if (this.#demandCheckQueued) return;
    this.#demandCheckQueued = true;
    queueMicrotask(() => {
      this.#demandCheckQueued = false;
      if (!this.#destroyed && !this.#stopped && !this.#hasDemand() && this.#connection.active) this.#connection.stop('idle');
    });
  }

  #hasDemand(): boolean {
    return this.#held || this.#registry.hasDemand || this.#outboxImpl.hasPending;
  }

  #report(error: RealtimeError): void {
    this.#stats.errors++;
    this.#logger.warn(`${error.code}: ${error.message}`, error.details);
    if (this.#emitter.has('error')) {
      this.#emitter.emit('error', error);
    } else if (isDev() && !this.#warned.has(error.code)) {
      // Never silent: without an `error` listener, say so once per code in development.
      this.#warned.add(error.code);
      console.warn(`[switchboard] ${error.code}: ${error.message}\n  (add client.on('error', …) to handle these) ${error.docsUrl}`);
    }
  }
}
