import type { Peer, PeerOptions } from '../target.js';
import type { ClientFrame, TokenGrant, WireError, WireMessage } from './ably-protocol.js';

export interface AblyPeerOptions extends PeerOptions {
  /** Secret the peer's tokens are signed with. Default `ABLY_PEER_SECRET`. */
  readonly secret?: string;
  /** `keyName:keySecret` whose `TokenRequest`s `POST /keys/<keyName>/requestToken` exchanges. */
  readonly apiKey?: string;
  /** Announced as `connectionDetails.maxMessageSize`; larger publishes are nacked (40009). Default 64 KiB. */
  readonly maxMessageSize?: number;
  /** How long a dropped connection can still be resumed. Default 120 s. */
  readonly connectionStateTtlMs?: number;
  /** Messages kept per channel for resume and rewind. Default 10 000. */
  readonly historySize?: number;
  /** Channels refused on attach (besides the token's capability), e.g. `(c) => c.includes('denied')`. */
  readonly refuseChannel?: (channel: string) => boolean;
  /** Decides per publish: an error nacks it (nothing is delivered). */
  readonly onPublish?: (channel: string, messages: readonly WireMessage[]) => WireError | undefined;
}

/** The Ably test peer: Ably's JSON realtime protocol over `ws`, on 127.0.0.1 port 0. */
export interface AblyPeer extends Peer {
  /** WebSocket connections accepted since start (connect and reconnect attempts). */
  readonly connectAttempts: number;
  /** ATTACH messages received for a channel so far. */
  subscribes(channel: string): number;
  /** Protocol messages received from clients, oldest first (the last 1000). */
  readonly frames: readonly ClientFrame[];
  /** Mints a token this peer accepts. */
  mintToken(grant?: TokenGrant): string;
  /** From now on the token is refused (40141). */
  revoke(token: string): void;
  /** Sends raw text (or an object as JSON) to every open connection. */
  inject(frame: string | object): void;
  /** Sends DISCONNECTED (with `error`) to every open connection and closes it. */
  disconnectAll(error?: WireError): void;
  /** Drops every open connection abruptly (connection state kept, so clients can resume). */
  drop(): void;
  /** Detaches a channel from every connection on the server's side (DETACHED with `error`). */
  detach(channel: string, error?: WireError): void;
  /** Forgets a channel's history (or every channel's): later resumes are not `RESUMED`. */
  forgetHistory(channel?: string): void;
  /** Forgets every connection: later resumes get a new connection (error 80008). */
  forgetConnections(): void;
  /** Presence members of a channel as the server sees them. */
  members(channel: string): readonly { readonly clientId: string; readonly connectionId: string; readonly data: unknown }[];
}
