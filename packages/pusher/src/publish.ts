import { RealtimeError, type OutgoingMessage } from '@switchboard/core';
import { post, type RequestSettings } from './http.js';

/** Where a request's outcome goes: the connection that handed the message over (the core's handler). */
export interface PublishOwner {
  ack(id: string): void;
  nack(id: string, error: RealtimeError): void;
  error(error: RealtimeError): void;
}

interface Job {
  readonly message: OutgoingMessage;
  readonly socketId: string | undefined;
  readonly credentials: unknown;
  readonly owner: PublishOwner;
}

/**
 * Publishing over HTTP to the app's own endpoint (`publishUrl`), which triggers the event through
 * Pusher's HTTP API. One request at a time, in publish order, so subscribers see messages in the order
 * they were published.
 *
 * The endpoint's answer is the ack Pusher's protocol lacks: a 2xx acks the message; 5xx, 408, 429 and
 * an unreachable endpoint nack it as transient (`SERVER_ERROR`, `RATE_LIMITED` with the
 * `Retry-After` hint), so the outbox resends it later within its time to live; 413 and any other
 * answer fail it (`FRAME_TOO_LARGE`, `PUBLISH_REJECTED`). A failing endpoint never disconnects the
 * Pusher socket: it is a different server. A volatile message is not acked; its failure is an `error`
 * event naming it.
 *
 * When a connection ends, its messages not yet requested are dropped here: the outbox resends them on
 * the next connection with the same ids. A request already under way finishes, and its answer is
 * ignored, so its message may be posted twice: at-least-once — the body's `id` lets the endpoint drop
 * a repeat.
 */
export class HttpPublisher {
  readonly #url: string;
  readonly #settings: RequestSettings;
  readonly #transport: string;
  #queue: Job[] = [];
  #draining = false;

  constructor(url: string, settings: RequestSettings, transport: string) {
    this.#url = url;
    this.#settings = settings;
    this.#transport = transport;
  }

  enqueue(message: OutgoingMessage, socketId: string | undefined, credentials: unknown, owner: PublishOwner): void {
    this.#queue.push({ message, socketId, credentials, owner });
    if (!this.#draining) void this.#drain();
  }

  /** The connection `owner` ended: forget what it handed over and was not requested yet. */
  forget(owner: PublishOwner): void {
    this.#queue = this.#queue.filter((job) => job.owner !== owner);
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        const failure = await this.#send(job);
        const { id, volatile } = job.message;
        // A volatile message is not in the outbox (nothing awaits its ack): a failure is an error event.
        if (!failure) {
          if (!volatile) job.owner.ack(id);
        } else if (volatile) job.owner.error(failure);
        else job.owner.nack(id, failure);
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
      return new RealtimeError('SERVER_ERROR', `Message ${id} was not delivered yet: the publish endpoint could not be reached.`, { cause, details });
    }
    const { status, retryAfterMs } = answer;
    if (answer.ok) return null;
    const code = status === 429 ? 'RATE_LIMITED' : status >= 500 || status === 408 ? 'SERVER_ERROR' : status === 413 ? 'FRAME_TOO_LARGE' : 'PUBLISH_REJECTED';
    return new RealtimeError(code, `Message ${id} was not delivered: the publish endpoint answered ${status}.`, {
      details: { ...details, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    });
  }
}
