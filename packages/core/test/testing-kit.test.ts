import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/client.js';
import { consoleLogger } from '../src/logger.js';
import { ACCEPT, HANG, accept, createFakeClock, createFakeTransport, dropAfter, refuse, seededRandom } from '../src/testing/index.js';
import { outcome, setup } from './helpers.js';

describe('fake clock', () => {
  it('fires timers in time order, then by creation order', async () => {
    const clock = createFakeClock({ now: 0 });
    const order: string[] = [];
    clock.setTimeout(() => order.push('b@20'), 20);
    clock.setTimeout(() => order.push('a@10'), 10);
    clock.setTimeout(() => order.push('c@20'), 20);
    const cleared = clock.setTimeout(() => order.push('never'), 5);
    clock.clearTimeout(cleared);
    await clock.advance(15);
    expect(order).toEqual(['a@10']);
    expect(clock.now()).toBe(15);
    await clock.advance(5);
    expect(order).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('jump() moves the wall clock without firing timers until the next advance', async () => {
    const clock = createFakeClock({ now: 0 });
    let fired = 0;
    clock.setTimeout(() => fired++, 1000);
    clock.jump(5000);
    expect(clock.now()).toBe(5000);
    expect(fired).toBe(0);
    await clock.flush();
    expect(fired).toBe(1);
  });

  it('seeded random is deterministic and uniform enough', () => {
    const a = seededRandom(9);
    const b = seededRandom(9);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);
  });
});

describe('fake transport behaviours', () => {
  it('accept({ delayMs }) opens after the delay; refuse(code, delayMs) closes after it', async () => {
    const t = setup();
    t.transport.script(refuse(1011, 300), accept({ delayMs: 200 }));
    t.client.connect();
    await t.clock.advance(299);
    expect(t.client.getSnapshot().attempt).toBe(0);
    await t.clock.advance(1);
    expect(t.client.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 1 });
    const retry = t.client.getSnapshot().retryInMs!;
    await t.clock.advance(retry + 199);
    expect(t.client.getSnapshot().status).toBe('connecting');
    await t.clock.advance(1);
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('dropAfter(n) drops after delivering n frames', async () => {
    const t = setup();
    t.transport.script(dropAfter(3), ACCEPT);
    const got: unknown[] = [];
    t.client.channel('c').subscribe((m) => got.push(m.data));
    await t.clock.flush(); // frame 1: subscribed
    t.server.publish('c', 'e', 1); // frame 2
    t.server.publish('c', 'e', 2); // frame 3 → drop
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('reconnecting');
    expect(got).toEqual([1, 2]);
    await t.clock.advance(1000);
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('HANG never answers: the attempt stays connecting', async () => {
    const t = setup();
    t.transport.script(HANG);
    t.client.connect();
    await t.clock.advance(60_000);
    expect(t.client.getSnapshot()).toMatchObject({ status: 'connecting', attempt: 0 });
    expect(t.transport.attempts).toBe(1);
  });

  it('manual acks: nothing settles until the server says so', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.server.ackMode = 'manual';
    const a = outcome(t.client.publish('c', 'e', 'a'));
    const b = outcome(t.client.publish('c', 'e', 'b'));
    await t.clock.flush();
    expect(t.server.pendingAcks).toHaveLength(2);
    t.server.nack(t.server.pendingAcks[1]!);
    t.server.ack(t.server.pendingAcks[0]!);
    await t.clock.flush();
    expect((await a).value?.status).toBe('acked');
    expect((await b).error?.code).toBe('PUBLISH_REJECTED');
  });

  it('latencyMs delays every server frame on the clock', async () => {
    const clock = createFakeClock();
    const transport = createFakeTransport({ clock, latencyMs: 50 });
    const client = createClient({ transport, platform: clock });
    const got: unknown[] = [];
    client.channel('c').subscribe((m) => got.push(m.data));
    await clock.flush();
    transport.server.publish('c', 'e', 1);
    await clock.advance(49);
    expect(got).toEqual([]);
    await clock.advance(1);
    expect(got).toEqual([1]);
    client.destroy();
  });
});

describe('logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is silent by default, and logs to the console when asked', async () => {
    const spies = (['debug', 'warn', 'error', 'log', 'info'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    const quiet = setup();
    quiet.transport.script(refuse(1006), ACCEPT);
    quiet.client.channel('c').subscribe(() => {});
    await quiet.clock.advance(2000);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();

    const chatty = setup({ logger: true });
    chatty.client.connect();
    await chatty.clock.flush();
    expect(spies[0]).toHaveBeenCalledWith('[switchboard]', expect.stringContaining('connected'));
  });

  it('accepts a custom logger', async () => {
    const lines: string[] = [];
    const logger = { ...consoleLogger(), debug: (m: string) => lines.push(m) };
    const t = setup({ logger });
    t.client.connect();
    await t.clock.flush();
    expect(lines.some((l) => l.startsWith('connected'))).toBe(true);
  });

  it('without an error listener, development builds warn once per code (never silent)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const clock = createFakeClock();
    const transport = createFakeTransport({ clock });
    const client = createClient({ transport, platform: clock });
    client.channel('c').subscribe(() => {
      throw new Error('oops');
    });
    await clock.flush();
    transport.server.publish('c', 'e', 1);
    transport.server.publish('c', 'e', 2);
    await clock.flush();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/HANDLER_ERROR: oops[\s\S]*errors\.md#handler_error/);
    expect(client.getStats().errors).toBe(2);
    client.destroy();
  });
});
