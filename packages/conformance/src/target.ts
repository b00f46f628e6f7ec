import type { RealtimeErrorCode, Transport } from '@switchboard/core';

/** Server-side settings a test needs (shortened timings). */
export interface PeerOptions {
  /** How often the server sends something (pings, SSE comments). */
  readonly heartbeatMs: number;
  /** Presence of an HTTP client that stopped asking expires after this. */
  readonly presenceTimeoutMs: number;
  /** Port to listen on, kept across restarts (a vendor peer run by an app). Default 0: a free port each start. */
  readonly listenPort?: number;
}

/**
 * The real server a transport talks to, as the suite drives it: the server kit for the native
 * transports; a wire-level test peer for vendor transports.
 */
export interface Peer {
  /** Port on 127.0.0.1 where the peer listens now (a new one after `restart()`). */
  readonly port: number;
  /** Publishes from the server side. */
  publish(channel: string, event: string, data: unknown): Promise<void>;
  /** Connections / streams the server holds open right now (0 for stateless polling). */
  sessions(): number;
  /** Subscriptions the server set up for a channel so far, when it can tell (a stateless poll cannot). */
  subscribes?(channel: string): number;
  /**
   * Kills the server abruptly: every connection dropped, nothing listening. Its broker state survives,
   * as a Redis-backed deployment's does when a process dies.
   */
  kill(): Promise<void>;
  /**
   * Starts the server again (on a new port), with the same broker — or, with `empty`, as a new process
   * with an in-memory broker starts: no history, a new offset epoch (peers that keep no history ignore it).
   */
  restart(options?: { empty?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface TransportFactoryOptions {
  /** The client refuses inbound frames larger than this. */
  readonly maxFrameBytes?: number;
  /** Short request timeouts, for the half-open test of transports without a heartbeat. */
  readonly fastTimeouts?: boolean;
}

/** One transport under test, and how to run it against its real peer. */
export interface ConformanceTarget {
  readonly name: string;
  startPeer(options: PeerOptions): Promise<Peer>;
  /** A transport reaching the peer through `port` on 127.0.0.1 (the fault proxy). */
  createTransport(port: number, options: TransportFactoryOptions): Transport;
  /** A token the peer refuses, and the code the client must end in `failed` with. */
  readonly refusedToken: { readonly token: string; readonly code: RealtimeErrorCode };
  /** A token the peer accepts (`undefined`: no auth provider). */
  readonly goodToken?: string;
  /**
   * How a half-open connection is noticed: the code in `lastError`, and the deadline after which it
   * must have been (server heartbeat interval + the client's grace, or the request timeout).
   */
  liveness(heartbeatMs: number, graceMs: number): { readonly code: RealtimeErrorCode; readonly deadlineMs: number };
  /** The peer can restart empty (`restart({ empty: true })`) and the transport resumes: the server kit's. */
  readonly restartsEmpty?: boolean;
  /** Private channels: one the auth endpoint signs, one it refuses. */
  readonly privateChannels?: { readonly allowed: string; readonly refused: string };
}
