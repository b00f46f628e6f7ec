import type { ChannelEventName, ChannelName, ChannelSchema, Message, Payload, PresenceData, RealtimeClient } from '@switchboard/core';
import type { ReactNode } from 'react';
import { RealtimeProvider, useRealtimeClient } from './context.js';
import { useChannel, type UseChannelOptions, type UseChannelResult } from './useChannel.js';
import { useConnectionStatus } from './useConnectionStatus.js';
import { useEvent, type UseEventOptions } from './useEvent.js';
import { usePresence, type UsePresenceOptions, type UsePresenceResult, type UseSelectedPresenceResult } from './usePresence.js';
import { usePublish, type UsePublishResult } from './usePublish.js';
import {
  useServerEvents,
  type ServerEvent,
  type ServerEventOf,
  type ServerEventsUrl,
  type UseServerEventsOptions,
  type UseServerEventsResult,
} from './useServerEvents.js';
import { useStream } from './useStream.js';

/** The hooks, typed by one channel → event → payload schema. */
export interface TypedRealtime<S extends ChannelSchema> {
  RealtimeProvider: (props: { client: RealtimeClient<S>; children?: ReactNode }) => ReactNode;
  useRealtimeClient: () => RealtimeClient<S>;
  useChannel: <C extends ChannelName<S>>(name: C, options?: UseChannelOptions<S, C>) => UseChannelResult<S, C>;
  useEvent: <C extends ChannelName<S>, E extends ChannelEventName<S, C>>(
    channel: C,
    event: E,
    handler: (data: Payload<S, C, E>, message: Message<E, Payload<S, C, E>>) => void,
    options?: UseEventOptions,
  ) => void;
  usePublish: <C extends ChannelName<S>>(channel: C) => UsePublishResult<S, C>;
  usePresence: {
    <C extends ChannelName<S>>(channel: C, myData?: PresenceData<S, C>): UsePresenceResult<PresenceData<S, C>>;
    <C extends ChannelName<S>, R>(
      channel: C,
      myData: PresenceData<S, C> | undefined,
      options: UsePresenceOptions<PresenceData<S, C>, R>,
    ): UseSelectedPresenceResult<PresenceData<S, C>, R>;
  };
  useServerEvents: {
    <C extends ChannelName<S>>(source: C, options?: UseServerEventsOptions<ChannelEventName<S, C>>): UseServerEventsResult<ServerEventOf<S, C>>;
    /** A plain SSE endpoint is outside the schema: its events are untyped. */
    (source: ServerEventsUrl, options?: UseServerEventsOptions): UseServerEventsResult<ServerEvent>;
  };
  useConnectionStatus: typeof useConnectionStatus;
  useStream: typeof useStream;
}

/**
 * The same hooks, typed by your schema: wrong channel names, event names or payload shapes fail to
 * compile. Pair it with `createClient<Schema>()`.
 *
 * @example
 * type Schema = {
 *   [room: `room:${string}`]: { message: { text: string }; $presence: { name: string } };
 * };
 * export const { RealtimeProvider, useChannel, usePresence } = createRealtime<Schema>();
 *
 * useChannel('room:42', { onMessage: (m) => m.data.text }); // typed
 * usePresence('room:42', { name: 'Ann' });                   // typed
 */
export function createRealtime<S extends ChannelSchema>(): TypedRealtime<S> {
  return {
    RealtimeProvider: RealtimeProvider as TypedRealtime<S>['RealtimeProvider'],
    useRealtimeClient: useRealtimeClient as TypedRealtime<S>['useRealtimeClient'],
    useChannel: useChannel as TypedRealtime<S>['useChannel'],
    useEvent: useEvent as unknown as TypedRealtime<S>['useEvent'],
    usePublish: usePublish as TypedRealtime<S>['usePublish'],
    usePresence: usePresence as unknown as TypedRealtime<S>['usePresence'],
    useServerEvents: useServerEvents as unknown as TypedRealtime<S>['useServerEvents'],
    useConnectionStatus,
    useStream,
  };
}
