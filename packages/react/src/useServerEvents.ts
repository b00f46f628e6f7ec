import type { AnySchema, ChannelEventName, ChannelName, ChannelSchema, ChannelStatus, Payload, RealtimeError } from '@switchboard/core';
import { startTransition, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useClient } from './context.js';
import { EventBuffer } from './internal/eventBuffer.js';
import { useChannelStatus } from './internal/useChannelStatus.js';
import { useLatest } from './internal/useLatest.js';

export interface ServerEvent<E extends string = string, D = unknown> {
  /** Server id / cursor of the event, when the source has one. */
  readonly id?: string;
  readonly event: E;
  readonly data: D;
  /** The channel (or URL) it came from. */
  readonly source: string;
  /** Client clock time of arrival (ms). */
  readonly receivedAt: number;
}

export type ServerEventOf<S extends ChannelSchema, C extends string> = {
  [E in ChannelEventName<S, C>]: ServerEvent<E, Payload<S, C, E>>;
}[ChannelEventName<S, C>];

export interface UseServerEventsOptions<E extends string = string> {
  /** Keep the last `max` events (default 50). */
  max?: number;
  /** Render at most once per `batchMs` (default: once per arrival batch). */
  batchMs?: number;
  /** Only these events (default: all). */
  events?: readonly E[];
  /** `false` stops listening (default `true`). */
  enabled?: boolean;
  /** Deliver updates inside `startTransition` (non-blocking, e.g. dashboards). */
  transition?: boolean;
}

export interface UseServerEventsResult<V> {
  /** The most recent events, oldest first, at most `max`. */
  readonly events: readonly V[];
  /** Subscription state of the source. */
  readonly status: ChannelStatus;
  readonly error: RealtimeError | null;
  /** Empties the list. Stable. */
  readonly clear: () => void;
}

const EMPTY: readonly never[] = Object.freeze([]);
const serverEmpty = () => EMPTY;

/**
 * A bounded list of recent events from a channel — notifications, activity feeds, progress. Bursts are
 * coalesced: 1,000 messages arriving in one task cause one render; `batchMs` caps the render rate.
 *
 * @example
 * function Notifications() {
 *   const { events } = useServerEvents('notifications', { max: 20, events: ['notification'] });
 *   return <ul>{events.map((e) => <li key={e.id}>{e.data.title}</li>)}</ul>;
 * }
 */
export function useServerEvents<S extends ChannelSchema = AnySchema, C extends ChannelName<S> = ChannelName<S>>(
  source: C,
  options: UseServerEventsOptions<ChannelEventName<S, C>> = {},
): UseServerEventsResult<ServerEventOf<S, C>> {
  const client = useClient('useServerEvents');
  const { max = 50, batchMs = 0, enabled = true, transition = false } = options;
  const [buffer] = useState(() => new EventBuffer<ServerEventOf<S, C>>(client.platform, max, batchMs));
  buffer.configure(max, batchMs);
  const filter = useLatest(options.events);
  const channel = useMemo(() => client.channel(source), [client, source]);

  useEffect(() => {
    if (!enabled) return;
    const off = channel.subscribe((message) => {
      const wanted = filter.current;
      if (wanted && !wanted.includes(message.event as ChannelEventName<S, C>)) return;
      buffer.push({
        ...(message.id === undefined ? {} : { id: message.id }),
        event: message.event,
        data: message.data,
        source: message.channel,
        receivedAt: client.platform.now(),
      } as ServerEventOf<S, C>);
    });
    return () => {
      off();
      buffer.pause();
    };
  }, [client, channel, buffer, enabled, filter]);

  const events = useBufferSnapshot(buffer, transition);
  const state = useChannelStatus(channel.status);
  const clear = useMemo(() => () => buffer.clear(), [buffer]);
  return useMemo(() => ({ events, status: state.status, error: state.error, clear }), [events, state, clear]);
}

/**
 * The buffer's snapshot. `useSyncExternalStore` by default; with `transition`, mirrored into state
 * inside `startTransition` (external-store updates cannot be transitions).
 */
function useBufferSnapshot<T>(buffer: EventBuffer<T>, transition: boolean): readonly T[] {
  const synced = useSyncExternalStore(transition ? noopSubscribe : buffer.subscribe, transition ? serverEmpty : buffer.getSnapshot, serverEmpty);
  const [deferred, setDeferred] = useState<readonly T[]>(buffer.getSnapshot);
  useEffect(() => {
    if (!transition) return;
    return buffer.subscribe(() => startTransition(() => setDeferred(buffer.getSnapshot())));
  }, [buffer, transition]);
  return transition ? deferred : synced;
}

const noopSubscribe = () => () => {};
