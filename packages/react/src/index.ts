'use client';

// The core, so the basics need one install: createClient, RealtimeError, types, DEFAULT_* …
export * from '@switchboard/core';

export { RealtimeProvider, useRealtimeClient, type RealtimeProviderProps } from './context.js';
export { useChannel, type UseChannelOptions, type UseChannelResult } from './useChannel.js';
export { useEvent, type UseEventOptions } from './useEvent.js';
export { usePublish, type OutboxState, type UsePublishResult } from './usePublish.js';
export {
  usePresence,
  type UsePresenceOptions,
  type UsePresenceResult,
  type UseSelectedPresenceResult,
} from './usePresence.js';
export {
  useServerEvents,
  type ServerEvent,
  type ServerEventOf,
  type ServerEventsUrl,
  type UseServerEventsOptions,
  type UseServerEventsResult,
} from './useServerEvents.js';
export { useConnectionStatus, type ConnectionStatusResult, type UseConnectionStatusOptions } from './useConnectionStatus.js';
export { useStream, type StreamStatus, type UseStreamInit, type UseStreamResult } from './useStream.js';
export { createRealtime, type TypedRealtime } from './createRealtime.js';
