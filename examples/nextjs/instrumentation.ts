/** Runs once when the Next.js server starts: the server kit's WebSocket server, sharing the hub. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startWebSocketServer } = await import('./lib/server/demo');
  const { hasOwnBackend, vendors } = await import('./lib/server/vendors');
  const { readTransportEnv } = await import('@switchboard/core/env');
  const server = await startWebSocketServer();
  // The vendor backend of the configured transport, if any (local servers speaking their protocols).
  const env = readTransportEnv(process.env);
  if (!hasOwnBackend(env)) await vendors(env.transport ?? 'websocket');
  console.log(`switchboard WebSocket server on ws://${server.url.replace(/^https?:\/\//, '')}${server.path}`);
}
