import type { Redis } from 'ioredis';
import type { BrokerEvent, BrokerMessage, PresenceList } from '../broker.js';
import { compareIds, decodeEvent, parseOffset } from './codec.js';

type Listener = (event: BrokerEvent) => void;

/** Where a channel's history stands, as the broker reads it from Redis. */
export interface Position {
  readonly epoch: string;
  /** Stream id of the newest stored message (`0-0` for none). */
  readonly head: string;
  /** Stored messages after the asked-for id, oldest first; `null` when they cannot all be had. */
  readonly after: readonly BrokerMessage[] | null;
}

export interface FanoutDeps {
  /** Messages after `id` of `epoch` (`null`: just the position). */
  position(channel: string, from: { epoch: string; id: string } | null): Promise<Position>;
  presenceList(channel: string): Promise<PresenceList>;
  /** Runs a command on the subscriber connection once it is ready (or fails after the offline timeout). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  onError(error: unknown): void;
}

/** One channel this process listens to. */
interface Feed {
  readonly channel: string;
  readonly listeners: Set<Listener>;
  /** Resolves once Redis confirmed the subscription and the feed knows where the channel stands. */
  ready: Promise<void> | null;
  epoch: string | null;
  /** Newest stored message delivered here (or the head when the feed started): where a catch-up starts. */
  lastId: string | null;
  /** While catching up after a reconnect, live events wait here (in order). */
  buffer: BrokerEvent[] | null;
}

/** Live events held per channel during a catch-up before the feed gives up and resets. */
const MAX_BUFFER = 10_000;

/**
 * Fan-out of Redis pub/sub to this process' listeners: one Redis subscription per channel however
 * many local subscribers it has, delivered in publish order. Each feed remembers the newest stored
 * message it delivered; after the subscriber connection comes back, it catches up from the channel's
 * stream (so nothing published meanwhile by other processes is missed), or — when that history is
 * gone — tells its listeners to `reset`.
 */
export class Fanout {
  readonly #feeds = new Map<string, Feed>();
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #deps: FanoutDeps;

  constructor(sub: Redis, prefix: string, deps: FanoutDeps) {
    this.#sub = sub;
    this.#prefix = `${prefix}c:`;
    this.#deps = deps;
    sub.on('message', (name: string, text: string) => this.#onMessage(name, text));
  }

  /** Channels with at least one local listener. */
  get channels(): number {
    return this.#feeds.size;
  }

  async add(channel: string, listener: Listener): Promise<() => void> {
    let feed = this.#feeds.get(channel);
    if (!feed) {
      feed = { channel, listeners: new Set(), ready: null, epoch: null, lastId: null, buffer: null };
      this.#feeds.set(channel, feed);
    }
    feed.listeners.add(listener);
    const current = feed;
    current.ready ??= this.#start(current);
    try {
      await current.ready;
    } catch (error) {
      this.#remove(current, listener);
      throw error;
    }
    return () => this.#remove(current, listener);
  }

  /** After the subscriber connection came back: subscribe again, catch up every feed, resync presence. */
  async resync(): Promise<void> {
    const feeds = [...this.#feeds.values()];
    if (feeds.length === 0) return;
    for (const feed of feeds) feed.buffer ??= [];
    await this.#deps.run(() => this.#sub.subscribe(...feeds.map((f) => this.#prefix + f.channel)));
    await Promise.all(feeds.map((feed) => this.#catchUp(feed)));
  }

  /** Drops every feed (the broker is closing). */
  clear(): void {
    this.#feeds.clear();
  }

  async #start(feed: Feed): Promise<void> {
    try {
      await this.#deps.run(() => this.#sub.subscribe(this.#prefix + feed.channel));
      if (!this.#feeds.has(feed.channel)) {
        // Everyone left while Redis confirmed: do not keep the subscription.
        this.#sub.unsubscribe(this.#prefix + feed.channel).catch(() => {});
        return;
      }
      const position = await this.#deps.position(feed.channel, null);
      feed.epoch ??= position.epoch;
      if (feed.lastId === null || compareIds(position.head, feed.lastId) > 0) feed.lastId = position.head;
    } catch (error) {
      feed.ready = null;
      throw error;
    }
  }

  async #catchUp(feed: Feed): Promise<void> {
    try {
      const from = feed.epoch !== null && feed.lastId !== null ? { epoch: feed.epoch, id: feed.lastId } : null;
      const position = await this.#deps.position(feed.channel, from);
      if (from && position.epoch === from.epoch && position.after) {
        for (const message of position.after) this.#accept(feed, { kind: 'message', message }, true);
      } else {
        if (from) this.#emit(feed, { kind: 'reset', channel: feed.channel });
        feed.epoch = position.epoch;
        feed.lastId = position.head;
      }
      const presence = await this.#deps.presenceList(feed.channel);
      this.#emit(feed, { kind: 'sync', channel: feed.channel, members: presence.members, version: presence.version });
    } catch (error) {
      // Redis went away again: the next reconnect catches up from the same place.
      this.#deps.onError(error);
      return;
    }
    const buffered = feed.buffer ?? [];
    feed.buffer = null;
    for (const event of buffered) this.#accept(feed, event, true);
  }

  #onMessage(name: string, text: string): void {
    if (!name.startsWith(this.#prefix)) return;
    const feed = this.#feeds.get(name.slice(this.#prefix.length));
    if (!feed) return;
    const event = decodeEvent(feed.channel, text);
    if (!event) return this.#deps.onError(new Error(`Ignored a malformed Redis message on ${name}.`));
    if (feed.buffer) {
      if (feed.buffer.length < MAX_BUFFER) feed.buffer.push(event);
      else {
        feed.buffer = [];
        feed.lastId = null;
        this.#emit(feed, { kind: 'reset', channel: feed.channel });
      }
      return;
    }
    this.#accept(feed, event, false);
  }

  /** Delivers an event unless it is a stored message already delivered; keeps the feed's position. */
  #accept(feed: Feed, event: BrokerEvent, replay: boolean): void {
    if (event.kind === 'message') {
      const parsed = parseOffset(event.message.offset);
      const stored = parsed !== null && !event.message.offset.includes(':');
      if (parsed && stored) {
        if (feed.epoch !== null && parsed.epoch !== feed.epoch) {
          // Redis lost its data under a live feed: what came before cannot be replayed.
          if (!replay) this.#emit(feed, { kind: 'reset', channel: feed.channel });
          feed.epoch = parsed.epoch;
        } else if (feed.lastId !== null && compareIds(parsed.id, feed.lastId) <= 0) {
          return;
        }
        feed.epoch ??= parsed.epoch;
        feed.lastId = parsed.id;
      }
    }
    this.#emit(feed, event);
  }

  #emit(feed: Feed, event: BrokerEvent): void {
    for (const listener of [...feed.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener must not break fan-out to the others (listeners are the server's own code).
      }
    }
  }

  #remove(feed: Feed, listener: Listener): void {
    feed.listeners.delete(listener);
    if (feed.listeners.size > 0 || this.#feeds.get(feed.channel) !== feed) return;
    this.#feeds.delete(feed.channel);
    if (this.#sub.status === 'ready') this.#sub.unsubscribe(this.#prefix + feed.channel).catch(() => {});
  }
}
