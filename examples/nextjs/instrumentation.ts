/** Runs once when the Next.js server starts: the server kit's WebSocket server, sharing the hub. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startWebSocketServer } = await import('./lib/server/demo');
  const server = await startWebSocketServer();
  console.log(`switchboard WebSocket server on ws://${server.url.replace(/^https?:\/\//, '')}${server.path}`);
}
