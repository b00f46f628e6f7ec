import { demo } from '@/lib/server/demo';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The server kit's Web-standard handlers: SSE, polling, publish and presence on one route. */
const { handlers } = demo();
export const { GET, POST, OPTIONS } = handlers;
