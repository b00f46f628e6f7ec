import { usePublish } from '@switchboard/react';
import type { Story } from '@ladle/react';
import { Badge } from './badge';
import { Stage, usePlayground } from './playground';

export default { title: 'usePublish' };

function Outbox() {
  const { publish, pending, failed, retry, discard } = usePublish('orders');
  return (
    <div>
      <Badge />
      <button type="button" onClick={() => void publish('order', { item: 'coffee', at: Date.now() })}>
        publish an order
      </button>{' '}
      <button type="button" onClick={() => void publish('cursor', { x: Math.random() }, { volatile: true })}>
        publish volatile (dropped offline)
      </button>
      <h4>pending ({pending.length})</h4>
      <ul className="log">
        {pending.map((e) => (
          <li key={e.id} className="pending">
            {e.id} — {e.state}, attempt {e.attempts}
          </li>
        ))}
      </ul>
      <h4>failed ({failed.length})</h4>
      <ul className="log">
        {failed.map((e) => (
          <li key={e.id} className="failed-item">
            {e.id} — {e.error?.code}{' '}
            <button type="button" onClick={() => void retry(e.id)}>
              retry
            </button>{' '}
            <button type="button" onClick={() => discard(e.id)}>
              discard
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The outbox per message: queued while offline, sending until acked, failed on nack/timeout. */
export const SendingAndRetry: Story = () => {
  const p = usePlayground({ outbox: { ttlMs: 15_000 } });
  return (
    <Stage p={p}>
      <Outbox />
    </Stage>
  );
};
