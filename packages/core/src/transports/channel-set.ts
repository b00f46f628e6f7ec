import { RealtimeError } from '../errors.js';
import { frameError, isPrivateChannel, isValidChannelName, type MessageFrame, type PresenceSyncFrame, type RefusedFrame, type SubscribedFrame } from '../protocol/index.js';
import type { TransportHandler } from '../transport.js';
import { memberIdOf, type ChannelAuthCache, type ChannelAuthorization } from './channel-auth.js';
import { invalidChannel, toMessage, toPresenceEvent } from './shared.js';

/** One channel an HTTP transport asks for on every request (stream or poll). */
export interface RequestChannel {
  readonly channel: string;
  readonly cursor: string | null;
  readonly presence?: number;
  readonly auth?: ChannelAuthorization;
}

interface Wanted {
  cursor: string | null;
  presence: number | undefined;
  confirmed: boolean;
  /** `undefined` while a signature is being fetched; `null` for public channels. */
  auth: ChannelAuthorization | null | undefined;
  /** The session the signature is for. */
  authSession: string | null;
  /** Signed again once already after the server changed the session (never loops). */
  resigned: boolean;
}

/**
 * The channels of an SSE or polling connection. Both are stateless on the server side: every request
 * lists every channel with its cursor, so this is the single source of what to ask for. Cursors move
 * with every message delivered; a signature is fetched once per session and channel.
 *
 * `remembered` outlives connections (it belongs to the transport): the first request of the next
 * connection already carries the channels of the last one, so a reconnect costs one request.
 */
export class ChannelSet {
  readonly #wanted = new Map<string, Wanted>();
  readonly #early = new Map<string, SubscribedFrame>();

  constructor(
    private readonly handler: TransportHandler,
    private readonly auth: ChannelAuthCache,
    private readonly transport: string,
    private readonly remembered: Map<string, RequestChannel>,
    private readonly changed: () => void,
  ) {}

  session: string | null = null;

  /** What the first request of a connection carries (the previous connection's channels). */
  initial(): RequestChannel[] {
    // Without presence versions: a new connection gets full member lists.
    return [...this.remembered.values()]
      .filter((c) => !isPrivateChannel(c.channel) || c.auth !== undefined)
      .map((c) => ({ channel: c.channel, cursor: c.cursor, ...(c.auth ? { auth: c.auth } : {}) }));
  }

  /** Channels ready to be requested (signatures fetched), with their cursors. */
  list(): RequestChannel[] {
    const out: RequestChannel[] = [];
    for (const [channel, w] of this.#wanted) {
      if (w.auth === undefined) continue;
      out.push({ channel, cursor: w.cursor, ...(w.presence === undefined ? {} : { presence: w.presence }), ...(w.auth ? { auth: w.auth } : {}) });
    }
    return out;
  }

  has(channel: string): boolean {
    return this.#wanted.has(channel);
  }

  get size(): number {
    return this.#wanted.size;
  }

  /** Every channel ready to be requested was confirmed by the server (none waits for its `subscribed`). */
  get confirmed(): boolean {
    for (const w of this.#wanted.values()) if (!w.confirmed && w.auth !== undefined) return false;
    return true;
  }

  add(channel: string, cursor: string | null): void {
    if (!isValidChannelName(channel)) {
      queueMicrotask(() => this.handler.subscribeFailed(channel, invalidChannel(channel, this.transport)));
      return;
    }
    const w: Wanted = { cursor, presence: undefined, confirmed: false, auth: isPrivateChannel(channel) ? undefined : null, authSession: null, resigned: false };
    this.#wanted.set(channel, w);
    const early = this.#early.get(channel);
    this.#early.delete(channel);
    if (early && early.resumed && early.cursor === cursor) this.subscribed(early);
    if (w.auth === null) return this.changed();
    this.#authorize(channel, w);
  }

  #authorize(channel: string, w: Wanted): void {
    const session = this.session;
    if (session === null) return;
    this.auth.get(session, channel, this.transport).then(
      (authorization) => {
        if (this.#wanted.get(channel) !== w) return;
        w.auth = authorization;
        w.authSession = session;
        this.changed();
      },
      (error: unknown) => {
        if (this.#wanted.get(channel) !== w) return;
        this.#wanted.delete(channel);
        this.handler.subscribeFailed(channel, error instanceof RealtimeError ? error : new RealtimeError('UNAUTHORIZED', String(error), { cause: error }));
      },
    );
  }

  remove(channel: string): void {
    if (!this.#wanted.delete(channel)) return;
    this.remembered.delete(channel);
    this.changed();
  }

  /** The server confirmed a channel (again, after a reopen or on every poll). */
  subscribed(frame: SubscribedFrame): void {
    const w = this.#wanted.get(frame.channel);
    if (!w) {
      this.#early.set(frame.channel, frame);
      return;
    }
    if (!frame.resumed && frame.cursor !== null) w.cursor = frame.cursor;
    this.#remember(frame.channel, w);
    if (!w.confirmed) {
      w.confirmed = true;
      const memberId = memberIdOf(w.auth);
      this.handler.subscribed(frame.channel, {
        resumed: frame.resumed,
        ...(frame.cursor === null ? {} : { cursor: frame.cursor }),
        ...(memberId === undefined ? {} : { memberId }),
      });
    } else if (!frame.resumed) {
      this.handler.discontinuity(frame.channel);
    }
  }

  refused(frame: RefusedFrame): void {
    const w = this.#wanted.get(frame.channel);
    if (!w || w.auth === undefined) return; // a (new) signature is on its way: the next request counts
    if (frame.code === 'UNAUTHORIZED' && w.auth !== null && w.authSession !== this.session && !w.resigned) {
      // Signed for a session the server no longer accepts: sign again for the current one (once).
      w.resigned = true;
      w.auth = undefined;
      return this.#authorize(frame.channel, w);
    }
    this.#wanted.delete(frame.channel);
    this.remembered.delete(frame.channel);
    this.handler.subscribeFailed(frame.channel, frameError(frame, this.transport));
    this.changed();
  }

  /** Delivers a message of a wanted channel and moves its cursor; others are dropped. */
  message(frame: MessageFrame): void {
    const w = this.#wanted.get(frame.channel);
    if (!w) return;
    w.cursor = frame.offset;
    this.#remember(frame.channel, w);
    this.handler.message(toMessage(frame));
  }

  /** Moves a channel's cursor past a message that cannot be delivered (too large), so it is not refetched. */
  skip(frame: MessageFrame): void {
    const w = this.#wanted.get(frame.channel);
    if (!w) return;
    w.cursor = frame.offset;
    this.#remember(frame.channel, w);
  }

  presence(frame: PresenceSyncFrame & { version?: number }): void {
    const w = this.#wanted.get(frame.channel);
    if (!w) return;
    if (frame.version !== undefined) w.presence = frame.version;
    this.#remember(frame.channel, w);
    this.handler.presence(frame.channel, toPresenceEvent(frame));
  }

  #remember(channel: string, w: Wanted): void {
    this.remembered.set(channel, { channel, cursor: w.cursor, ...(w.presence === undefined ? {} : { presence: w.presence }), ...(w.auth ? { auth: w.auth } : {}) });
  }
}
