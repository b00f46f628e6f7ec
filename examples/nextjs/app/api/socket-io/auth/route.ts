import { signChannel } from '@switchboard/socket.io/server';
import { SOCKET_IO_SECRET } from '@/lib/server/vendors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Signs private and presence subscriptions for the socket.io server helper (the Pusher scheme). */
export async function POST(request: Request) {
  const form = new URLSearchParams(await request.text());
  const socketId = form.get('socket_id');
  const channel = form.get('channel_name');
  if (!socketId || !channel) return Response.json({ error: 'socket_id and channel_name are required' }, { status: 400 });
  const presence = channel.startsWith('presence-') ? { userId: `guest-${Math.random().toString(36).slice(2, 8)}` } : undefined;
  return Response.json(signChannel({ secret: SOCKET_IO_SECRET }, socketId, channel, presence));
}
