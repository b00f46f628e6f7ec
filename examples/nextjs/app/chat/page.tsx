import { guest, realtimeConfig } from '@/lib/config';
import { chatHistory, demo } from '@/lib/server/demo';
import { CHAT_ROOM } from '@/lib/shared';
import { hasOwnBackend } from '@/lib/server/vendors';
import { readTransportEnv } from '@switchboard/core/env';
import { Chat } from './chat';

export const dynamic = 'force-dynamic';

/**
 * Pattern 3: history comes from the server render; new messages over the realtime channel. The
 * channel's cursor is read BEFORE the history query and handed to `useChannel({ since })`: what is
 * published between this render and the page's subscribe still reaches the page (a server restart
 * included). Only the server kit's transports share that cursor with this hub.
 */
export default async function ChatPage() {
  const { transport } = await realtimeConfig();
  const native = ['websocket', 'sse', 'polling'].includes(transport.transport) && !hasOwnBackend(readTransportEnv(process.env));
  const since = native ? await demo().hub.cursor(CHAT_ROOM) : null;
  return <Chat initial={await chatHistory()} since={since} author={guest().name} />;
}
