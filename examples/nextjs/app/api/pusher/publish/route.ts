import { vendors } from '@/lib/server/vendors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Ids of the messages triggered lately. The client resends a message whose answer it did not get (its
 * socket dropped while the request was under way) with the same `id`: answering 2xx without triggering
 * again keeps it once. One process's memory, as the demo's server is; a deployment would keep them where
 * every instance sees them (e.g. Redis `SET id 1 NX EX 300`).
 */
const recent = new Set<string>();
const RECENT_MAX = 1000;

/** Publishes on public channels go through the app (as with Pusher's HTTP API); here, to the local server. */
export async function POST(request: Request) {
  const { pusher } = await vendors('pusher');
  if (!pusher) return Response.json({ error: 'pusher is not the configured transport' }, { status: 404 });
  const body = await request.text();
  const id = idOf(body);
  if (id !== undefined && recent.has(id)) return Response.json({ ok: true, repeat: true });
  const upstream = await fetch(`http://127.0.0.1:${pusher.port}/publish`, {
    method: 'POST',
    headers: { 'content-type': request.headers.get('content-type') ?? 'application/json', authorization: request.headers.get('authorization') ?? '' },
    body,
  });
  if (upstream.ok && id !== undefined) {
    recent.add(id);
    if (recent.size > RECENT_MAX) recent.delete(recent.values().next().value!);
  }
  return new Response(await upstream.text(), { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' } });
}

function idOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
