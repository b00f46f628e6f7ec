import { guest } from '@/lib/config';
import { chatHistory } from '@/lib/server/demo';
import { Chat } from './chat';

export const dynamic = 'force-dynamic';

/** Pattern 3: history comes from the server render; new messages over the realtime channel. */
export default async function ChatPage() {
  return <Chat initial={await chatHistory()} author={guest().name} />;
}
