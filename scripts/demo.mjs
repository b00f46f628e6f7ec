#!/usr/bin/env node
// `pnpm demo`: builds what the demo needs and starts the Next.js example on its embedded in-memory
// realtime server (route handlers for SSE/polling/publish, the server kit's WebSocket server on a
// second port). NEXT_PUBLIC_SWITCHBOARD_TRANSPORT picks the transport (websocket | sse | polling);
// PORT / SWITCHBOARD_WS_PORT pick the ports.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' };

const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@switchboard/example-nextjs...', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (build.status !== 0) process.exit(build.status ?? 1);

const port = process.env.PORT ?? '3000';
const transport = process.env.NEXT_PUBLIC_SWITCHBOARD_TRANSPORT ?? 'websocket';
console.log(`\n  switchboard demo (${transport}) → http://localhost:${port}\n  Ctrl+C to stop.\n`);
const app = spawn('pnpm', ['--filter', '@switchboard/example-nextjs', 'exec', 'next', 'start', '-p', port], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code) => process.exit(code ?? 0));
