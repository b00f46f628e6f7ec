import { useConnectionStatus } from '@switchboard/react';

export function Badge() {
  const { status, attempt, retryInMs, lastError, reconnect } = useConnectionStatus({ tickMs: 250 });
  return (
    <p>
      <span className={`badge ${status}`}>
        <span className="dot" />
        <strong>{status}</strong>
        {retryInMs !== null && <span>retry in {(retryInMs / 1000).toFixed(1)} s</span>}
        {attempt > 0 && <span>attempt {attempt}</span>}
        {lastError && status !== 'connected' && <code>{lastError.code}</code>}
      </span>{' '}
      <button type="button" onClick={reconnect}>
        reconnect
      </button>
    </p>
  );
}
