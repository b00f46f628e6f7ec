import type { ChannelSnapshot, Readable } from '@switchboard/core';
import { useSyncExternalStore } from 'react';

const IDLE: ChannelSnapshot = /* @__PURE__ */ Object.freeze({ status: 'idle', error: null, cursor: null });
const serverIdle = () => IDLE;

/** A channel's subscription state; `idle` on the server and during hydration. */
export function useChannelStatus(status: Readable<ChannelSnapshot>): ChannelSnapshot {
  return useSyncExternalStore(status.subscribe, status.getSnapshot, serverIdle);
}
