import type { Transport, TransportCapabilities } from '@switchboard/core';
import { io as defaultIo, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { ChannelAuthCache, type ChannelAuthOption } from './channel-auth.js';
import { openConnection, type SocketEntry } from './connection.js';
import { tolerantParser, type ParserSink } from './parser.js';

/** Options of `socketIO()`: plain data, plus optional functions. */
export interface SocketIOTransportOptions {
  /**
   * The socket.io server, as you would pass it to `io()`: `https://example.com` (namespace `/`) or
   * `https://example.com/chat` (namespace `/chat`). A function is read on every connection attempt.
   */
  url: string | (() => string);
  /** The server's socket.io path. Default `/socket.io`. */
  path?: string;
  /** engine.io transports, in order of preference. Default socket.io's: polling first, then upgrade. */
  transports?: readonly ('polling' | 'websocket' | 'webtransport')[];
  /** Signatures for `private-*` / `presence-*` channels: your auth endpoint, or a function. */
  auth?: ChannelAuthOption;
  /** An attempt that is not protocol-ready (welcome received) within this is abandoned and retried. Default 10 s. */
  connectTimeoutMs?: number;
  /** A publish or subscribe the server does not answer within this fails with `TIMEOUT`. Default 10 s. */
  ackTimeoutMs?: number;
  /** Inbound packets larger than this (UTF-8 bytes) are dropped with `FRAME_TOO_LARGE`. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Send cookies cross-origin (browser). */
  withCredentials?: boolean;
  /** Extra query parameters of the handshake. */
  query?: Readonly<Record<string, string>>;
  /** Extra handshake headers (Node, or polling in browsers). */
  extraHeaders?: Readonly<Record<string, string>>;
  /**
   * Any other socket.io-client option. `reconnection`, `autoConnect`, `forceNew`, `parser` and `timeout`
   * are always overridden: the core retries, and exactly one layer may.
   */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
  /** The `io()` to use (default: socket.io-client's). */
  io?: (url: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;
}

/** What this transport can do. Declared once, read by the core and the docs' capability matrix. */
export const SOCKET_IO_CAPABILITIES: TransportCapabilities = Object.freeze({
  publish: 'native',
  acks: true,
  presence: true,
  resume: true,
  clientEvents: false,
  retries: 'core',
  serverless: false,
  auth: 'handshake token; signed private-/presence- channels',
});

const NAME = 'socket.io';


/**
 * Creates the socket.io transport: switchboard channels, acks, presence and recovery over
 * socket.io-client 4.8, against a server running `@switchboard/socket.io/server`.
 *
 * socket.io-client's own reconnection is off: the core retries (one layer, with jitter). Its socket is
 * kept across attempts, so the next connection presents the previous session to the server's
 * connection state recovery.
 *
 * @example
 * import { createClient } from '@switchboard/core';
 * import { socketIO } from '@switchboard/socket.io';
 *
 * const client = createClient({
 *   transport: socketIO({ url: 'https://realtime.example.com', auth: { endpoint: '/api/realtime/auth' } }),
 *   auth: () => getSessionToken(), // sent as the handshake's `auth.token`
 * });
 */
export function socketIO(options: SocketIOTransportOptions): Transport {
  const signer = new ChannelAuthCache(options.auth, () => globalThis.fetch, NAME);
  const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
  const idle: ParserSink = { error: () => {}, maxFrameBytes, transport: NAME };
  const settings = { connectTimeoutMs: options.connectTimeoutMs ?? 10_000, ackTimeoutMs: options.ackTimeoutMs ?? 10_000 };
  let kept: SocketEntry | null = null;

  const create = (url: string): SocketEntry => {
    // The parser reads `entry.sink` on every packet: each attempt points it at its own handler.
    const entry: Omit<SocketEntry, 'socket'> = { url, inUse: true, sink: idle };
    const socketOptions: Partial<ManagerOptions & SocketOptions> = {
      ...options.socketOptions,
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.transports === undefined ? {} : { transports: [...options.transports] }),
      ...(options.withCredentials === undefined ? {} : { withCredentials: options.withCredentials }),
      ...(options.query === undefined ? {} : { query: { ...options.query } }),
      ...(options.extraHeaders === undefined ? {} : { extraHeaders: { ...options.extraHeaders } }),
      forceNew: true,
      reconnection: false,
      autoConnect: false,
      timeout: settings.connectTimeoutMs,
      parser: tolerantParser(() => entry.sink),
    };
    const socket = (options.io ?? defaultIo)(url, socketOptions);
    // Whatever a custom `io` did with the options: the core is the one layer that retries.
    socket.io.reconnection(false);
    return Object.assign(entry, { socket });
  };

  /** The kept socket (its session is what recovery resumes), or a fresh one while it is busy. */
  const acquire = (url: string): SocketEntry => {
    if (kept && !kept.inUse && kept.url === url) {
      kept.inUse = true;
      return kept;
    }
    const entry = create(url);
    if (!kept || !kept.inUse) kept = entry;
    return entry;
  };

  return {
    name: NAME,
    capabilities: SOCKET_IO_CAPABILITIES,
    open(handler, context) {
      let entry: SocketEntry;
      try {
        entry = acquire(typeof options.url === 'function' ? options.url() : options.url);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        let done = false;
        queueMicrotask(() => !done && handler.close({ type: 'protocol', reason }));
        return { subscribe() {}, unsubscribe() {}, publish() {}, close: () => void (done = true) };
      }
      return openConnection(entry, handler, context.credentials, signer, settings, idle);
    },
  };
}
