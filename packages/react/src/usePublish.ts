import {
  RealtimeError,
  type AnySchema,
  type ChannelEventName,
  type ChannelName,
  type ChannelSchema,
  type OutboxEntry,
  type OutboxSnapshot,
  type Payload,
  type PublishOptions,
  type PublishResult,
  type RealtimeClient,
} from '@switchboard/core';
import { useCallback, useMemo } from 'react';
import { useClient } from './context.js';
import { shallowArrayEqual, useSelector } from './internal/useSelector.js';

export interface OutboxState {
  /** This channel's messages waiting for an ack (`queued` while offline, `sending` once written). */
  readonly pending: readonly OutboxEntry[];
  /** This channel's messages that failed (nack, timeout, suspended). */
  readonly failed: readonly OutboxEntry[];
  /** Puts a failed message back in the queue with the same id. */
  readonly retry: (id: string) => Promise<PublishResult>;
  /** Forgets a failed message. */
  readonly discard: (id: string) => void;
}

export interface UsePublishResult<S extends ChannelSchema = AnySchema, C extends string = string> extends OutboxState {
  /**
   * Publishes through the outbox: queued while offline, resent after reconnect with the same id.
   * Resolves on the server's ack. Stable identity.
   */
  readonly publish: <E extends ChannelEventName<S, C>>(event: E, data: Payload<S, C, E>, options?: PublishOptions) => Promise<PublishResult>;
}

const EMPTY_OUTBOX: OutboxSnapshot = /* @__PURE__ */ Object.freeze({ pending: /* @__PURE__ */ Object.freeze([]), failed: /* @__PURE__ */ Object.freeze([]), bytes: 0 });

type ChannelOutbox = Pick<OutboxState, 'pending' | 'failed'>;
const sameOutbox = (a: ChannelOutbox, b: ChannelOutbox) => shallowArrayEqual(a.pending, b.pending) && shallowArrayEqual(a.failed, b.failed);

/** @internal Outbox state of one channel; re-renders only when that channel's entries change. */
export function useChannelOutbox(client: RealtimeClient<AnySchema>, channel: string): OutboxState {
  const select = useCallback(
    (s: OutboxSnapshot): ChannelOutbox => ({
      pending: s.pending.filter((e) => e.channel === channel),
      failed: s.failed.filter((e) => e.channel === channel),
    }),
    [channel],
  );
  const { pending, failed } = useSelector(client.outbox, select, sameOutbox, EMPTY_OUTBOX);
  const retry = useCallback((id: string) => client.outbox.retry(id), [client]);
  const discard = useCallback((id: string) => client.outbox.discard(id), [client]);
  return useMemo(() => ({ pending, failed, retry, discard }), [pending, failed, retry, discard]);
}

/**
 * Publishes to a channel and shows what is still on its way: `pending` ("sending…") and `failed`
 * (with `retry`/`discard`). Does not subscribe to the channel. Throws a `CAPABILITY_MISSING` error
 * while rendering if the transport cannot publish.
 *
 * @example
 * function Composer({ room }: { room: string }) {
 *   const { publish, pending, failed, retry } = usePublish(room);
 *   return (
 *     <form action={(form) => void publish('message', { text: String(form.get('text')) })}>
 *       <input name="text" />
 *       {pending.length > 0 && <small>sending {pending.length}…</small>}
 *       {failed.map((m) => <button key={m.id} onClick={() => retry(m.id)}>retry “{String((m.data as { text: string }).text)}”</button>)}
 *     </form>
 *   );
 * }
 */
export function usePublish<S extends ChannelSchema = AnySchema, C extends ChannelName<S> = ChannelName<S>>(channel: C): UsePublishResult<S, C> {
  const client = useClient('usePublish');
  if (client.transport.capabilities.publish === false) {
    throw new RealtimeError(
      'CAPABILITY_MISSING',
      `usePublish(): the ${client.transport.name} transport does not support publish. Publish from your server, or use a transport that publishes: websocket, sse/polling (over HTTP), ably or socket.io.`,
      { details: { transport: client.transport.name, capability: 'publish' } },
    );
  }
  const outbox = useChannelOutbox(client, channel);
  const publish = usePublishFunction<S, C>(client, channel);
  return useMemo(() => ({ ...outbox, publish }), [outbox, publish]);
}

/** @internal */
export function usePublishFunction<S extends ChannelSchema, C extends string>(client: RealtimeClient<AnySchema>, channel: string): UsePublishResult<S, C>['publish'] {
  return useCallback(
    (event: string, data: unknown, options?: PublishOptions) => client.publish(channel, event, data, options),
    [client, channel],
  ) as unknown as UsePublishResult<S, C>['publish'];
}
