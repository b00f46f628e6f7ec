import type {
  AnySchema,
  Channel,
  ChannelMessage,
  ChannelName,
  ChannelSchema,
  ChannelStatus,
  DiscontinuityInfo,
  RealtimeError,
} from '@switchboard/core';
import { startTransition, useEffect, useMemo } from 'react';
import { useClient } from './context.js';
import { useChannelStatus } from './internal/useChannelStatus.js';
import { useLatest } from './internal/useLatest.js';
import { useChannelOutbox, usePublishFunction, type UsePublishResult } from './usePublish.js';

export interface UseChannelOptions<S extends ChannelSchema = AnySchema, C extends string = string> {
  /** Every message of the channel. Always the latest function you passed: never resubscribes. */
  onMessage?: (message: ChannelMessage<S, C>) => void;
  /** A gap the server could not fill (resume impossible): refetch a snapshot here. */
  onDiscontinuity?: (info: DiscontinuityInfo) => void;
  /** `false` unsubscribes (default `true`). */
  enabled?: boolean;
  /** Call `onMessage` inside `startTransition`, so state it sets renders as a non-blocking update. */
  transition?: boolean;
  /**
   * The cursor your server read before rendering the snapshot this component starts from
   * (`hub.cursor(channel)`): what is published after it arrives through `onMessage`, even what came
   * before the page subscribed; where the server cannot resume from it, `onDiscontinuity` fires.
   * Read on the first subscribe only: changing it never resubscribes.
   */
  since?: string | null;
}

export interface UseChannelResult<S extends ChannelSchema = AnySchema, C extends string = string> extends UsePublishResult<S, C> {
  /** Subscription state of the channel: `idle`, `subscribing`, `subscribed` or `failed`. */
  readonly status: ChannelStatus;
  /** Why the subscription failed (e.g. `CHANNEL_REFUSED` for a private channel without a signature). */
  readonly error: RealtimeError | null;
  /** The core channel, for anything the hook does not cover. */
  readonly channel: Channel<S, C>;
}

/**
 * Subscribes to a channel while the component is mounted and publishes to it. StrictMode double
 * mounts and quick remounts cost no network operation (the core lingers before leaving).
 *
 * @example
 * function Chat({ room }: { room: string }) {
 *   const [messages, setMessages] = useState<Message[]>([]);
 *   const { publish, pending, status } = useChannel(room, {
 *     onMessage: (m) => setMessages((all) => [...all, m]),
 *   });
 *   return <Room messages={messages} sending={pending} onSend={(text) => publish('message', { text })} />;
 * }
 */
export function useChannel<S extends ChannelSchema = AnySchema, C extends ChannelName<S> = ChannelName<S>>(
  name: C,
  options: UseChannelOptions<S, C> = {},
): UseChannelResult<S, C> {
  const client = useClient('useChannel');
  const channel = useMemo(() => client.channel(name) as unknown as Channel<S, C>, [client, name]);
  // One ref for every handler and flag: one insertion effect per commit, however many options.
  const latest = useLatest(options);
  const enabled = options.enabled ?? true;

  useEffect(() => {
    if (!enabled) return;
    const offGaps = channel.onDiscontinuity((info) => latest.current.onDiscontinuity?.(info));
    const offMessages = channel.subscribe(
      (message) => {
        const { onMessage, transition } = latest.current;
        if (!onMessage) return;
        if (transition) startTransition(() => onMessage(message));
        else onMessage(message);
      },
      { since: latest.current.since },
    );
    return () => {
      offGaps();
      offMessages();
    };
  }, [channel, enabled, latest]);

  const state = useChannelStatus(channel.status);
  const outbox = useChannelOutbox(client, name);
  const publish = usePublishFunction<S, C>(client, name);
  return useMemo(
    () => ({ ...outbox, publish, status: state.status, error: state.error, channel }),
    [outbox, publish, state, channel],
  );
}
