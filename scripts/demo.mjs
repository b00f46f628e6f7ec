#!/usr/bin/env node
// `pnpm demo`: builds what the demo needs, then runs it.
// Until the Next.js example exists, the demo is a console tour of the core on the fake transport:
// connect, receive, a dropped connection with jittered backoff, an outbox flushed after reconnect.
import { spawnSync } from 'node:child_process';

const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@switchboard/core', '--output-logs=errors-only'], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const { createClient } = await import('../packages/core/dist/index.js');
const { createFakeTransport, refuse, ACCEPT } = await import('../packages/core/dist/testing.js');

const t0 = Date.now();
const log = (...args) => console.log(`[${((Date.now() - t0) / 1000).toFixed(2).padStart(5)} s]`, ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const transport = createFakeTransport();
const client = createClient({ transport, backoff: { baseMs: 500, capMs: 4000 } });
client.subscribe(() => {
  const { status, attempt, retryInMs, lastError } = client.getSnapshot();
  const retry = retryInMs === null ? '' : ` retry in ${Math.round(retryInMs)} ms`;
  log(`status: ${status}${attempt ? ` (attempt ${attempt})` : ''}${retry}${lastError && status !== 'connected' ? ` — ${lastError.code}` : ''}`);
});
client.outbox.subscribe(() => {
  const { pending } = client.outbox.getSnapshot();
  if (pending.length) log(`outbox: ${pending.length} pending (${pending.map((e) => e.state).join(', ')})`);
  else log('outbox: empty — everything acknowledged');
});

log('subscribing to "room:lobby" (the client connects because something needs it)');
client.channel('room:lobby').subscribe((m) => log(`message ${m.event}:`, JSON.stringify(m.data)));
await sleep(300);
transport.server.publish('room:lobby', 'message', { text: 'hello from the server' });
await sleep(300);

log('the server drops the connection and refuses the next 3 attempts');
transport.script(refuse(1006), refuse(1006), refuse(1006), ACCEPT);
transport.server.drop();
for (let i = 1; i <= 3; i++) void client.channel('room:lobby').publish('message', { text: `sent while offline #${i}` });
while (client.getSnapshot().status !== 'connected') await sleep(100);
await sleep(300);
log(`server received, in order: ${transport.server.received.map((m) => JSON.stringify(m.data)).join(', ')}`);

log('destroy(): no socket, timer or listener left');
client.destroy();
log('done. Run `npx -y pnpm@10.34.9 test` for the test suite.');
