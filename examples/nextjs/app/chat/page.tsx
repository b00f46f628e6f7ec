import { guest } from '@/lib/config';
import { demo } from '@/lib/server/demo';
import { Chat } from './chat';

export const dynamic = 'force-dynamic';

/** Pattern 3: history comes from the server render; new messages over the realtime channel. */
export default function ChatPage() {
  return <Chat initial={[...demo().chat]} author={guest().name} />;
}
