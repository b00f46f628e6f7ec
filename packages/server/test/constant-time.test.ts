import type * as NodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Every secret comparison of the server kit must go through crypto.timingSafeEqual, on inputs of equal
// length (so neither where two values differ nor their lengths show in the time taken).
const calls: [number, number][] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof NodeCrypto>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([a.byteLength, b.byteLength]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const { authorizeChannel, createHandlers, createHub, createMetricsHandler, createSessionId, isValidSessionId, safeEqual, signToken, verifyChannelAuth, verifyToken } = await import('../src/index.js');

const SECRET = 'constant-time-secret';

beforeEach(() => {
  calls.length = 0;
});

/** Runs `check`, and says whether it compared through timingSafeEqual, with equal lengths only. */
async function compared(check: () => unknown): Promise<boolean> {
  calls.length = 0;
  await check();
  return calls.length > 0 && calls.every(([a, b]) => a === b);
}

describe('constant-time comparisons', () => {
  it('safeEqual compares equal-length digests, whatever the input lengths', async () => {
    expect(await compared(() => safeEqual('short', 'a much longer value'))).toBe(true);
    expect(safeEqual('short', 'a much longer value')).toBe(false);
    expect(safeEqual('same', 'same')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  it('channel signatures, session ids and tokens are checked in constant time', async () => {
    const session = createSessionId(SECRET);
    const { auth } = authorizeChannel({ secret: SECRET }, session, 'private-a');
    expect(await compared(() => verifyChannelAuth({ secret: SECRET }, session, 'private-a', auth))).toBe(true);
    expect(await compared(() => verifyChannelAuth({ secret: SECRET }, session, 'private-a', 'switchboard:short'))).toBe(true);
    expect(await compared(() => isValidSessionId(session, SECRET))).toBe(true);
    expect(await compared(() => isValidSessionId(`${session.split('.')[0]}.x`, SECRET))).toBe(true);
    expect(await compared(() => verifyToken(SECRET, signToken(SECRET, { sub: 'ann' })))).toBe(true);
    expect(await compared(() => verifyToken(SECRET, 'a.b.c'))).toBe(true);
  });

  it('the server secret of a server-to-server publish and the metrics token are checked in constant time', async () => {
    const handlers = createHandlers({ hub: createHub({ secret: SECRET }) });
    const publish = (token: string) =>
      handlers.POST(
        new Request('http://t/realtime', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ v: 1, ops: [{ type: 'publish', id: 'p', channel: 'private-a', event: 'e', data: 1 }] }),
        }),
      );
    expect(await compared(() => publish('wrong'))).toBe(true);
    expect(await compared(() => publish(SECRET))).toBe(true);
    const metrics = createMetricsHandler(handlers.hub, { token: 'scrape-token' });
    expect(await compared(() => metrics(new Request('http://t/metrics', { headers: { authorization: 'Bearer nope' } })))).toBe(true);
    expect((await metrics(new Request('http://t/metrics', { headers: { authorization: 'Bearer nope' } }))).status).toBe(401);
    expect((await metrics(new Request('http://t/metrics', { headers: { authorization: 'Bearer scrape-token' } }))).status).toBe(200);
    await handlers.close();
  });
});
