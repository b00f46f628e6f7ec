import { vendors } from '@/lib/server/vendors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Publishes on public channels go through the app (as with Pusher's HTTP API); here, to the local server. */
export async function POST(request: Request) {
  const { pusher } = await vendors('pusher');
  if (!pusher) return Response.json({ error: 'pusher is not the configured transport' }, { status: 404 });
  const upstream = await fetch(`http://127.0.0.1:${pusher.port}/publish`, {
    method: 'POST',
    headers: { 'content-type': request.headers.get('content-type') ?? 'application/json', authorization: request.headers.get('authorization') ?? '' },
    body: await request.text(),
  });
  return new Response(await upstream.text(), { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' } });
}
