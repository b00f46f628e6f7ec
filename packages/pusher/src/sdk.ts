import type PusherJs from 'pusher-js';
import type { Channel, ChannelAuthorizationCallback, Options as PusherJsOptions, UserAuthenticationCallback } from 'pusher-js';

/**
 * Everything this package relies on inside pusher-js (8.x) lives in this module, so an upgrade is
 * checked in one place (test/sdk.test.ts runs the real library through each path):
 *
 * - pusher-js retries on its own and has no switch to stop it. The core must be the only layer that
 *   retries, so each attempt ends the moment pusher-js would retry: when the attempt's socket closes
 *   (seen in the instance's `timeline`, which every transport connection reports its state to, before
 *   pusher-js reacts), when it schedules a retry (`timeline` action `retry`, `connecting_in`), or when
 *   it gives up (`disconnected`, `failed`). Then `disconnect()` cancels whatever pusher-js scheduled.
 * - pusher-js throws (outside any try, inside the socket's message callback) on a frame without a
 *   string `event`; such frames are stopped in the instance's `connection.emit` before pusher-js sees
 *   them, and reported.
 * - One pusher-js instance is reused for attempt after attempt: `new Pusher` registers listeners on a
 *   process-wide network object that are never removed, so an instance per attempt would leak.
 *   `Pusher.instances` (which `Pusher.ready()` connects) holds it only while an attempt is live.
 */

/** A decoded Pusher protocol event, as pusher-js hands it over. */
export interface PusherEvent {
  readonly event: string;
  readonly channel?: string;
  readonly data?: unknown;
  readonly user_id?: string;
}

export interface ChannelAuthData {
  readonly auth: string;
  readonly channel_data?: string;
  readonly shared_secret?: string;
}

export interface UserAuthData {
  readonly auth: string;
  readonly user_data: string;
}

/** What one attempt hears from the pusher-js instance. Nothing arrives once `end()` was called. */
export interface AttemptHooks {
  /** `connection` state changes (`connecting`, `connected`, `disconnected`, `unavailable`, `failed`). */
  state(previous: string, current: string): void;
  /** Every well-formed inbound event, after pusher-js processed it. */
  event(event: PusherEvent): void;
  /** An inbound frame pusher-js could not decode, or would have crashed on. */
  badFrame(description: string): void;
  /** `error` events of the connection manager. */
  error(error: unknown): void;
  /** The attempt's socket closed (code and reason when the close frame carried them). */
  socketClosed(code: number | undefined, reason: string | undefined): void;
  /** The attempt's socket reported an error (text only; e.g. an HTTP status of the upgrade). */
  socketError(text: string): void;
  /** pusher-js scheduled a retry of its own. The hook must end the attempt (a microtask is in time). */
  retrying(): void;
  authorizeChannel(socketId: string, channel: string): Promise<ChannelAuthData>;
  authenticateUser(socketId: string): Promise<UserAuthData>;
}

export type PusherConstructor = typeof PusherJs;

/** The pusher-js options a driver is built with (authorisation is routed to the live attempt). */
export type DriverOptions = Omit<PusherJsOptions, 'channelAuthorization' | 'userAuthentication' | 'authorizer' | 'authEndpoint' | 'auth'>;

/** Longest delay a timer accepts everywhere: pusher-js's own timers are parked there. */
export const NEVER_MS = 2_147_483_647;

interface TimelineEvent {
  readonly cid?: unknown;
  readonly state?: unknown;
  readonly action?: unknown;
  readonly error?: unknown;
  readonly params?: { readonly code?: unknown; readonly reason?: unknown } | null;
}

/**
 * Drives one pusher-js instance through consecutive attempts, one at a time. `begin()` follows the
 * construction (or an `end()`) synchronously.
 */
export class PusherDriver {
  readonly #pusher: PusherJs;
  readonly #Pusher: PusherConstructor;
  readonly #signin: boolean;
  #hooks: AttemptHooks | null = null;
  /** Transport connections numbered below this belong to earlier attempts. */
  #firstCid = 0;

  constructor(Pusher: PusherConstructor, key: string, options: DriverOptions, signin: boolean) {
    this.#Pusher = Pusher;
    this.#signin = signin;
    // pusher-js starts connecting here already (when the page is ready): that is the first attempt, whose
    // events all come later, from the socket, so the hooks installed below see every one of them.
    this.#pusher = new Pusher(key, {
      ...options,
      channelAuthorization: { customHandler: (params, callback) => this.#authorizeChannel(params.socketId, params.channelName, callback) },
      userAuthentication: { customHandler: (params, callback) => this.#authenticateUser(params.socketId, callback) },
    });
    this.#install();
  }

  get busy(): boolean {
    return this.#hooks !== null;
  }

  get socketId(): string | undefined {
    return this.#pusher.connection.socket_id || undefined;
  }

  get state(): string {
    return this.#pusher.connection.state;
  }

  /** How long the connection may be quiet before the client pings: the server's `activity_timeout`. */
  get activityTimeoutMs(): number | undefined {
    const ms = this.#pusher.connection.activityTimeout;
    return typeof ms === 'number' && ms > 0 ? ms : undefined;
  }

  /** Starts an attempt (right after construction, or after `end()`): one connection, reported to `hooks` until `end()`. */
  begin(hooks: AttemptHooks): void {
    this.#hooks = hooks;
    if (!this.#Pusher.instances.includes(this.#pusher)) this.#Pusher.instances.push(this.#pusher);
    if (this.#signin) this.#pusher.signin();
    this.#pusher.connect();
    // Without WebSocket support pusher-js fails at once (in the constructor already): no event follows.
    if (this.#pusher.connection.state === 'failed') queueMicrotask(() => this.#hooks === hooks && hooks.state('initialized', 'failed'));
  }

  /** Ends the attempt: the socket closes, nothing pusher-js scheduled runs, every channel is forgotten. */
  end(): void {
    this.#hooks = null;
    this.#pusher.disconnect();
    // Sockets created from now on belong to the next attempt.
    this.#firstCid = this.#pusher.timeline.uniqueID + 1;
    for (const channel of this.#pusher.allChannels()) {
      channel.unbind_all();
      channel.disconnect();
      this.#pusher.unsubscribe(channel.name);
    }
    this.#unlist();
  }

  subscribe(channel: string): Channel {
    return this.#pusher.subscribe(channel);
  }

  /** Leaves a channel (a pending subscription is cancelled the pusher-js way: left once it succeeds). */
  unsubscribe(channel: string): void {
    this.#pusher.channel(channel)?.unbind_all();
    this.#pusher.unsubscribe(channel);
  }

  /** Forgets a refused channel: pusher-js would keep it as a pending subscription, never sent again. */
  forget(channel: string): void {
    const refused = this.#pusher.channel(channel);
    if (!refused) return;
    refused.unbind_all();
    refused.disconnect();
    this.#pusher.unsubscribe(channel);
  }

  channel(name: string): Channel | undefined {
    return this.#pusher.channel(name) ?? undefined;
  }

  /** Sends an event on the connection; `false` when there is none. */
  send(event: string, data: unknown, channel?: string): boolean {
    return this.#pusher.send_event(event, data, channel);
  }

  #unlist(): void {
    const at = this.#Pusher.instances.indexOf(this.#pusher);
    if (at >= 0) this.#Pusher.instances.splice(at, 1);
  }

  #install(): void {
    const manager = this.#pusher.connection;
    const emit = manager.emit;
    manager.emit = (name, data, metadata) => {
      const hooks = this.#hooks;
      if (name === 'message' && !isPusherEvent(data)) {
        hooks?.badFrame(describe(data));
        return manager;
      }
      const result = emit.call(manager, name, data, metadata);
      if (!hooks || this.#hooks !== hooks) return result;
      if (name === 'message') hooks.event(data as PusherEvent);
      else if (name === 'error') hooks.error(data);
      else if (name === 'state_change') {
        const change = data as { previous?: unknown; current?: unknown } | undefined;
        hooks.state(String(change?.previous), String(change?.current));
      } else if (name === 'connecting_in') {
        // Emitted just before pusher-js creates its retry timer: end the attempt once the timer exists.
        queueMicrotask(() => this.#hooks === hooks && hooks.retrying());
      }
      return result;
    };

    const timeline = this.#pusher.timeline;
    const info = timeline.info;
    const error = timeline.error;
    timeline.info = (event: TimelineEvent) => {
      info.call(timeline, event);
      const hooks = this.#hooks;
      if (!hooks) return;
      if (event?.action === 'retry') {
        // pusher-js creates the retry timer right after logging this: end the attempt once it exists.
        queueMicrotask(() => this.#hooks === hooks && hooks.retrying());
      } else if (event?.state === 'closed' && this.#ours(event.cid)) {
        const code = typeof event.params?.code === 'number' ? event.params.code : undefined;
        const reason = typeof event.params?.reason === 'string' && event.params.reason !== '' ? event.params.reason : undefined;
        hooks.socketClosed(code, reason);
      }
    };
    timeline.error = (event: TimelineEvent) => {
      error.call(timeline, event);
      if (this.#hooks && this.#ours(event?.cid) && event?.error !== undefined) this.#hooks.socketError(String(event.error));
    };
  }

  #ours(cid: unknown): boolean {
    return typeof cid === 'number' && cid >= this.#firstCid;
  }

  #authorizeChannel(socketId: string, channel: string, callback: ChannelAuthorizationCallback): void {
    const hooks = this.#hooks;
    if (!hooks) return; // a stale attempt's channel: never answered, never subscribed
    hooks.authorizeChannel(socketId, channel).then(
      (data) => this.#hooks === hooks && callback(null, { ...data }),
      (reason: unknown) => this.#hooks === hooks && callback(reason instanceof Error ? reason : new Error(String(reason)), null),
    );
  }

  #authenticateUser(socketId: string, callback: UserAuthenticationCallback): void {
    const hooks = this.#hooks;
    if (!hooks) return;
    hooks.authenticateUser(socketId).then(
      (data) => this.#hooks === hooks && callback(null, { ...data }),
      (reason: unknown) => this.#hooks === hooks && callback(reason instanceof Error ? reason : new Error(String(reason)), null),
    );
  }
}

function isPusherEvent(value: unknown): value is PusherEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { event, channel } = value as { event?: unknown; channel?: unknown };
  return typeof event === 'string' && (channel === undefined || channel === null || typeof channel === 'string');
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 120) ?? String(value);
  } catch {
    return String(value);
  }
}
