import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sseStream } from '../src/transports/sse.js';
import { httpServer, testClient, waitFor } from './net-helpers.js';

/** A plain SSE endpoint, like any existing server's: no switchboard protocol at all. */
async function plainStream() {
  const requests: { lastEventId: string | null; res: ServerResponse }[] = [];
  const { url } = await httpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': hello\n\n');
    requests.push({ lastEventId: (req.headers['last-event-id'] as string | undefined) ?? null, res });
  });
  return { url, requests };
}

describe('sseStream(): any event stream as one channel', () => {
  it('delivers events by type, JSON or text, deduplicated by id; receive-only', async () => {
    const server = await plainStream();
    const transport = sseStream({ url: server.url, channel: 'feed' });
    expect(transport.capabilities).toMatchObject({ publish: false, presence: false, resume: false, serverless: true });
    const { client, errors } = testClient({ transport });
    const got: unknown[] = [];
    client.channel('feed').subscribe((m) => got.push([m.event, m.data, m.id]));
    await waitFor(() => server.requests.length === 1 && client.channel('feed').status.getSnapshot().status === 'subscribed', 'subscribed');
    const res = server.requests[0]!.res;
    res.write('data: {"n":1}\n\n');
    res.write('event: alert\nid: 7\ndata: plain text\n\n');
    res.write('event: alert\nid: 7\ndata: plain text\n\n');
    await waitFor(() => got.length === 2, 'two events');
    expect(got).toEqual([
      ['message', { n: 1 }, undefined],
      ['alert', 'plain text', '7'],
    ]);
    expect(() => client.publish('feed', 'x', 1)).toThrow(/publish/);
    expect(errors).toEqual([]);
  });

  it('refuses other channels; the stream stays', async () => {
    const server = await plainStream();
    const { client } = testClient({ transport: sseStream({ url: server.url, channel: 'feed' }) });
    client.channel('feed').subscribe(() => {});
    client.channel('other').subscribe(() => {});
    await waitFor(() => client.channel('other').status.getSnapshot().status === 'failed', 'refused');
    expect(client.channel('feed').status.getSnapshot().status).toBe('subscribed');
  });

  it('reconnects with Last-Event-ID; a non-resumable stream reports the gap, a resumable one does not', async () => {
    for (const resumable of [false, true]) {
      const server = await plainStream();
      const { client } = testClient({ transport: sseStream({ url: server.url, channel: 'feed', resumable }) });
      let gaps = 0;
      client.channel('feed').onDiscontinuity(() => gaps++);
      client.channel('feed').subscribe(() => {});
      await waitFor(() => server.requests.length === 1 && client.channel('feed').status.getSnapshot().status === 'subscribed', 'subscribed');
      server.requests[0]!.res.end('id: 41\ndata: x\n\nretry: 10\n\n');
      await waitFor(() => server.requests.length === 2 && client.getStats().connects === 2, 'reconnected');
      await waitFor(() => client.channel('feed').status.getSnapshot().status === 'subscribed', 'resubscribed');
      expect(server.requests[1]!.lastEventId).toBe('41');
      expect(gaps).toBe(resumable ? 0 : 1);
    }
  });

  it('comments count as life when the server promises a heartbeat', async () => {
    const server = await plainStream();
    // Margins wide enough for a loaded machine: a 400 ms deadline, comments every 50 ms.
    const { client } = testClient({ transport: sseStream({ url: server.url, channel: 'feed', heartbeatMs: 100 }), heartbeat: { graceMs: 300 } });
    client.connect();
    await waitFor(() => server.requests.length === 1 && client.getSnapshot().status === 'connected', 'connected');
    const res = server.requests[0]!.res;
    const pinger = setInterval(() => res.write(': keep-alive\n\n'), 50);
    const since = Date.now();
    try {
      await waitFor(() => Date.now() - since > 1200 || client.getSnapshot().status !== 'connected', 'time passes', 3000);
      expect(client.getSnapshot().status).toBe('connected');
    } finally {
      clearInterval(pinger);
    }
    await waitFor(() => client.getSnapshot().lastError?.code === 'HEARTBEAT_TIMEOUT', 'silence noticed');
  });
});
