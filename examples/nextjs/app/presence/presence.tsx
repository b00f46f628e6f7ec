'use client';
import { useRef, useState } from 'react';
import { usePresence } from '@/lib/realtime';
import { PRESENCE_ROOM, type Visitor } from '@/lib/shared';

/** Pattern 5: presence avatars and live cursors (updates throttled by the core, last value wins). */
export function Presence({ me }: { me: Omit<Visitor, 'cursor'> }) {
  const [cursor, setCursor] = useState<Visitor['cursor']>(null);
  const area = useRef<HTMLDivElement>(null);
  const { members: all, me: self } = usePresence(PRESENCE_ROOM, { ...me, cursor });
  // On Pusher a member is listed from the moment it subscribes, with what the auth endpoint signed
  // (nothing, here) until its own data arrives: show those by id.
  const members = all.map((m) => ({ id: m.id, data: (m.data as Visitor | null) ?? { name: m.id, color: '#8a8f98', cursor: null } }));

  const move = (e: React.PointerEvent) => {
    const box = area.current?.getBoundingClientRect();
    if (box) setCursor({ x: (e.clientX - box.left) / box.width, y: (e.clientY - box.top) / box.height });
  };
  return (
    <section>
      <h1>Presence</h1>
      <OnlineCount />
      <div className="avatars" data-testid="avatars">
        {members.map((m) => (
          <span key={m.id} className="avatar" style={{ background: m.data.color }} data-testid="avatar">
            {m.data.name}
            {m.id === self?.id && ' (you)'}
          </span>
        ))}
      </div>
      <div className="canvas" ref={area} onPointerMove={move} onPointerLeave={() => setCursor(null)} data-testid="canvas">
        {members
          .filter((m) => m.id !== self?.id && m.data.cursor)
          .map((m) => (
            <span key={m.id} className="cursor" style={{ left: `${m.data.cursor!.x * 100}%`, top: `${m.data.cursor!.y * 100}%`, color: m.data.color }} data-testid="cursor">
              {m.data.name}
            </span>
          ))}
      </div>
    </section>
  );
}

/** Selects the count only: cursor moves do not re-render it. */
function OnlineCount() {
  const { selected: count } = usePresence(PRESENCE_ROOM, undefined, { select: (s) => s.members.length });
  return (
    <p className="muted">
      <span data-testid="online-count">{count}</span> online · channel <code>{PRESENCE_ROOM}</code>
    </p>
  );
}
