import type { AnySchema, ChannelEventName, ChannelName, ChannelSchema, Message, Payload } from '@switchboard/core';
import { startTransition, useEffect, useMemo } from 'react';
import { useClient } from './context.js';
import { useLatest } from './internal/useLatest.js';

export interface UseEventOptions {
  /** `false` unsubscribes (default `true`). */
  enabled?: boolean;
  /** Call the handler inside `startTransition`. */
  transition?: boolean;
}

/**
 * Calls `handler` for each message of one event on a channel, while mounted. The handler is always
 * the latest one you passed; changing it never resubscribes.
 *
 * @example
 * function TypingIndicator({ room }: { room: string }) {
 *   const [who, setWho] = useState<string | null>(null);
 *   useEvent(room, 'typing', (data) => setWho(data.userId));
 *   return who ? <small>{who} is typing…</small> : null;
 * }
 */
export function useEvent<
  S extends ChannelSchema = AnySchema,
  C extends ChannelName<S> = ChannelName<S>,
  E extends ChannelEventName<S, C> = ChannelEventName<S, C>,
>(channel: C, event: E, handler: (data: Payload<S, C, E>, message: Message<E, Payload<S, C, E>>) => void, options: UseEventOptions = {}): void {
  const client = useClient('useEvent');
  const handle = useMemo(() => client.channel(channel), [client, channel]);
  const latest = useLatest({ handler, transition: options.transition ?? false });
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return;
    return handle.on(event, (data, message) => {
      const call = () => latest.current.handler(data as Payload<S, C, E>, message as Message<E, Payload<S, C, E>>);
      if (latest.current.transition) startTransition(call);
      else call();
    });
  }, [handle, event, enabled, latest]);
}
