import { demo } from '@/lib/server/demo';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Signs private-* and presence-* subscriptions (the secret stays on the server). */
export const POST = demo().auth;
