'use client';
/**
 * One client per configuration, created once at module level (it survives StrictMode, re-renders and
 * HMR). Nothing connects until a hook needs it.
 */
import { polling } from '@switchboard/core/polling';
import { sse } from '@switchboard/core/sse';
import { websocket } from '@switchboard/core/websocket';
import { createClient, type RealtimeClient, type Transport } from '@switchboard/react';
import type { RealtimeConfig } from './config';
import type { Schema } from './shared';

const clients = new Map<string, RealtimeClient<Schema>>();

function transportFor(config: RealtimeConfig): Transport {
  const auth = { endpoint: config.authEndpoint };
  switch (config.transport) {
    case 'sse':
      return sse({ url: config.httpUrl, auth });
    case 'polling':
      return polling({ url: config.httpUrl, intervalMs: 1000, auth });
    default:
      return websocket({ url: config.websocketUrl, auth });
  }
}

export function clientFor(config: RealtimeConfig): RealtimeClient<Schema> {
  const key = JSON.stringify(config);
  let client = clients.get(key);
  if (!client) clients.set(key, (client = createClient<Schema>({ transport: transportFor(config) })));
  return client;
}

/** The dashboard always polls (the pattern it shows), whatever the main transport is. */
export function pollingClientFor(config: RealtimeConfig): RealtimeClient<Schema> {
  const key = `polling:${config.httpUrl}`;
  let client = clients.get(key);
  if (!client) clients.set(key, (client = createClient<Schema>({ transport: polling({ url: config.httpUrl, intervalMs: 2000 }) })));
  return client;
}
