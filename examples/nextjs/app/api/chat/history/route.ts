import { demo } from '@/lib/server/demo';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The last chat messages (what a database query would return). */
export function GET() {
  return Response.json(demo().chat);
}
