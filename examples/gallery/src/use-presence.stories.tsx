import { usePresence } from '@switchboard/react';
import type { Story } from '@ladle/react';
import { useEffect, useRef, useState } from 'react';
import { Stage, usePlayground } from './playground';

export default { title: 'usePresence' };

type Visitor = { name: string; cursor: { x: number; y: number } | null };

function Count() {
  const renders = useRef(0);
  renders.current++;
  const { selected } = usePresence<Visitor, number>('presence-room', undefined, { select: (s) => s.members.length });
  return (
    <p>
      {selected} online <small>(this badge rendered {renders.current} times — cursor moves do not re-render it)</small>
    </p>
  );
}

function Room() {
  const [cursor, setCursor] = useState<Visitor['cursor']>(null);
  const { members } = usePresence<Visitor>('presence-room', { name: 'you', cursor });
  return (
    <div className="canvas" onPointerMove={(e) => setCursor({ x: e.nativeEvent.offsetX, y: e.nativeEvent.offsetY })}>
      {members.map((m) =>
        m.data.cursor ? (
          <span key={m.id} className="cursor" style={{ left: m.data.cursor.x, top: m.data.cursor.y }}>
            ▲ {m.data.name}
          </span>
        ) : null,
      )}
    </div>
  );
}

/** Simulated visitors move their cursors; yours is throttled to ~60 ms, last value wins. */
export const LiveCursors: Story = () => {
  const p = usePlayground();
  useEffect(() => {
    const names = ['ann', 'bob', 'cho'];
    const timer = setInterval(() => {
      for (const [i, name] of names.entries()) {
        p.server.join('presence-room', { id: name, data: { name, cursor: { x: 40 + ((Date.now() / 20 + i * 90) % 300), y: 40 + i * 60 } } });
      }
    }, 100);
    return () => clearInterval(timer);
  }, [p]);
  return (
    <Stage p={p}>
      <Count />
      <Room />
      <button type="button" onClick={() => p.server.leave('presence-room', 'bob')}>
        bob leaves
      </button>
    </Stage>
  );
};
