'use client';
import { useConnectionStatus } from '@/lib/realtime';

/** Pattern 6: a connection badge with "reconnecting in N s" and a retry button. */
export function ConnectionBadge() {
  const { status, retryInMs, attempt, transport, reconnect } = useConnectionStatus({ tickMs: 1000 });
  const waiting = retryInMs !== null && (status === 'reconnecting' || status === 'connecting' || status === 'suspended');
  return (
    <div className={`badge badge-${status}`} data-testid="connection-badge" data-status={status}>
      <span className="dot" />
      <span>
        {status}
        {waiting && ` — retry in ${Math.ceil(retryInMs / 1000)} s (attempt ${attempt})`}
      </span>
      <small>{transport}</small>
      {(waiting || status === 'failed' || status === 'closed') && (
        <button type="button" onClick={reconnect}>
          retry now
        </button>
      )}
    </div>
  );
}
