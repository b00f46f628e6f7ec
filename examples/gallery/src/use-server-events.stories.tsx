import { useServerEvents } from '@switchboard/react';
import type { Story } from '@ladle/react';
import { useRef } from 'react';
import { Stage, usePlayground } from './playground';

export default { title: 'useServerEvents' };

function Feed({ batchMs }: { batchMs: number }) {
  const renders = useRef(0);
  renders.current++;
  const { events, clear } = useServerEvents('feed', { max: 50, batchMs });
  return (
    <div>
      <p>
        {events.length} recent events · rendered {renders.current} times{' '}
        <button type="button" onClick={clear}>
          clear
        </button>
      </p>
      <ul className="log">
        {events.slice(-10).map((e) => (
          <li key={e.id}>
            {e.event} {JSON.stringify(e.data)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Flood 1,000 messages: one render per burst. */
export const BoundedFeed: Story<{ batchMs: number }> = ({ batchMs }) => {
  const p = usePlayground();
  return (
    <Stage p={p} flood="feed">
      <Feed batchMs={batchMs} />
    </Stage>
  );
};
BoundedFeed.args = { batchMs: 0 };
BoundedFeed.argTypes = { batchMs: { control: { type: 'range', min: 0, max: 1000, step: 50 } } };
