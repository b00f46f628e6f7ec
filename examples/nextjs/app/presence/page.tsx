import { guest } from '@/lib/config';
import { Presence } from './presence';

export const dynamic = 'force-dynamic';

export default function PresencePage() {
  return <Presence me={guest()} />;
}
