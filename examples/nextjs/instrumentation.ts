/** Runs once when the Next.js server starts: the server kit's WebSocket server, sharing the hub. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startWebSocketServer } = await import('./lib/server/demo');
  const { vendors } = await import('./lib/server/vendors');
  const server = await startWebSocketServer();
  // The vendor backend of the configured transport, if any (local servers speaking their protocols).
  await vendors(process.env['NEXT_PUBLIC_SWITCHBOARD_TRANSPORT'] ?? 'websocket');
  console.log(`switchboard WebSocket server on ws://${server.url.replace(/^https?:\/\//, '')}${server.path}`);
}
