import type { Message } from '@switchboard/react';
import { useChannel } from '@switchboard/react';
import type { Story } from '@ladle/react';
import { useState } from 'react';
import { Badge } from './badge';
import { Stage, usePlayground } from './playground';

export default { title: 'useChannel' };

function Chat() {
  const [messages, setMessages] = useState<Message[]>([]);
  const [text, setText] = useState('');
  const { publish, pending, failed, retry, status } = useChannel('room', { onMessage: (m) => setMessages((all) => [...all.slice(-200), m]) });
  return (
    <div>
      <Badge />
      <p>
        channel <code>room</code>: {status} · {messages.length} messages
      </p>
      <form onSubmit={(e) => (e.preventDefault(), void publish('message', { text }), setText(''))}>
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="type and send — try while dropped" />
      </form>
      <ul className="log">
        {messages.slice(-20).map((m) => (
          <li key={m.id}>{JSON.stringify(m.data)}</li>
        ))}
        {pending.map((p) => (
          <li key={p.id} className="pending">
            {JSON.stringify(p.data)} — {p.state}…
          </li>
        ))}
        {failed.map((f) => (
          <li key={f.id} className="failed-item">
            {JSON.stringify(f.data)} — {f.error?.code}{' '}
            <button type="button" onClick={() => void retry(f.id)}>
              retry
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Publish while dropped (queued, resent in order), delay acks ("sending…"), nack (failed + retry), flood. */
export const ChatRoom: Story = () => {
  const p = usePlayground();
  return (
    <Stage p={p} flood="room">
      <Chat />
    </Stage>
  );
};
