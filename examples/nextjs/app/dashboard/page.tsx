'use client';
import { RealtimeProvider } from '@switchboard/react';
import { pollingClientFor } from '@/lib/client';
import { useServerEvents } from '@/lib/realtime';
import { METRICS_CHANNEL } from '@/lib/shared';
import { useRealtimeConfig } from '../providers';

/** Pattern 4: a dashboard refreshed by polling (it pauses while the tab is hidden), inside transitions. */
export default function DashboardPage() {
  const config = useRealtimeConfig();
  return (
    <RealtimeProvider client={pollingClientFor(config)}>
      <Dashboard />
    </RealtimeProvider>
  );
}

function Dashboard() {
  const { events, status } = useServerEvents(METRICS_CHANNEL, { max: 30, transition: true });
  const latest = events.at(-1)?.data;
  const tiles = [
    ['CPU', 'cpu', '%'],
    ['Requests/s', 'rps', ''],
    ['p99', 'p99', ' ms'],
  ] as const;
  return (
    <section>
      <h1>Dashboard</h1>
      <p className="muted">
        <code>polling()</code> every 2 s · <span data-testid="poll-status">{status}</span> · <span data-testid="samples">{events.length}</span> samples
      </p>
      <div className="metrics">
        {tiles.map(([label, key, unit]) => (
          <div className="metric" key={key}>
            <span className="muted">{label}</span>
            <strong data-testid={`metric-${key}`}>{latest ? `${Math.round(latest[key])}${unit}` : '—'}</strong>
            <div className="spark">
              {events.map((e) => (
                <i key={e.id} style={{ height: `${Math.max(4, Math.min(100, (e.data[key] / (key === 'cpu' ? 100 : key === 'rps' ? 400 : 400)) * 100))}%` }} />
              ))}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
