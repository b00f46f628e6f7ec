import { useEvent } from '@switchboard/react';
import type { Story } from '@ladle/react';
import { useState } from 'react';
import { Stage, usePlayground } from './playground';

export default { title: 'useEvent' };

function Typing() {
  const [who, setWho] = useState<string | null>(null);
  const [count, setCount] = useState(0);
  useEvent('room', 'typing', (data) => (setWho((data as { user: string }).user), setCount((c) => c + 1)));
  return <p>{who ? `${who} is typing… (${count} typing events)` : 'nobody is typing'}</p>;
}

/** One event of a channel, with the latest handler and no resubscribe. */
export const TypingIndicator: Story = () => {
  const p = usePlayground();
  return (
    <Stage p={p}>
      <Typing />
      <button type="button" onClick={() => p.server.publish('room', 'typing', { user: `user-${Math.floor(Math.random() * 9)}` })}>
        someone types
      </button>
    </Stage>
  );
};
