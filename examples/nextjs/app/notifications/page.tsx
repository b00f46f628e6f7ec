'use client';
import { useServerEvents } from '@/lib/realtime';
import type { Notification } from '@/lib/shared';

/** Pattern 1: a notifications feed over SSE, straight from a route handler (app/api/notifications). */
export default function NotificationsPage() {
  const { events, status, clear } = useServerEvents({ url: '/api/notifications', resumable: true }, { max: 20, events: ['notification'] });
  return (
    <section>
      <h1>Notifications</h1>
      <p className="muted">
        <code>useServerEvents({'{'} url: &apos;/api/notifications&apos; {'}'})</code> — any <code>event:</code>/<code>data:</code>/<code>id:</code> stream;
        after a drop it resumes with <code>Last-Event-ID</code>. Stream: <span data-testid="feed-status">{status}</span>{' '}
        <button type="button" onClick={clear}>
          clear
        </button>
      </p>
      <ul className="list" data-testid="notifications">
        {[...events].reverse().map((e) => {
          const n = e.data as Notification;
          return (
            <li key={e.id} data-id={e.id}>
              <strong>#{e.id}</strong> {n.title} <small>{new Date(n.at).toLocaleTimeString()}</small>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
