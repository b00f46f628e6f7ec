import { createTestClient } from '@switchboard/core/testing';
import { renderToString } from 'react-dom/server';
import { expect, it, vi } from 'vitest';
import {
  RealtimeProvider,
  useChannel,
  useConnectionStatus,
  useEvent,
  usePresence,
  usePublish,
  useServerEvents,
  useStream,
} from '../src/index.js';

function EveryHook() {
  const channel = useChannel('room', { onMessage: () => {} });
  useEvent('room', 'typing', () => {});
  const publisher = usePublish('room');
  const presence = usePresence('room', { name: 'ssr' });
  const count = usePresence('room', undefined, { select: (s) => s.members.length });
  const feed = useServerEvents('notifications');
  const urlFeed = useServerEvents({ url: 'http://localhost/api/notifications' });
  const status = useConnectionStatus({ tickMs: 1000 });
  const stream = useStream('/api/answer', { method: 'POST', body: '{}' });
  return (
    <p>
      {status.status}|{channel.status}|{publisher.pending.length}|{presence.members.length}|{count.selected}|{feed.events.length}|{urlFeed.status}|{stream.status}
    </p>
  );
}

it('renderToString of a tree using every hook: zero connections, zero timers, zero requests', async () => {
  const { client, clock, transport } = createTestClient();
  const fetchSpy = vi.fn(async () => new Response('no'));
  vi.stubGlobal('fetch', fetchSpy);
  const html = renderToString(
    <RealtimeProvider client={client}>
      <EveryHook />
    </RealtimeProvider>,
  );
  expect(html).toBe('<p>idle<!-- -->|<!-- -->idle<!-- -->|<!-- -->0<!-- -->|<!-- -->0<!-- -->|<!-- -->0<!-- -->|<!-- -->0<!-- -->|<!-- -->idle<!-- -->|<!-- -->idle</p>');
  await clock.advance(60_000);
  expect(transport.attempts).toBe(0);
  expect(clock.pendingTimers).toBe(0);
  expect(clock.listenerCount).toBe(0);
  expect(client.getSnapshot().status).toBe('idle');
  expect(fetchSpy).not.toHaveBeenCalled();
  vi.unstubAllGlobals();
  client.destroy();
});
