import { createClient, type AnySchema, type RealtimeClient } from '@switchboard/core';

/** A plain Server-Sent Events endpoint (any `event:`/`data:`/`id:` stream, e.g. a route handler). */
export interface ServerEventsUrl {
  url: string;
  /** Send cookies cross-origin. */
  withCredentials?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The server replays what was missed after `Last-Event-ID` (then a reconnect is not a gap). */
  resumable?: boolean;
  /** The server promises to send something this often: enables dead-connection detection. */
  heartbeatMs?: number;
}

const clients = new WeakMap<object, Map<string, Promise<RealtimeClient<AnySchema>>>>();

/** A stable key for a source (same endpoint and settings → same connection). */
export function sourceKey(source: ServerEventsUrl): string {
  return JSON.stringify([source.url, source.withCredentials ?? false, source.resumable ?? false, source.heartbeatMs ?? null, source.headers ?? null]);
}

/**
 * One client per endpoint and parent client, shared by every hook that reads it (one connection per
 * URL). It runs on the parent's platform, so it connects lazily, retries with the same backoff and
 * goes idle when no hook needs it. The transport is loaded on first use, so apps that never read a
 * URL do not ship it.
 */
export function streamClient(parent: RealtimeClient<AnySchema>, source: ServerEventsUrl): Promise<RealtimeClient<AnySchema>> {
  let perParent = clients.get(parent);
  if (!perParent) clients.set(parent, (perParent = new Map()));
  const key = sourceKey(source);
  let client = perParent.get(key);
  if (!client) {
    client = import('@switchboard/core/sse').then(({ sseStream }) =>
      createClient({
        transport: sseStream({
          url: source.url,
          channel: source.url,
          ...(source.withCredentials ? { withCredentials: true } : {}),
          ...(source.headers ? { headers: source.headers } : {}),
          ...(source.resumable ? { resumable: true } : {}),
          ...(source.heartbeatMs ? { heartbeatMs: source.heartbeatMs } : {}),
        }),
        platform: parent.platform,
      }),
    );
    perParent.set(key, client);
    const entry = client;
    void entry.then((child) => {
      // Closing (or destroying) the provider's client closes the streams it owns.
      const off = parent.subscribe(() => {
        if (parent.getSnapshot().status !== 'closed') return;
        off();
        if (perParent.get(key) === entry) perParent.delete(key);
        child.destroy();
      });
    });
  }
  return client;
}
