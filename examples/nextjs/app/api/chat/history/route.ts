import { chatHistory } from '@/lib/server/demo';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The last chat messages (what a database query would return). */
export async function GET() {
  return Response.json((await chatHistory()).messages);
}
