import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueueFullError, RealtimeError, TimeoutError } from '../src/errors.js';
import { ACCEPT, createTestClient, refuse } from '../src/testing/index.js';
import { outcome, setup } from './helpers.js';

/** Connects, then makes the server unreachable until `restore()`. */
async function offline(t: ReturnType<typeof setup>) {
  t.client.connect();
  await t.clock.flush();
  t.transport.script(refuse(1006));
  t.server.drop();
  await t.clock.flush();
  return {
    restore: async () => {
      t.transport.script(ACCEPT);
      t.client.reconnect();
      await t.clock.flush();
    },
  };
}

describe('outbox: nothing lost while offline', () => {
  it('500 messages published while disconnected arrive in order, each exactly once, after reconnect', async () => {
    const t = setup();
    const { restore } = await offline(t);
    const results = Array.from({ length: 500 }, (_, i) => t.client.publish('chat', 'message', { seq: i }));
    await t.clock.advance(5000);
    expect(t.server.received).toHaveLength(0);
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(500);
    await restore();
    expect(t.server.received.map((m) => (m.data as { seq: number }).seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(new Set(t.server.received.map((m) => m.id)).size).toBe(500);
    expect(t.server.duplicates).toBe(0);
    const settled = await Promise.all(results);
    expect(settled.every((r) => r.status === 'acked')).toBe(true);
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(0);
  });

  it('a lost ack followed by a drop resends the same id, and the server processes it once', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.loseAcks(1);
    const result = t.client.publish('chat', 'message', { text: 'hi' });
    await t.clock.flush();
    expect(t.server.received).toHaveLength(1);
    expect(t.client.outbox.getSnapshot().pending[0]?.state).toBe('sending');
    t.server.drop();
    await t.clock.advance(1000);
    const publishes = t.server.opsOf('publish');
    expect(publishes).toHaveLength(2);
    expect(publishes[1]!.message.id).toBe(publishes[0]!.message.id);
    expect(t.server.received).toHaveLength(1);
    expect(t.server.duplicates).toBe(1);
    await expect(result).resolves.toEqual({ id: publishes[0]!.message.id, status: 'acked' });
  });

  it('messages written but unacked when the connection drops are resent before newer ones', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    void t.client.publish('c', 'e', 1);
    void t.client.publish('c', 'e', 2);
    await t.clock.flush();
    t.transport.script(refuse(1006), ACCEPT);
    t.server.drop();
    void t.client.publish('c', 'e', 3);
    t.server.ackMode = 'auto';
    await t.clock.advance(5000);
    const resent = t.server.opsOf('publish').slice(2).map((op) => op.message.data);
    expect(resent).toEqual([1, 2, 3]);
    expect(t.server.received.map((m) => m.data)).toEqual([1, 2, 3]);
  });

  it('property: any interleaving of publishes, drops and lost acks → every message processed once, in order (fast-check)', async () => {
    type Step = { kind: 'publish'; count: number } | { kind: 'drop' } | { kind: 'loseAck' } | { kind: 'wait'; ms: number };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('publish' as const), count: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('drop' as const) }),
      fc.record({ kind: fc.constant('loseAck' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.integer({ min: 1, max: 1000 }), async (steps: Step[], seed) => {
        // A long TTL: a lost ack is only recovered by a reconnect, and this property is about order and once-ness.
        const t = createTestClient({ clock: { seed }, outbox: { ttlMs: 3_600_000 } });
        t.client.connect();
        const results: Promise<unknown>[] = [];
        let n = 0;
        for (const s of steps) {
          if (s.kind === 'publish') for (let i = 0; i < s.count; i++) results.push(t.client.publish('c', 'e', n++));
          else if (s.kind === 'drop') t.server.drop();
          else if (s.kind === 'loseAck') t.server.loseAcks(2);
          else await t.clock.advance(s.ms);
        }
        // Lost acks are only recovered by a reconnect: force one so everything settles.
        t.server.loseAcks(0);
        t.server.drop();
        await t.clock.advance(60_000);
        const data = t.server.received.map((m) => m.data);
        const settled = await Promise.allSettled(results);
        t.client.destroy();
        expect(data).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(settled.every((r) => r.status === 'fulfilled')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('outbox: bounds, TTL, volatile', () => {
  it('the 1001st queued message raises QueueFullError', async () => {
    const t = setup();
    await offline(t);
    for (let i = 0; i < 1000; i++) void t.client.publish('c', 'e', i);
    const { error } = await outcome(t.client.publish('c', 'e', 1000));
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error?.code).toBe('QUEUE_FULL');
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(1000);
  });

  it('the byte bound also raises QueueFullError', async () => {
    const t = setup({ outbox: { maxBytes: 1000 } });
    await offline(t);
    const big = 'x'.repeat(400);
    void t.client.publish('c', 'e', big);
    void t.client.publish('c', 'e', big);
    const { error } = await outcome(t.client.publish('c', 'e', big));
    expect(error).toBeInstanceOf(QueueFullError);
    expect(t.client.outbox.getSnapshot().bytes).toBe(804);
  });

  it('an expired message fails with TimeoutError and is not sent after reconnect', async () => {
    const t = setup();
    const { restore } = await offline(t);
    const result = outcome(t.client.publish('c', 'e', 'late'));
    await t.clock.advance(119_999);
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(1);
    await t.clock.advance(1);
    const { error } = await result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error?.code).toBe('TIMEOUT');
    expect(t.client.outbox.getSnapshot().failed.map((e) => e.error?.code)).toEqual(['TIMEOUT']);
    await restore();
    expect(t.server.opsOf('publish')).toHaveLength(0);
  });

  it('a per-message ttlMs overrides the default', async () => {
    const t = setup();
    await offline(t);
    const result = outcome(t.client.publish('c', 'e', 1, { ttlMs: 5000 }));
    await t.clock.advance(5000);
    expect((await result).error?.code).toBe('TIMEOUT');
  });

  it('volatile sent offline produces nothing after reconnect', async () => {
    const t = setup();
    const { restore } = await offline(t);
    await expect(t.client.publish('cursors', 'move', { x: 1 }, { volatile: true })).resolves.toMatchObject({ status: 'dropped' });
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(0);
    await restore();
    await t.clock.advance(5000);
    expect(t.server.opsOf('publish')).toHaveLength(0);
  });

  it('volatile sent online is written once, without waiting for an ack', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    await expect(t.client.publish('cursors', 'move', { x: 1 }, { volatile: true })).resolves.toMatchObject({ status: 'sent' });
    expect(t.server.opsOf('publish')[0]?.message.volatile).toBe(true);
  });

  it('sends fail fast while suspended', async () => {
    const t = setup();
    await offline(t);
    await t.clock.advance(120_000);
    expect(t.client.getSnapshot().status).toBe('suspended');
    const { error } = await outcome(t.client.publish('c', 'e', 1));
    expect(error?.code).toBe('SUSPENDED');
    expect(t.client.outbox.getSnapshot().failed.map((e) => e.data)).toEqual([1]);
  });
});

describe('outbox: bad input gets a typed error, never a crash', () => {
  it('rejects payloads that are not JSON-serialisable or too large', async () => {
    const t = setup({ outbox: { maxMessageBytes: 100 } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [cyclic, 10n, () => 1, Symbol('s')]) {
      expect((await outcome(t.client.publish('c', 'e', bad))).error?.code).toBe('INVALID_PAYLOAD');
    }
    const { error } = await outcome(t.client.publish('c', 'e', 'é'.repeat(60)));
    expect(error?.code).toBe('FRAME_TOO_LARGE');
    expect(error?.details.bytes).toBe(122);
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(0);
  });

  it('a publish that is not awaited never causes an unhandled rejection', async () => {
    const t = setup();
    await offline(t);
    void t.client.publish('c', 'e', 10n); // rejected at once
    void t.client.publish('c', 'e', 1); // times out later
    await t.clock.advance(200_000);
    // vitest fails the run on any unhandled rejection; the failure is visible here instead.
    expect(t.client.outbox.getSnapshot().failed.map((e) => e.error?.code)).toEqual(['TIMEOUT']);
  });
});

describe('outbox: observable state', () => {
  it('shows queued → sending → gone, and failed messages can be retried with the same id', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    const first = t.client.publish('c', 'e', 'a');
    const [entry] = t.client.outbox.getSnapshot().pending;
    expect(entry).toMatchObject({ state: 'sending', data: 'a', attempts: 1 });
    t.server.nack(entry!.id);
    expect((await outcome(first)).error?.code).toBe('PUBLISH_REJECTED');
    expect(t.client.outbox.getSnapshot()).toMatchObject({ pending: [], failed: [{ id: entry!.id, state: 'failed' }] });

    t.server.ackMode = 'auto';
    await expect(t.client.outbox.retry(entry!.id)).resolves.toEqual({ id: entry!.id, status: 'acked' });
    expect(t.client.outbox.getSnapshot()).toMatchObject({ pending: [], failed: [] });
    expect(t.server.opsOf('publish').map((op) => op.message.id)).toEqual([entry!.id, entry!.id]);
  });

  it('discard() forgets a failed message', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'nack';
    await outcome(t.client.publish('c', 'e', 1));
    const [failed] = t.client.outbox.getSnapshot().failed;
    t.client.outbox.discard(failed!.id);
    expect(t.client.outbox.getSnapshot().failed).toHaveLength(0);
  });

  it('notifies once per burst and keeps the snapshot reference between changes', async () => {
    const t = setup();
    await offline(t);
    let notifications = 0;
    t.client.outbox.subscribe(() => notifications++);
    for (let i = 0; i < 100; i++) void t.client.publish('c', 'e', i);
    const snap = t.client.outbox.getSnapshot();
    expect(snap.pending).toHaveLength(100);
    expect(t.client.outbox.getSnapshot()).toBe(snap);
    await t.clock.flush();
    expect(notifications).toBe(1);
  });

  it('publishing under an id already pending joins that message instead of duplicating it', async () => {
    const t = setup();
    const { restore } = await offline(t);
    const a = t.client.publish('c', 'e', 1, { id: 'order-7' });
    const b = t.client.publish('c', 'e', 1, { id: 'order-7' });
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(1);
    await restore();
    await expect(Promise.all([a, b])).resolves.toEqual([
      { id: 'order-7', status: 'acked' },
      { id: 'order-7', status: 'acked' },
    ]);
    expect(t.server.received).toHaveLength(1);
  });

  it('on a transport without acks, delivery is at-most-once and resolves as sent', async () => {
    const t = setup({ transport: { capabilities: { acks: false } } });
    const { restore } = await offline(t);
    const result = t.client.publish('c', 'e', 1);
    await restore();
    await expect(result).resolves.toMatchObject({ status: 'sent' });
    expect(t.client.outbox.getSnapshot().pending).toHaveLength(0);
  });

  it('destroy() rejects pending messages with CLOSED', async () => {
    const t = setup();
    await offline(t);
    const result = outcome(t.client.publish('c', 'e', 1));
    t.client.destroy();
    expect((await result).error?.code).toBe('CLOSED');
  });

  it('publishing connects a lazy client and goes idle once everything is acked', async () => {
    const t = setup();
    expect(t.client.getSnapshot().status).toBe('idle');
    const result = t.client.publish('c', 'e', 1);
    await t.clock.flush();
    await expect(result).resolves.toMatchObject({ status: 'acked' });
    expect(t.client.getSnapshot().status).toBe('idle');
    expect(t.transport.openConnections).toBe(0);
  });

  it('a transport that cannot publish throws CAPABILITY_MISSING naming it and the alternative', () => {
    const t = setup({ transport: { name: 'sse-readonly', capabilities: { publish: false } } });
    expect(() => t.client.publish('c', 'e', 1)).toThrowError(/sse-readonly transport does not support publish.*Publish from your server/);
  });
});

describe('outbox: what a transport reports', () => {
  it('a nack keeps the server’s own code and names the message', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    const result = outcome(t.client.publish('c', 'e', 1));
    await t.clock.flush();
    t.server.nack(t.server.pendingAcks[0]!, 'FRAME_TOO_LARGE');
    const { error } = await result;
    expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { messageId: t.client.outbox.getSnapshot().failed[0]!.id } });
  });

  it('a publish that hits a dropped socket stays queued without an error event, and is sent after the reconnect', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    const conn = t.transport.current!;
    const original = conn.publish.bind(conn);
    conn.publish = () => {
      throw new RealtimeError('CONNECTION_LOST', 'The socket is not open.');
    };
    const result = t.client.publish('c', 'e', 'racing');
    expect(t.client.outbox.getSnapshot().pending.map((e) => e.state)).toEqual(['queued']);
    conn.publish = original;
    t.server.drop();
    await t.clock.advance(1000);
    await expect(result).resolves.toMatchObject({ status: 'acked' });
    expect(t.errors).toEqual([]);
  });

  it('a publish the transport cannot encode fails the message with that error', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.transport.current!.publish = () => {
      throw new TypeError('cannot encode');
    };
    const { error } = await outcome(t.client.publish('c', 'e', 1));
    expect(error).toMatchObject({ code: 'PUBLISH_REJECTED', message: 'cannot encode' });
    expect(t.client.outbox.getSnapshot().failed).toHaveLength(1);
  });
});

describe('message ids', () => {
  it('are unguessable by default: no shared prefix, no counter to extrapolate', async () => {
    const { createClient } = await import('../src/client.js');
    const { createFakeTransport } = await import('../src/testing/index.js');
    const transport = createFakeTransport();
    const client = createClient({ transport });
    client.connect();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.publish('c', 'e', i)));
    const ids = results.map((r) => r.id);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{16}$/);
    // No common prefix beyond chance (two random base-36 characters agree 1 time in 1,296).
    const prefix = (a: string, b: string) => [...a].findIndex((c, i) => c !== b[i]);
    expect(Math.max(...ids.slice(1).map((id, i) => prefix(id, ids[i]!)))).toBeLessThan(4);
    client.destroy();
  });

  it('are deterministic with idPrefix (tests)', async () => {
    const t = setup({ idPrefix: 'fixed' });
    t.client.connect();
    await t.clock.flush();
    const [a, b] = await Promise.all([t.client.publish('c', 'e', 1), t.client.publish('c', 'e', 2), t.clock.flush()]);
    expect([a.id, b.id]).toEqual(['fixed.0', 'fixed.1']);
  });
});

describe('outbox: transient nacks are retried', () => {
  it('SERVER_ERROR (e.g. the server’s broker is down): kept, resent after a backoff, then acked', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    const result = outcome(t.client.publish('c', 'e', 'important'));
    await t.clock.flush();
    t.server.nack(t.server.pendingAcks[0]!, 'SERVER_ERROR');
    await t.clock.flush();
    expect(t.client.outbox.getSnapshot().pending).toMatchObject([{ state: 'queued', error: { code: 'SERVER_ERROR' } }]);
    expect(t.client.outbox.getSnapshot().failed).toEqual([]);
    await t.clock.advance(1250); // 250 ms + at most the first 1 s window
    expect(t.server.opsOf('publish')).toHaveLength(2);
    t.server.ack(t.server.pendingAcks[0]!);
    expect((await result).value?.status).toBe('acked');
    expect(t.server.received).toHaveLength(1); // the server deduplicated the resend
  });

  it('RATE_LIMITED with retryAfterMs: not resent before the hint', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    void t.client.publish('c', 'e', 1);
    await t.clock.flush();
    t.server.nack(t.server.pendingAcks[0]!, 'RATE_LIMITED', { retryAfterMs: 5000 });
    await t.clock.advance(4999);
    expect(t.server.opsOf('publish')).toHaveLength(1);
    await t.clock.advance(5001);
    expect(t.server.opsOf('publish')).toHaveLength(2);
  });

  it('a message refused transiently until its time to live fails with TimeoutError; a plain refusal fails at once', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'nack';
    const refused = outcome(t.client.publish('c', 'e', 'no'));
    await t.clock.flush();
    expect((await refused).error?.code).toBe('PUBLISH_REJECTED');

    t.server.ackMode = 'manual';
    const late = outcome(t.client.publish('c', 'e', 'busy', { ttlMs: 10_000 }));
    for (let i = 0; i < 20; i++) {
      await t.clock.advance(1000);
      for (const id of [...t.server.pendingAcks]) t.server.nack(id, 'SERVER_ERROR');
    }
    expect((await late).error?.code).toBe('TIMEOUT');
    await t.clock.advance(60_000);
    expect(t.clock.pendingTimers).toBeLessThanOrEqual(3); // heartbeat, stable, nothing of the outbox
  });
});
