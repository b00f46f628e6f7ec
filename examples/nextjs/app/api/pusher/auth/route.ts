import { createAuthHandler } from '@switchboard/server';
import { PUSHER_KEY, PUSHER_SECRET } from '@/lib/server/vendors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Pusher channel auth (the Pusher signature scheme; the app secret stays here). */
export const POST = createAuthHandler({
  key: PUSHER_KEY,
  secret: PUSHER_SECRET,
  authorize: ({ channel }) => (channel.startsWith('presence-') ? { userId: `guest-${Math.random().toString(36).slice(2, 8)}` } : true),
});
