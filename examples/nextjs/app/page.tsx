import Link from 'next/link';

const PATTERNS = [
  ['/notifications', 'Notifications feed', 'Server-Sent Events straight from a route handler, resumed with Last-Event-ID.', 'useServerEvents'],
  ['/stream', 'AI-style token stream', 'fetch + ReadableStream from a route handler, with abort.', 'useStream'],
  ['/chat', 'Chat room', 'Publish through the outbox: "sending…", failed + retry, history on join.', 'useChannel'],
  ['/dashboard', 'Live dashboard', 'Polling that pauses while the tab is hidden; updates inside transitions.', 'useServerEvents'],
  ['/presence', 'Presence and cursors', 'Who is here, and live cursors throttled to ~60 ms.', 'usePresence'],
  ['/', 'Connection badge', 'Top right, on every page: "reconnecting in N s" and a retry button.', 'useConnectionStatus'],
] as const;

export default function Home() {
  return (
    <section>
      <h1>Six real-time patterns, one hook API</h1>
      <p>The transport is chosen by <code>NEXT_PUBLIC_SWITCHBOARD_TRANSPORT</code>; the components do not change.</p>
      <ul className="cards">
        {PATTERNS.map(([href, title, text, hook]) => (
          <li key={title}>
            <Link href={href}>
              <strong>{title}</strong>
              <span>{text}</span>
              <code>{hook}</code>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
