import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polling } from '../src/transports/polling.js';
import { sse } from '../src/transports/sse.js';
import { testClient, waitFor } from './net-helpers.js';

// Unit level: only what the transports make of HTTP answers, mocked with msw. The real streams are
// exercised against real servers in sse-transport.test.ts and in the conformance suite.
const BASE = 'http://status.test';
const answer = (status: number, headers: Record<string, string> = {}) => () => new HttpResponse(status === 204 ? null : 'nope', { status, headers });
const server = setupServer(
  ...['sse', 'poll'].flatMap((kind) => [
    http.get(`${BASE}/${kind}/401`, answer(401)),
    http.get(`${BASE}/${kind}/403`, answer(403)),
    http.get(`${BASE}/${kind}/204`, answer(204)),
    http.get(`${BASE}/${kind}/503`, answer(503, { 'retry-after': '2' })),
    http.get(`${BASE}/${kind}/html`, answer(200, { 'content-type': 'text/html' })),
  ]),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const transports = {
  sse: (path: string) => sse({ url: `${BASE}/sse/${path}` }),
  polling: (path: string) => polling({ url: `${BASE}/poll/${path}`, visibility: false }),
};

describe.each(Object.entries(transports))('%s: HTTP answers go through the fatal rules', (_name, make) => {
  it('401: credentials refreshed once, then failed (UNAUTHORIZED)', async () => {
    let calls = 0;
    const { client } = testClient({ transport: make('401'), auth: () => `token-${++calls}` });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'failed', 'failed');
    expect(client.getSnapshot().lastError).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 } });
    expect(calls).toBe(2);
  });

  it('403: failed (FORBIDDEN)', async () => {
    const { client } = testClient({ transport: make('403') });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'failed', 'failed');
    expect(client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { status: 403 } });
  });

  it('503 with Retry-After: retried after the hint plus jitter', async () => {
    const { client } = testClient({ transport: make('503') });
    client.connect();
    await waitFor(() => client.getSnapshot().retryInMs !== null, 'retry scheduled');
    expect(client.getSnapshot().retryInMs).toBeGreaterThanOrEqual(2000);
    expect(client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', details: { status: 503 } });
  });
});

describe('sse: event-stream specific answers', () => {
  it('204 means "stop": closed', async () => {
    const { client } = testClient({ transport: transports.sse('204') });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'closed', 'closed');
  });

  it('200 with another content type: failed (BAD_CONTENT_TYPE)', async () => {
    const { client } = testClient({ transport: transports.sse('html') });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'failed', 'failed');
    expect(client.getSnapshot().lastError?.code).toBe('BAD_CONTENT_TYPE');
  });
});

describe('polling: an unreadable first answer', () => {
  it('fails with PROTOCOL_ERROR instead of waiting forever', async () => {
    server.use(http.get(`${BASE}/poll/garbage`, () => HttpResponse.text('<html>', { status: 200 })));
    const { client } = testClient({ transport: transports.polling('garbage') });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'failed', 'failed');
    expect(client.getSnapshot().lastError?.code).toBe('PROTOCOL_ERROR');
  });
});
