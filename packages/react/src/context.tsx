import { RealtimeError, type AnySchema, type ChannelSchema, type RealtimeClient } from '@switchboard/core';
import { createContext, useContext, type ReactNode } from 'react';

const RealtimeContext = createContext<RealtimeClient<AnySchema> | null>(null);
RealtimeContext.displayName = 'RealtimeContext';

export interface RealtimeProviderProps<S extends ChannelSchema = AnySchema> {
  /** Create it once, at module level (it survives HMR and StrictMode): `createClient({ transport })`. */
  client: RealtimeClient<S>;
  children?: ReactNode;
}

/**
 * Makes a switchboard client available to the hooks below it. Rendering it connects nothing: the client
 * connects in effects, when a hook needs it.
 *
 * @example
 * // app/realtime.ts
 * export const client = createClient({ transport: websocket({ url: '/realtime' }) });
 *
 * // app/providers.tsx
 * 'use client';
 * export function Providers({ children }) {
 *   return <RealtimeProvider client={client}>{children}</RealtimeProvider>;
 * }
 */
export function RealtimeProvider<S extends ChannelSchema = AnySchema>({ client, children }: RealtimeProviderProps<S>) {
  return <RealtimeContext.Provider value={client as unknown as RealtimeClient<AnySchema>}>{children}</RealtimeContext.Provider>;
}

/**
 * The client of the nearest `<RealtimeProvider>`.
 *
 * @example
 * const client = useRealtimeClient();
 * const onClick = () => client.reconnect();
 */
export function useRealtimeClient<S extends ChannelSchema = AnySchema>(): RealtimeClient<S> {
  return useClient('useRealtimeClient') as unknown as RealtimeClient<S>;
}

/** @internal The provider's client, or a clear error naming the hook that needed it. */
export function useClient(hook: string): RealtimeClient<AnySchema> {
  const client = useContext(RealtimeContext);
  if (!client) {
    throw new RealtimeError('NO_PROVIDER', `${hook}() must be used inside <RealtimeProvider client={…}>. Create the client once (createClient) and wrap your app with the provider.`, {
      details: { hook },
    });
  }
  return client;
}
