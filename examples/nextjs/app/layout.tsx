import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { realtimeConfig } from '@/lib/config';
import { ConnectionBadge } from './connection-badge';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = { title: 'switchboard demo', description: 'Six real-time patterns, one hook API.' };
// The transport is chosen at request time from the server's environment.
export const dynamic = 'force-dynamic';

const PAGES = [
  ['/notifications', 'Notifications (SSE)'],
  ['/stream', 'Token stream'],
  ['/chat', 'Chat'],
  ['/dashboard', 'Dashboard (polling)'],
  ['/presence', 'Presence & cursors'],
] as const;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const config = await realtimeConfig();
  return (
    <html lang="en">
      <body>
        <Providers config={config}>
          <header>
            <Link href="/" className="brand">
              switchboard
            </Link>
            <nav>
              {PAGES.map(([href, label]) => (
                <Link key={href} href={href}>
                  {label}
                </Link>
              ))}
            </nav>
            <ConnectionBadge />
          </header>
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  );
}
