import { vendors } from '@/lib/server/vendors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Ably token auth: the browser never holds an API key. Here the local server mints; with Ably, use their SDK. */
export async function GET() {
  const { ably } = await vendors('ably');
  if (!ably) return Response.json({ error: 'ably is not the configured transport' }, { status: 404 });
  const token = ably.mintToken({ clientId: `guest-${Math.random().toString(36).slice(2, 8)}`, expires: Date.now() + 60 * 60_000 });
  return new Response(token, { headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
}
