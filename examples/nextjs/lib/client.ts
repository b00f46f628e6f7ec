'use client';
/**
 * One client per configuration, created once at module level (it survives StrictMode, re-renders and
 * HMR). Nothing connects until a hook needs it. The transport comes from the configuration through
 * `transportFromEnv`: swapping is an environment change.
 */
import { ably } from '@switchboard/ably';
import { transportFromEnv } from '@switchboard/core/env';
import { polling } from '@switchboard/core/polling';
import { sse } from '@switchboard/core/sse';
import { websocket } from '@switchboard/core/websocket';
import { pusher } from '@switchboard/pusher';
import { createClient, type RealtimeClient } from '@switchboard/react';
import { socketIO } from '@switchboard/socket.io';
import type { RealtimeConfig } from './config';
import type { Schema } from './shared';

const clients = new Map<string, RealtimeClient<Schema>>();
const factories = { websocket, sse, polling, pusher, ably, 'socket.io': socketIO };

export function clientFor(config: RealtimeConfig): RealtimeClient<Schema> {
  const key = JSON.stringify(config.transport);
  let client = clients.get(key);
  if (!client) clients.set(key, (client = createClient<Schema>({ transport: transportFromEnv(config.transport, factories) })));
  return client;
}

/** The dashboard always polls (the pattern it shows), whatever the main transport is. */
export function pollingClientFor(config: RealtimeConfig): RealtimeClient<Schema> {
  const key = `polling:${config.httpUrl}`;
  let client = clients.get(key);
  if (!client) clients.set(key, (client = createClient<Schema>({ transport: polling({ url: config.httpUrl, intervalMs: 2000 }) })));
  return client;
}
