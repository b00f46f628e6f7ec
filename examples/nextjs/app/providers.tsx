'use client';
import { RealtimeProvider } from '@switchboard/react';
import { createContext, useContext, type ReactNode } from 'react';
import { clientFor } from '@/lib/client';
import type { RealtimeConfig } from '@/lib/config';

const ConfigContext = createContext<RealtimeConfig | null>(null);

/** The app's realtime client for the configured transport, plus the config for pages that need more. */
export function Providers({ config, children }: { config: RealtimeConfig; children: ReactNode }) {
  return (
    <ConfigContext.Provider value={config}>
      <RealtimeProvider client={clientFor(config)}>{children}</RealtimeProvider>
    </ConfigContext.Provider>
  );
}

export function useRealtimeConfig(): RealtimeConfig {
  const config = useContext(ConfigContext);
  if (!config) throw new Error('useRealtimeConfig() outside <Providers>');
  return config;
}
