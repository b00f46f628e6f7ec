import { createClient } from '@switchboard/core';
import { sse } from '@switchboard/core/sse';
import { serve, type RunningServer } from '@switchboard/server';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../src/wait.js';

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close({ terminate: true });
  server = null;
});

it('SSE: streams ended on purpose by the server (maxStreamMs) are reopened without a disconnect or a lost message', async () => {
  server = await serve({ port: 0, maxStreamMs: 150, heartbeatMs: 1000, sseHeartbeatMs: 1000 });
  server.server.keepAliveTimeout = 100;
  const client = createClient({ transport: sse({ url: `${server.url}${server.path}` }) });
  const statuses: string[] = [];
  client.subscribe(() => statuses.push(client.getSnapshot().status));
  const got: number[] = [];
  const gaps: unknown[] = [];
  client.channel('ticks').subscribe((m) => got.push(m.data as number));
  client.channel('ticks').onDiscontinuity((info) => gaps.push(info));
  await waitFor(() => client.channel('ticks').status.getSnapshot().status === 'subscribed', 'subscribed');

  // Publish for ~1 s: the stream is rotated about six times meanwhile.
  for (let i = 0; i < 50; i++) {
    await server.hub.publish('ticks', 'tick', i);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => got.length === 50, () => `50 ticks, got ${got.length}`);
  expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(statuses).toEqual(['connecting', 'connected']);
  expect(client.getStats().connects).toBe(1);
  expect(gaps).toEqual([]);
  client.destroy();
});
