import { RealtimeError, type OutgoingMessage } from '@switchboard/core';
import { post, type RequestSettings } from './http.js';

/** Most failures kept for the next connection when they happen while there is none. */
const MAX_UNREPORTED = 100;

interface Job {
  readonly message: OutgoingMessage;
  readonly socketId: string | undefined;
  readonly credentials: unknown;
}

/**
 * Publishing over HTTP to the app's own endpoint (`publishUrl`), which triggers the event through
 * Pusher's HTTP API. One request at a time, in publish order, so subscribers see messages in the order
 * they were published. Pusher has no acks: a message counts as sent once handed over here
 * (at-most-once); a request that fails is not repeated, and becomes an `error` event naming the message.
 *
 * The queue belongs to the transport, not to one connection: requests do not need the socket, so a
 * reconnect neither drops nor repeats them.
 */
export class HttpPublisher {
  readonly #url: string;
  readonly #settings: RequestSettings;
  readonly #transport: string;
  readonly #queue: Job[] = [];
  #draining = false;
  #report: ((error: RealtimeError) => void) | null = null;
  readonly #unreported: RealtimeError[] = [];

  constructor(url: string, settings: RequestSettings, transport: string) {
    this.#url = url;
    this.#settings = settings;
    this.#transport = transport;
  }

  /** Failures go to `report` (the live connection's error channel) until the returned detach is called. */
  reportTo(report: (error: RealtimeError) => void): () => void {
    this.#report = report;
    for (const error of this.#unreported.splice(0)) report(error);
    return () => {
      if (this.#report === report) this.#report = null;
    };
  }

  enqueue(message: OutgoingMessage, socketId: string | undefined, credentials: unknown): void {
    this.#queue.push({ message, socketId, credentials });
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        const failure = await this.#send(job);
        if (failure) this.#fail(failure);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #send({ message, socketId, credentials }: Job): Promise<RealtimeError | null> {
    const { id, channel, event, data } = message;
    const details = { transport: this.#transport, channel, event, messageId: id };
    let answer;
    try {
      answer = await post(this.#url, { channel, event, data, id, ...(socketId === undefined ? {} : { socket_id: socketId }) }, this.#settings, credentials);
    } catch (cause) {
      return new RealtimeError('CONNECTION_LOST', `Message ${id} was not delivered: the publish endpoint could not be reached.`, { cause, details });
    }
    if (answer.ok) return null;
    const code = answer.status === 429 ? 'RATE_LIMITED' : answer.status === 413 ? 'FRAME_TOO_LARGE' : 'PUBLISH_REJECTED';
    return new RealtimeError(code, `Message ${id} was not delivered: the publish endpoint answered ${answer.status}.`, { details: { ...details, status: answer.status } });
  }

  #fail(error: RealtimeError): void {
    if (this.#report) return this.#report(error);
    if (this.#unreported.length >= MAX_UNREPORTED) this.#unreported.shift();
    this.#unreported.push(error);
  }
}
