/**
 * The demo's realtime backend, in the Next.js server process: one in-memory hub shared by the route
 * handlers (SSE, polling, publish, channel auth) and the WebSocket server that `instrumentation.ts`
 * starts — so every transport sees the same channels, history and presence.
 *
 * In production, swap `createMemoryBroker()` for the Redis broker and run the WebSocket server as its
 * own process (docs/deployment.md).
 */
import { createAuthHandler, createHandlers, createHub, createMemoryBroker, serve, type Hub, type RunningServer } from '@switchboard/server';
import { CHAT_ROOM, METRICS_CHANNEL, type ChatMessage, type Metrics, type Notification } from '../shared';

const SECRET = process.env.SWITCHBOARD_SECRET ?? 'demo-secret-not-for-production';

export interface Demo {
  readonly hub: Hub;
  readonly handlers: ReturnType<typeof createHandlers>;
  readonly auth: ReturnType<typeof createAuthHandler>;
  /** The notification feed behind /api/notifications. */
  readonly notifications: NotificationFeed;
  websocket: Promise<RunningServer> | null;
}

/** A list with increasing ids and listeners: what a database + change feed would be. */
export class NotificationFeed {
  readonly items: Notification[] = [];
  readonly #listeners = new Set<(n: Notification) => void>();
  #next = 1;

  add(title: string): Notification {
    const item: Notification = { id: String(this.#next++), title, at: Date.now() };
    this.items.push(item);
    if (this.items.length > 500) this.items.shift();
    for (const listener of this.#listeners) listener(item);
    return item;
  }

  after(id: string | null): Notification[] {
    const from = id === null ? 0 : Number(id);
    return this.items.filter((n) => Number(n.id) > from);
  }

  listen(listener: (n: Notification) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const g = globalThis as { __switchboardDemo?: Demo };

/** The one backend of this process (survives Next.js dev reloads). */
export function demo(): Demo {
  g.__switchboardDemo ??= start();
  return g.__switchboardDemo;
}

function start(): Demo {
  const broker = createMemoryBroker({ historySize: 1000 });
  const hub = createHub({ broker, secret: SECRET });

  const notifications = new NotificationFeed();
  const titles = ['Deploy started', 'Build passed', 'New comment on #42', 'Invoice paid', 'Deploy finished', 'Alert resolved'];
  const every = Number(process.env.DEMO_NOTIFICATION_EVERY_MS ?? 4000);
  let n = 0;
  setInterval(() => notifications.add(titles[n++ % titles.length]!), every).unref();

  // A metric that wanders, published to the dashboard channel (the dashboard reads it by polling).
  let metrics: Metrics = { cpu: 35, rps: 120, p99: 80, at: Date.now() };
  setInterval(() => {
    const walk = (v: number, lo: number, hi: number, step: number) => Math.min(hi, Math.max(lo, v + (Math.random() - 0.5) * step));
    metrics = { cpu: walk(metrics.cpu, 2, 98, 12), rps: walk(metrics.rps, 10, 400, 40), p99: walk(metrics.p99, 20, 400, 30), at: Date.now() };
    void hub.publish(METRICS_CHANNEL, 'sample', metrics);
  }, Number(process.env.DEMO_METRICS_EVERY_MS ?? 1000)).unref();

  return {
    hub,
    handlers: createHandlers({ hub, maxStreamMs: Number(process.env.DEMO_SSE_MAX_STREAM_MS ?? 25_000) }),
    // Presence and private channels are signed here; a real app checks its session first.
    auth: createAuthHandler({
      secret: SECRET,
      authorize: ({ channel }) => (channel.startsWith('presence-') ? { userId: `guest-${Math.random().toString(36).slice(2, 8)}` } : true),
    }),
    notifications,
    websocket: null,
  };
}

/**
 * The last chat messages, for "history on join" and after a gap, and the channel's cursor read just
 * BEFORE them (what `useChannel({ since })` resumes from). Read from the broker's own history (the
 * same source a resuming client is served from), so a message is in it as soon as it is acked — not a
 * copy kept by a subscriber, which lags a turn behind. Memory-broker offsets are `<epoch>.<n>`.
 */
export async function chatHistory(limit = 50): Promise<{ messages: ChatMessage[]; since: string | null }> {
  const { hub } = demo();
  const since = await hub.cursor(CHAT_ROOM);
  if (since === null) return { messages: [], since };
  const dot = since.lastIndexOf('.');
  const from = `${since.slice(0, dot)}.${Math.max(0, Number(since.slice(dot + 1)) - limit)}`;
  const { messages } = await hub.broker.history(CHAT_ROOM, from);
  return {
    messages: messages.filter((m) => m.event === 'message').map((m) => ({ id: m.offset, ...(m.data as { text: string; author: string }), at: m.ts })),
    since,
  };
}

/** The WebSocket server (server kit), on its own port, sharing the hub. Started by instrumentation.ts. */
export function startWebSocketServer(): Promise<RunningServer> {
  const d = demo();
  d.websocket ??= serve({
    hub: d.hub,
    port: Number(process.env.SWITCHBOARD_WS_PORT ?? 3001),
    host: process.env.SWITCHBOARD_WS_HOST ?? '127.0.0.1',
    path: '/realtime',
  });
  return d.websocket;
}
