'use client';
import { useCallback, useState } from 'react';
import { useChannel } from '@/lib/realtime';
import { CHAT_ROOM, type ChatMessage } from '@/lib/shared';

const merge = (all: ChatMessage[], more: ChatMessage[]) => {
  const byId = new Map(all.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.at - b.at);
};

export function Chat({ initial, since, author }: { initial: ChatMessage[]; since: string | null; author: string }) {
  const [messages, setMessages] = useState(initial);
  const [draft, setDraft] = useState('');
  const refetch = useCallback(() => void fetch('/api/chat/history').then((r) => r.json()).then((history: ChatMessage[]) => setMessages((all) => merge(all, history))), []);

  // The hook code: subscribe from where the server-rendered history ends, append (merged by id: a
  // message may be in both), refetch after a gap; publish through the outbox.
  const { publish, pending, failed, retry, status } = useChannel(CHAT_ROOM, {
    since,
    onMessage: (m) => setMessages((all) => merge(all, [{ id: m.id ?? m.clientMessageId ?? String(Date.now()), ...m.data, at: m.timestamp ?? Date.now() }])),
    onDiscontinuity: refetch,
  });
  const send = () => (void publish('message', { text: draft, author }), setDraft(''));

  return (
    <section>
      <h1>Chat</h1>
      <p className="muted">
        You are <strong data-testid="me">{author}</strong> · channel <code>{CHAT_ROOM}</code> <span data-testid="channel-status">{status}</span>
      </p>
      <ul className="list" data-testid="messages">
        {messages.map((m) => (
          <li key={m.id} data-testid="message">
            <strong>{m.author}</strong> <span>{m.text}</span>
          </li>
        ))}
        {pending.map((p) => (
          <li key={p.id} className="pending" data-testid="pending">
            <strong>{author}</strong> <span>{(p.data as ChatMessage).text}</span> <small>sending…</small>
          </li>
        ))}
        {failed.map((f) => (
          <li key={f.id} className="failed" data-testid="failed">
            <strong>{author}</strong> <span>{(f.data as ChatMessage).text}</span> <small>{f.error?.code}</small>
            <button type="button" onClick={() => void retry(f.id)}>
              retry
            </button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={(e) => (e.preventDefault(), draft.trim() && send())}>
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Say something" style={{ flex: 1 }} aria-label="message" />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
