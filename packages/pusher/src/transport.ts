import { RealtimeError, type Transport, type TransportCapabilities, type TransportConnection } from '@switchboard/core';
import { PusherAttempt, type AttemptDeps } from './connection.js';
import type { RequestSettings } from './http.js';
import { resolveOptions, type PusherTransportOptions } from './options.js';
import { HttpPublisher } from './publish.js';
import { NEVER_MS, PusherDriver, type DriverOptions, type PusherConstructor } from './sdk.js';

/** Idle pusher-js instances kept for the next attempts of one transport. */
const MAX_IDLE = 4;

/**
 * The Pusher Channels transport: the same hooks over pusher-js (a peer dependency). The core retries
 * (pusher-js is stopped the moment it would retry by itself), publishes at most once (Pusher has no
 * acks), and reports a discontinuity on every resubscription (Pusher keeps no history).
 *
 * @example
 * import { createClient } from '@switchboard/core';
 * import { pusher } from '@switchboard/pusher';
 *
 * const client = createClient({
 *   transport: pusher({
 *     key: process.env.NEXT_PUBLIC_PUSHER_KEY!,
 *     cluster: process.env.NEXT_PUBLIC_PUSHER_CLUSTER,
 *     authEndpoint: '/api/pusher/auth', // signs private-* and presence-* channels
 *     publishUrl: '/api/pusher/publish', // your route triggers through Pusher's HTTP API
 *   }),
 * });
 */
export function pusher(options: PusherTransportOptions): Transport {
  const config = resolveOptions(options);
  const name = 'pusher';
  const capabilities: TransportCapabilities = Object.freeze({
    publish: options.publishUrl !== undefined ? 'http' : config.clientEvents ? 'native' : false,
    // The publish endpoint's answer is the ack (client events have none: they are volatile-only then).
    acks: options.publishUrl !== undefined,
    presence: true,
    resume: false,
    clientEvents: config.clientEvents,
    retries: 'core',
    serverless: true,
    auth: 'signed private-/presence- channels (authEndpoint); user sign-in',
  });
  const settings: RequestSettings = { headers: options.headers, credentials: options.credentials ?? 'same-origin', timeoutMs: config.requestTimeoutMs };
  const publisher = options.publishUrl === undefined ? null : new HttpPublisher(options.publishUrl, settings, name);
  const driverOptions: DriverOptions = {
    cluster: config.cluster,
    forceTLS: config.forceTLS,
    enabledTransports: ['ws'],
    ...(options.wsHost === undefined ? {} : { wsHost: options.wsHost }),
    ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
    ...(options.wssPort === undefined ? {} : { wssPort: options.wssPort }),
    ...(options.wsPath === undefined ? {} : { wsPath: options.wsPath }),
    // pusher-js's own liveness and connect timers would reconnect by themselves: the core does both.
    pongTimeout: NEVER_MS,
    unavailableTimeout: NEVER_MS,
  };
  const idle: PusherDriver[] = [];
  let Pusher: PusherConstructor | undefined = options.Pusher;
  let loading: Promise<PusherConstructor> | undefined;
  const load = () => (Pusher ? Promise.resolve(Pusher) : (loading ??= loadPusherJs().then((loaded) => (Pusher = loaded))));

  const deps: AttemptDeps = {
    name,
    config,
    settings,
    publisher,
    release: (driver) => {
      if (idle.length < MAX_IDLE && !idle.includes(driver)) idle.push(driver);
    },
  };

  return {
    name,
    capabilities,
    open(handler, context): TransportConnection {
      let attempt: PusherAttempt | null = null;
      let closed = false;
      const start = (Ctor: PusherConstructor) => {
        if (closed) return;
        try {
          const driver = idle.pop() ?? new PusherDriver(Ctor, config.key, driverOptions, options.userAuthEndpoint !== undefined);
          attempt = new PusherAttempt(deps, driver, handler, context);
        } catch (error) {
          closed = true;
          handler.close({ type: 'protocol', reason: `pusher-js refused the options: ${error instanceof Error ? error.message : String(error)}` });
        }
      };
      if (Pusher) start(Pusher);
      else {
        load().then(start, (error: unknown) => {
          if (closed) return;
          closed = true;
          handler.close({ type: 'protocol', reason: `pusher-js could not be loaded: ${error instanceof Error ? error.message : String(error)}` });
        });
      }
      return {
        subscribe: (channel, subscribeOptions) => attempt?.subscribe(channel, subscribeOptions),
        unsubscribe: (channel) => attempt?.unsubscribe(channel),
        publish: (message) => {
          if (!attempt) throw new RealtimeError('CONNECTION_LOST', 'Not connected yet.', { details: { transport: name, messageId: message.id } });
          attempt.publish(message);
        },
        presence: (channel, op) => attempt?.presence(channel, op),
        ping: () => attempt?.ping(),
        close: () => {
          closed = true;
          attempt?.close();
        },
      };
    },
  };
}

/** pusher-js, loaded on the first connection (importing this package loads nothing). */
async function loadPusherJs(): Promise<PusherConstructor> {
  const mod = (await import('pusher-js')) as { default?: unknown };
  let Ctor: unknown = mod.default ?? mod;
  if (typeof Ctor !== 'function' && typeof (Ctor as { default?: unknown } | null)?.default === 'function') Ctor = (Ctor as { default: unknown }).default;
  if (typeof Ctor !== 'function') throw new TypeError('pusher-js has no default export');
  return Ctor as PusherConstructor;
}
