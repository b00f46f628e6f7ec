import { act, renderHook } from '@testing-library/react';
import { expect, it } from 'vitest';
import { useServerEvents } from '../src/index.js';
import { describeEachReactMode, harness } from './utils.js';

describeEachReactMode('useServerEvents (channel source)', (mode) => {
  it('keeps the last `max` events, oldest first', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => useServerEvents('feed', { max: 3 }), { wrapper: h.wrapper });
    await h.flush();
    for (let i = 1; i <= 5; i++) h.server.publish('feed', 'item', i);
    await h.flush();
    expect(result.current.events.map((e) => e.data)).toEqual([3, 4, 5]);
    expect(result.current.events[0]).toMatchObject({ event: 'item', source: 'feed', id: '3', receivedAt: h.clock.now() });
    expect(result.current.status).toBe('subscribed');
  });

  it('a burst of 1,000 messages in one task causes one render', async () => {
    const h = harness(mode);
    let renders = 0;
    const { result } = renderHook(
      () => {
        renders++;
        return useServerEvents('feed', { max: 2000 });
      },
      { wrapper: h.wrapper },
    );
    await h.flush();
    const before = renders;
    for (let i = 0; i < 1000; i++) h.server.publish('feed', 'tick', i);
    await h.flush();
    expect(result.current.events).toHaveLength(1000);
    expect(renders - before).toBe(mode.strict ? 2 : 1); // StrictMode renders each update twice
  });

  it('with batchMs: 100, at most one render per 100 ms of fake time', async () => {
    const h = harness(mode);
    const renderTimes: number[] = [];
    const { result } = renderHook(
      () => {
        const value = useServerEvents('feed', { max: 10_000, batchMs: 100 });
        renderTimes.push(h.clock.now());
        return value;
      },
      { wrapper: h.wrapper },
    );
    await h.flush();
    const start = renderTimes.length;
    for (let i = 0; i < 200; i++) {
      h.server.publish('feed', 'tick', i); // one message every 5 ms for 1 s
      await h.advance(5);
    }
    await h.advance(200);
    expect(result.current.events).toHaveLength(200);
    // 1.2 s of fake time → at most 12 renders (200 without batching). React 18's act() may run a
    // render a few ms after the notification, so count renders rather than measure their spacing.
    const renders = renderTimes.length - start;
    expect(renders).toBeLessThanOrEqual(mode.strict ? 24 : 12);
    expect(renders).toBeGreaterThanOrEqual(mode.strict ? 16 : 8);
  });

  it('filters by event and can be cleared', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => useServerEvents('inbox', { events: ['notification'] }), { wrapper: h.wrapper });
    await h.flush();
    h.server.publish('inbox', 'notification', { title: 'a' });
    h.server.publish('inbox', 'typing', {});
    await h.flush();
    expect(result.current.events.map((e) => e.event)).toEqual(['notification']);
    act(() => result.current.clear());
    await h.flush();
    expect(result.current.events).toEqual([]);
  });

  it('transition: true still delivers every event', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => useServerEvents('dash', { transition: true }), { wrapper: h.wrapper });
    await h.flush();
    h.server.publish('dash', 'metric', 1);
    h.server.publish('dash', 'metric', 2);
    await h.flush();
    expect(result.current.events.map((e) => e.data)).toEqual([1, 2]);
  });
});
