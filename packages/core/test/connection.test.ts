import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import type { Transport, TransportHandler } from '../src/transport.js';
import { ACCEPT, HANG, blackHole, createFakeClock, createFakeTransport, refuse, refuseHttp } from '../src/testing/index.js';
import { expectNothingLeft, setup } from './helpers.js';

describe('status machine', () => {
  it('starts idle with nothing scheduled, and connects only when something needs it', async () => {
    const t = setup();
    await t.clock.advance(60_000);
    expect(t.client.getSnapshot().status).toBe('idle');
    expect(t.transport.attempts).toBe(0);
    expect(t.clock.pendingTimers).toBe(0);
    expect(t.clock.listenerCount).toBe(0);

    const off = t.client.channel('a').subscribe(() => {});
    expect(t.client.getSnapshot().status).toBe('connecting');
    await t.clock.flush();
    expect(t.client.getSnapshot()).toMatchObject({ status: 'connected', attempt: 0, retryInMs: null, sessionId: 'session-1' });
    off();
  });

  it('keeps the snapshot reference until something changes', async () => {
    const t = setup();
    const first = t.client.getSnapshot();
    expect(t.client.getSnapshot()).toBe(first);
    t.client.connect();
    await t.clock.flush();
    const connected = t.client.getSnapshot();
    expect(connected).not.toBe(first);
    await t.clock.advance(10_000);
    expect(t.client.getSnapshot()).toBe(connected);
    expect(Object.isFrozen(connected)).toBe(true);
  });

  it('notifies subscribers once per change', async () => {
    const t = setup();
    const seen: string[] = [];
    t.client.subscribe(() => seen.push(t.client.getSnapshot().status));
    t.transport.script(refuse(1006), ACCEPT);
    t.client.connect();
    await t.clock.advance(1000);
    expect(seen).toEqual(['connecting', 'connecting', 'connecting', 'connected']);
    // opening → waiting (retryInMs set) → opening → connected
  });

  it('reports connecting (never connected yet) vs reconnecting (was connected)', async () => {
    const t = setup();
    t.transport.script(refuse(1006), ACCEPT, refuse(1006), ACCEPT);
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 1 });
    expect(t.client.getSnapshot().lastError?.code).toBe('CONNECTION_LOST');
    await t.clock.advance(1000);
    expect(t.client.getSnapshot().status).toBe('connected');
    t.server.drop();
    await t.clock.flush();
    // Connected for less than 5 s: the earlier failure still counts.
    expect(t.client.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 2 });
    expect(t.client.getSnapshot().lastError?.details.closeCode).toBe(1006);
  });

  it('exposes retryInMs and nextRetryAt of the scheduled retry', async () => {
    const t = setup();
    t.transport.script(refuse(1006), ACCEPT);
    t.client.connect();
    await t.clock.flush();
    const { retryInMs, nextRetryAt } = t.client.getSnapshot();
    expect(retryInMs).toBeGreaterThanOrEqual(0);
    expect(retryInMs).toBeLessThan(1000);
    expect(nextRetryAt).toBe(t.clock.now() + retryInMs!);
    await t.clock.advance(retryInMs! - 1);
    expect(t.transport.attempts).toBe(1);
    await t.clock.advance(1);
    expect(t.transport.attempts).toBe(2);
    expect(t.client.getSnapshot()).toMatchObject({ status: 'connected', retryInMs: null, nextRetryAt: null });
  });

  it('reconnect() skips the backoff wait', async () => {
    const t = setup({ backoff: { baseMs: 60_000, capMs: 60_000 } });
    t.clock.random = () => 0.99;
    t.transport.script(refuse(1006), ACCEPT);
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().retryInMs).toBeGreaterThan(50_000);
    t.client.reconnect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('a transport whose open() throws is retried like a network error', async () => {
    const clock = createFakeClock();
    const fake = createFakeTransport({ clock });
    let calls = 0;
    const flaky: Transport = {
      name: 'flaky',
      capabilities: fake.capabilities,
      open(handler, ctx) {
        if (++calls === 1) throw new Error('boom');
        return fake.open(handler, ctx);
      },
    };
    const client = createClient({ transport: flaky, platform: clock });
    client.connect();
    await clock.flush();
    expect(client.getSnapshot().status).toBe('connecting');
    expect(client.getSnapshot().lastError?.message).toContain('boom');
    await clock.advance(1000);
    expect(client.getSnapshot().status).toBe('connected');
    client.destroy();
  });

  it('ignores callbacks from superseded attempts', async () => {
    const clock = createFakeClock();
    const handlers: TransportHandler[] = [];
    const transport: Transport = {
      name: 'manual',
      capabilities: createFakeTransport().capabilities,
      open(handler) {
        handlers.push(handler);
        return { subscribe() {}, unsubscribe() {}, publish() {}, close() {} };
      },
    };
    const client = createClient({ transport, platform: clock });
    client.connect();
    handlers[0]!.close({ type: 'close', code: 1006 });
    await clock.advance(1000);
    expect(handlers).toHaveLength(2);
    handlers[0]!.open(); // stale
    expect(client.getSnapshot().status).toBe('connecting');
    handlers[1]!.open({ sessionId: 'b' });
    expect(client.getSnapshot()).toMatchObject({ status: 'connected', sessionId: 'b' });
    handlers[0]!.close({ type: 'close', code: 4001 }); // stale: must not fail the live connection
    expect(client.getSnapshot().status).toBe('connected');
    client.destroy();
  });
});

describe('backoff in the state machine', () => {
  it('grows the window with the outage\'s age, not its attempt count, and starts over only after 5 s of stable connection', async () => {
    const t = setup();
    t.clock.random = () => 0.5;
    const delays: Array<{ at: number; delay: number }> = [];
    t.client.subscribe(() => {
      const { retryInMs } = t.client.getSnapshot();
      if (retryInMs !== null) delays.push({ at: t.clock.now(), delay: retryInMs });
    });
    t.client.connect();
    await t.clock.flush();
    // A dead host: every attempt is refused at once, for 100 s.
    t.transport.script(...Array.from({ length: 200 }, () => refuse(1006)));
    const droppedAt = t.clock.now();
    t.server.drop();
    await t.clock.advance(100_000);
    // First retry of the outage: full jitter over the base window (0.5 × 1 s).
    expect(delays[0]).toEqual({ at: droppedAt, delay: 500 });
    // Later retries: equal jitter, window = min(15 s, max(1 s, 0.2 × outage so far)) → 0.75 × window.
    for (const { at, delay } of delays.slice(1)) {
      const window = Math.min(15_000, Math.max(1000, 0.2 * (at - droppedAt)));
      expect(delay).toBeCloseTo(0.75 * window, 6);
    }
    // Quick refusals do not race the window ahead: ~1 s apart at first, the cap only 75 s in.
    expect(delays.slice(1, 7).map((d) => d.delay)).toEqual([750, 750, 750, 750, 750, 750]);
    expect(delays.filter((d) => d.at - droppedAt < 75_000).every((d) => d.delay < 11_250)).toBe(true);
    expect(delays.at(-1)!.delay).toBe(11_250);
    const attempts = t.transport.attempts;

    // The host comes back: connected, stable for 5 s, then dropped again → a new outage from the base.
    t.transport.script(ACCEPT, ACCEPT, refuse(1006), ACCEPT, ACCEPT);
    t.client.reconnect();
    await t.clock.advance(6000);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(t.transport.attempts).toBe(attempts + 1);
    delays.length = 0;
    const secondDrop = t.clock.now();
    t.server.drop();
    await t.clock.advance(2000);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(delays[0]).toEqual({ at: secondDrop, delay: 500 });
    // Connected for less than 5 s: the same outage goes on — its next retry is not a first one, and
    // the window counts from the outage's start.
    t.server.drop();
    await t.clock.flush();
    const last = delays.at(-1)!;
    expect(last.delay).toBeCloseTo(0.75 * Math.max(1000, 0.2 * (last.at - secondDrop)), 6);
    expect(last.delay).toBeGreaterThan(500);
  });

  it('while offline waits for `online`, with one fallback attempt per cap', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.transport.script(refuse(1006));
    t.clock.setOnline(false);
    t.server.drop();
    await t.clock.flush();
    const before = t.transport.attempts;
    await t.clock.advance(14_999);
    expect(t.transport.attempts).toBe(before);
    await t.clock.advance(1);
    expect(t.transport.attempts).toBe(before + 1);
    await t.clock.advance(15_000);
    expect(t.transport.attempts).toBe(before + 2);
  });

  it('`online` during a backoff wait → an attempt within 500 ms', async () => {
    const t = setup({ backoff: { baseMs: 10_000, capMs: 60_000 } });
    t.client.connect();
    await t.clock.flush();
    t.transport.script(refuse(1006), refuse(1006), refuse(1006), refuse(1006), refuse(1006), ACCEPT);
    t.server.drop();
    await t.clock.advance(20_000); // a few failures: waiting 5–10 s for the next
    t.clock.setOnline(false);
    t.clock.setOnline(true);
    const wokeAt = t.clock.now();
    const attempts = t.transport.attempts;
    await t.clock.advance(500);
    expect(t.transport.attempts).toBe(attempts + 1);
    const open = t.server.opsOf('open').at(-1)!;
    expect(open.at - wokeAt).toBeLessThanOrEqual(500);
  });

  it('the page becoming visible during a backoff wait → an attempt within 500 ms', async () => {
    const t = setup({ backoff: { baseMs: 10_000, capMs: 60_000 } });
    t.clock.random = () => 0.9;
    t.transport.script(refuse(1006), ACCEPT);
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().retryInMs).toBe(9000);
    t.clock.setVisible(false);
    t.clock.setVisible(true);
    expect(t.client.getSnapshot().retryInMs).toBe(450);
    await t.clock.advance(450);
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('200 clients dropped at once spread their first retries evenly (no 250 ms bucket above 2× uniform)', async () => {
    const clock = createFakeClock({ seed: 11 });
    const shared = createFakeTransport({ clock });
    const clients = Array.from({ length: 200 }, (_, i) => {
      const transport = createFakeTransport({ clock, server: shared.server, memberId: `m${i}` });
      const client = createClient({ transport, platform: clock });
      client.connect();
      return client;
    });
    await clock.flush();
    shared.server.clearOps();
    const droppedAt = clock.now();
    shared.server.drop();
    await clock.advance(1000);
    const buckets = [0, 0, 0, 0];
    for (const op of shared.server.opsOf('open')) buckets[Math.floor((op.at - droppedAt) / 250)]!++;
    expect(buckets.reduce((a, b) => a + b)).toBe(200);
    for (const count of buckets) expect(count).toBeLessThanOrEqual(100);
    for (const client of clients) client.destroy();
  });
});

describe('heartbeat and half-open detection', () => {
  it('a black-holed connection is declared dead at the deadline (server interval 25 s + 20 s grace)', async () => {
    const t = setup();
    t.transport.script(blackHole(), ACCEPT);
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('connected');
    const openedAt = t.clock.now();
    await t.clock.advance(44_999);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(t.server.opsOf('ping')).toHaveLength(1); // asked at 35 s, no answer
    await t.clock.advance(1);
    expect(t.client.getSnapshot().status).toBe('reconnecting');
    expect(t.client.getSnapshot().lastError?.code).toBe('HEARTBEAT_TIMEOUT');
    expect(t.clock.now() - openedAt).toBe(45_000);
    await t.clock.advance(1000);
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('a quiet but healthy connection is pinged and kept for 10 minutes', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.advance(600_000);
    expect(t.transport.attempts).toBe(1);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(t.server.opsOf('ping').length).toBeGreaterThanOrEqual(15);
  });

  it('any inbound frame resets the deadline', async () => {
    const t = setup({ transport: { heartbeatMs: 10_000 } });
    t.transport.script(blackHole());
    t.client.channel('x').subscribe(() => {});
    await t.clock.flush();
    // Black hole: nothing arrives, 10 s + 20 s grace = 30 s.
    await t.clock.advance(30_000);
    expect(t.client.getSnapshot().status).toBe('reconnecting');
  });

  it('a 10-minute sleep (clock jump) is detected on the next visibility event', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.clock.setVisible(false);
    t.clock.jump(10 * 60_000); // timers did not run: the laptop slept
    expect(t.client.getSnapshot().status).toBe('connected');
    t.clock.setVisible(true);
    expect(t.client.getSnapshot().status).toBe('reconnecting');
    expect(t.client.getSnapshot().lastError?.code).toBe('HEARTBEAT_TIMEOUT');
    await t.clock.advance(1000);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(t.transport.attempts).toBe(2);
  });

  it('on wake a connected client probes: a dead connection is noticed within 5 s', async () => {
    const t = setup();
    t.transport.script(blackHole(), ACCEPT);
    t.client.connect();
    await t.clock.advance(10_000);
    t.clock.setOnline(false);
    t.clock.setOnline(true);
    await t.clock.advance(5000);
    expect(t.client.getSnapshot().status).not.toBe('connected');
    expect(t.client.getSnapshot().lastError?.code).toBe('HEARTBEAT_TIMEOUT');
  });

  it('is checked against the wall clock on send', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.clock.jump(60_000);
    void t.client.publish('x', 'e', 1);
    expect(t.client.getSnapshot().status).toBe('reconnecting');
  });

  it('can be turned off', async () => {
    const t = setup({ heartbeat: false });
    t.transport.script(blackHole());
    t.client.connect();
    await t.clock.advance(600_000);
    expect(t.client.getSnapshot().status).toBe('connected');
  });
});

describe('suspended', () => {
  it('120 s without a connection → suspended; retries then use the 30 s cap', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.transport.script(refuse(1006));
    t.server.drop();
    await t.clock.advance(119_999);
    expect(t.client.getSnapshot().status).toBe('reconnecting');
    await t.clock.advance(1);
    expect(t.client.getSnapshot().status).toBe('suspended');
    t.clock.random = () => 0.999;
    await t.clock.advance(60_000);
    expect(t.client.getSnapshot().retryInMs).toBeGreaterThan(29_000);
    t.transport.script(ACCEPT);
    t.client.reconnect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('counts from the first attempt when it never connected', async () => {
    const t = setup();
    t.transport.script(HANG);
    t.client.connect();
    await t.clock.advance(120_000);
    expect(t.client.getSnapshot().status).toBe('suspended');
  });
});

describe('vendor SDKs that retry themselves', () => {
  it('are not raced: a drop produces one reconnect sequence (the SDK’s), not two', async () => {
    const clock = createFakeClock();
    let opens = 0;
    let handler!: TransportHandler;
    const transport: Transport = {
      name: 'sdk',
      capabilities: { ...createFakeTransport().capabilities, retries: 'sdk' },
      open(h) {
        opens++;
        handler = h;
        queueMicrotask(() => h.open({ sessionId: 'one' }));
        return { subscribe() {}, unsubscribe() {}, publish() {}, close() {} };
      },
    };
    const client = createClient({ transport, platform: clock });
    client.connect();
    await clock.flush();
    expect(client.getSnapshot().status).toBe('connected');
    handler.close({ type: 'close', code: 1006 });
    expect(client.getSnapshot().status).toBe('reconnecting');
    await clock.advance(60_000);
    expect(opens).toBe(1); // the core did not open a second connection
    handler.open({ sessionId: 'two' });
    expect(client.getSnapshot()).toMatchObject({ status: 'connected', sessionId: 'two' });
    handler.close({ type: 'close', code: 4001 }); // fatal: the core stops the SDK
    expect(client.getSnapshot().status).toBe('failed');
    client.destroy();
  });

  it('reconnect() while the SDK is retrying replaces its connection: never two at once', async () => {
    const clock = createFakeClock();
    let open = 0;
    let opens = 0;
    const reasons: Array<'replaced' | undefined> = [];
    const handlers: TransportHandler[] = [];
    const transport: Transport = {
      name: 'sdk',
      capabilities: { ...createFakeTransport().capabilities, retries: 'sdk' },
      open(h) {
        opens++;
        open++;
        handlers.push(h);
        queueMicrotask(() => h.open());
        let closed = false;
        return {
          subscribe() {},
          unsubscribe() {},
          publish() {},
          close: (reason?: 'replaced') => {
            reasons.push(reason);
            if (closed) return;
            closed = true;
            open--;
          },
        };
      },
    };
    const client = createClient({ transport, platform: clock });
    client.connect();
    await clock.flush();
    handlers[0]!.close({ type: 'close', code: 1006 }); // the SDK is now retrying on its own
    expect(open).toBe(1);
    client.reconnect();
    await clock.flush();
    expect(opens).toBe(2);
    expect(open).toBe(1);
    expect(reasons).toEqual(['replaced']); // the SDK may hand its session to the next connection
    expect(client.getSnapshot().status).toBe('connected');
    handlers[0]!.open(); // the superseded SDK connection coming back is ignored
    expect(open).toBe(1);
    client.destroy();
    expect(open).toBe(0);
  });
});

describe('destroy()', () => {
  it('leaves no timer, listener or connection behind, in any state', async () => {
    for (const script of [[ACCEPT], [refuse(1006)], [HANG], [blackHole()]]) {
      const t = setup();
      t.transport.script(...script);
      t.client.channel('a').subscribe(() => {});
      void t.client.publish('a', 'e', 1);
      t.client.channel('a').presence.enter({ x: 1 });
      await t.clock.advance(3000);
      t.client.destroy();
      expectNothingLeft(t);
      expect(() => t.client.channel('a')).toThrow(/destroyed/);
      await expect(t.client.publish('a', 'e', 1)).rejects.toMatchObject({ code: 'CLOSED' });
    }
  });

  it('close() is terminal until connect()', async () => {
    const t = setup();
    t.client.channel('a').subscribe(() => {});
    await t.clock.flush();
    t.client.close();
    expect(t.client.getSnapshot()).toMatchObject({ status: 'closed', lastError: null });
    await t.clock.advance(60_000);
    expect(t.transport.attempts).toBe(1);
    expect(t.clock.listenerCount).toBe(0);
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('goes idle and closes the connection when nothing needs it any more', async () => {
    const t = setup();
    const off = t.client.channel('a').subscribe(() => {});
    await t.clock.flush();
    expect(t.transport.openConnections).toBe(1);
    off();
    await t.clock.advance(1500);
    expect(t.client.getSnapshot().status).toBe('idle');
    expect(t.transport.openConnections).toBe(0);
    expect(t.clock.pendingTimers).toBe(0);
    expect(t.clock.listenerCount).toBe(0);
  });
});

describe('auth provider', () => {
  it('is called before the first attempt and its credentials reach the transport', async () => {
    const t = setup({ auth: () => ({ token: 't1' }) });
    t.client.connect();
    await t.clock.flush();
    expect(t.transport.credentials).toEqual([{ token: 't1' }]);
  });

  it('is retried with backoff when it fails transiently', async () => {
    let calls = 0;
    const t = setup({
      auth: async () => {
        if (++calls < 3) throw new Error('auth endpoint 503');
        return 'token';
      },
    });
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 1 });
    expect(t.client.getSnapshot().lastError?.code).toBe('AUTH_ERROR');
    await t.clock.advance(5000);
    expect(calls).toBe(3);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(t.transport.attempts).toBe(1);
  });

  it('a successful connection resets the one-refresh budget', async () => {
    const reasons: string[] = [];
    const t = setup({ auth: ({ reason }) => (reasons.push(reason), 'tok') });
    t.transport.script(refuseHttp(401), ACCEPT);
    t.client.connect();
    await t.clock.advance(100);
    t.server.drop({ type: 'close', code: 4101 });
    await t.clock.advance(100);
    expect(t.client.getSnapshot().status).toBe('connected');
    expect(reasons).toEqual(['initial', 'refresh', 'refresh']);
  });
});
