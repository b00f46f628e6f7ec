import type {
  AnySchema,
  Channel,
  ChannelEventName,
  ChannelName,
  ChannelSchema,
  ChannelSnapshot,
  ChannelStatus,
  ConnectionSnapshot,
  Payload,
  Readable,
  RealtimeClient,
  RealtimeError,
} from '@switchboard/core';
import { startTransition, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useClient } from './context.js';
import { EventBuffer } from './internal/eventBuffer.js';
import { useChannelStatus } from './internal/useChannelStatus.js';
import { useLatest } from './internal/useLatest.js';
import { sourceKey, streamClient, type ServerEventsUrl } from './internal/streamClients.js';

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

export type { ServerEventsUrl };

export interface UseServerEventsResult<V> {
  /** The most recent events, oldest first, at most `max`. */
  readonly events: readonly V[];
  /** Subscription state of the source. */
  readonly status: ChannelStatus;
  readonly error: RealtimeError | null;
  /** Empties the list. Stable. */
  readonly clear: () => void;
}

const EMPTY: readonly never[] = /* @__PURE__ */ Object.freeze([]);
const serverEmpty = () => EMPTY;

/**
 * A bounded list of recent events — notifications, activity feeds, progress. The source is a channel
 * (on the provider's transport, whatever it is) or a plain Server-Sent Events URL (`{ url }`: any
 * `event:`/`data:`/`id:` stream, such as a route handler, resumed with `Last-Event-ID`). Bursts are
 * coalesced: 1,000 messages arriving in one task cause one render; `batchMs` caps the render rate.
 *
 * @example
 * function Notifications() {
 *   const { events } = useServerEvents('notifications', { max: 20, events: ['notification'] });
 *   return <ul>{events.map((e) => <li key={e.id}>{e.data.title}</li>)}</ul>;
 * }
 *
 * // Straight from a route handler that writes `event: notification` lines:
 * const { events } = useServerEvents({ url: '/api/notifications' }, { max: 20 });
 */
export function useServerEvents<S extends ChannelSchema = AnySchema, C extends ChannelName<S> = ChannelName<S>>(
  source: C,
  options?: UseServerEventsOptions<ChannelEventName<S, C>>,
): UseServerEventsResult<ServerEventOf<S, C>>;
export function useServerEvents(source: ServerEventsUrl, options?: UseServerEventsOptions): UseServerEventsResult<ServerEvent>;
export function useServerEvents(source: string | ServerEventsUrl, options: UseServerEventsOptions = {}): UseServerEventsResult<ServerEvent> {
  const client = useClient('useServerEvents');
  const { max = 50, batchMs = 0, enabled = true, transition = false } = options;
  const [buffer] = useState(() => new EventBuffer<ServerEvent>(client.platform, max, batchMs));
  buffer.configure(max, batchMs);
  const filter = useLatest(options.events);
  const { channel, connection } = useSourceChannel(client, source, enabled);

  useEffect(() => {
    if (!enabled || !channel) return;
    const off = channel.subscribe((message) => {
      const wanted = filter.current;
      if (wanted && !wanted.includes(message.event)) return;
      buffer.push({
        ...(message.id === undefined ? {} : { id: message.id }),
        event: message.event,
        data: message.data,
        source: message.channel,
        receivedAt: client.platform.now(),
      });
    });
    return () => {
      off();
      buffer.pause();
    };
  }, [client, channel, buffer, enabled, filter]);

  const events = useBufferSnapshot(buffer, transition);
  const state = useChannelStatus(channel?.status ?? IDLE_STATUS);
  const link = useSyncExternalStore(connection?.subscribe ?? noopSubscribe, connection?.getSnapshot ?? noSnapshot, noSnapshot);
  const clear = useMemo(() => () => buffer.clear(), [buffer]);
  // A URL that cannot be read at all (404, not an event stream) fails the connection, not the channel.
  const failed = link?.status === 'failed';
  const status = failed ? 'failed' : state.status;
  const error = failed ? link.lastError : state.error;
  return useMemo(() => ({ events, status, error, clear }), [events, status, error, clear]);
}

const IDLE_STATUS: Readable<ChannelSnapshot> = {
  subscribe: () => () => {},
  getSnapshot: () => IDLE_SNAPSHOT,
};
const IDLE_SNAPSHOT: ChannelSnapshot = /* @__PURE__ */ Object.freeze({ status: 'idle', error: null, cursor: null });
const noSnapshot = (): ConnectionSnapshot | null => null;

/** The channel to read: the provider's channel, or the channel of a shared client for a URL. */
function useSourceChannel(
  client: RealtimeClient<AnySchema>,
  source: string | ServerEventsUrl,
  enabled: boolean,
): { channel: Channel | null; connection: Readable<ConnectionSnapshot> | null } {
  const url = typeof source === 'string' ? null : source;
  const key = url ? sourceKey(url) : null;
  const named = useMemo(() => (typeof source === 'string' ? client.channel(source) : null), [client, source]);
  const [loaded, setLoaded] = useState<{ key: string; client: RealtimeClient<AnySchema> } | null>(null);
  const urlRef = useLatest(url);
  useEffect(() => {
    if (key === null || !enabled || !urlRef.current) return;
    let cancelled = false;
    void streamClient(client, urlRef.current).then((child) => {
      if (!cancelled) setLoaded({ key, client: child });
    });
    return () => {
      cancelled = true;
    };
  }, [client, key, enabled, urlRef]);
  const child = loaded && loaded.key === key ? loaded.client : null;
  const urlString = url?.url;
  const fromUrl = useMemo(() => (child && urlString ? child.channel(urlString) : null), [child, urlString]);
  if (named) return { channel: named, connection: null };
  return { channel: fromUrl, connection: child };
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
