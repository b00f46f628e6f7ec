import { guest, realtimeConfig } from '@/lib/config';
import { chatHistory } from '@/lib/server/demo';
import { Chat } from './chat';

export const dynamic = 'force-dynamic';

/**
 * Pattern 3: history comes from the server render; new messages over the realtime channel. The
 * channel's cursor, read just before the history, goes to `useChannel({ since })`: what is published
 * between this render and the page's subscribe still reaches the page (a server restart included).
 * Only the transports served by this app's hub share that cursor.
 */
export default async function ChatPage() {
  const [{ servedByHub }, { messages, since }] = await Promise.all([realtimeConfig(), chatHistory()]);
  return <Chat initial={messages} since={servedByHub ? since : null} author={guest().name} />;
}
