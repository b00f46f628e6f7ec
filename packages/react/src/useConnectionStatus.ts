import type { AnySchema, ConnectionSnapshot, RealtimeClient } from '@switchboard/core';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useClient } from './context.js';

export interface ConnectionStatusResult extends ConnectionSnapshot {
  /** Retry now: skips the backoff wait, or starts over after `failed`/`closed`. Stable. */
  reconnect: () => void;
}

export interface UseConnectionStatusOptions {
  /**
   * Re-render every `tickMs` while a retry is scheduled, with `retryInMs` counting down — for a
   * "reconnecting in 4 s" badge. Off by default (then `retryInMs` is the delay that was chosen).
   */
  tickMs?: number;
}

const serverSnapshots = new WeakMap<object, ConnectionSnapshot>();

/** What is rendered on the server and during hydration: nothing has connected yet. */
function serverSnapshot(client: RealtimeClient<AnySchema>): ConnectionSnapshot {
  let snapshot = serverSnapshots.get(client);
  if (!snapshot) {
    snapshot = Object.freeze({
      status: 'idle',
      attempt: 0,
      retryInMs: null,
      nextRetryAt: null,
      lastError: null,
      sessionId: null,
      transport: client.transport.name,
    });
    serverSnapshots.set(client, snapshot);
  }
  return snapshot;
}

/**
 * The connection status and a stable `reconnect()`. The returned object keeps its identity until the
 * status changes.
 *
 * @example
 * function ConnectionBadge() {
 *   const { status, retryInMs, reconnect } = useConnectionStatus({ tickMs: 1000 });
 *   if (status === 'connected') return <span className="badge ok">live</span>;
 *   if (status === 'reconnecting' && retryInMs !== null)
 *     return <button onClick={reconnect}>reconnecting in {Math.ceil(retryInMs / 1000)} s — retry now</button>;
 *   return <span className="badge">{status}</span>;
 * }
 */
export function useConnectionStatus(options: UseConnectionStatusOptions = {}): ConnectionStatusResult {
  const client = useClient('useConnectionStatus');
  const getServerSnapshot = useCallback(() => serverSnapshot(client), [client]);
  const snapshot = useSyncExternalStore(client.subscribe, client.getSnapshot, getServerSnapshot);
  const reconnect = useCallback(() => client.reconnect(), [client]);
  const remaining = useCountdown(client, snapshot.nextRetryAt, options.tickMs);
  return useMemo(
    () => ({ ...snapshot, retryInMs: remaining ?? snapshot.retryInMs, reconnect }),
    [snapshot, remaining, reconnect],
  );
}

/** ms until `deadline`, re-evaluated every `tickMs` on the client's clock; `null` when not ticking. */
function useCountdown(client: RealtimeClient<AnySchema>, deadline: number | null, tickMs: number | undefined): number | null {
  // `now` is kept with the deadline it was measured for, so a new deadline never pairs with a stale time.
  const [tick, setTick] = useState<{ deadline: number; now: number } | null>(null);
  useEffect(() => {
    if (!tickMs || deadline === null) return;
    const { platform } = client;
    let timer: unknown;
    const update = () => {
      const now = platform.now();
      setTick({ deadline, now });
      if (now < deadline) timer = platform.setTimeout(update, Math.min(tickMs, deadline - now));
    };
    update();
    return () => platform.clearTimeout(timer);
  }, [client, deadline, tickMs]);
  if (!tickMs || deadline === null || tick === null || tick.deadline !== deadline) return null;
  return Math.max(0, deadline - tick.now);
}
