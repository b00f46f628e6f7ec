import { ACCEPT, refuse } from '@switchboard/core/testing';
import { act, renderHook } from '@testing-library/react';
import { expect, it } from 'vitest';
import { useChannel, useConnectionStatus } from '../src/index.js';
import { describeEachReactMode, harness } from './utils.js';

describeEachReactMode('useConnectionStatus', (mode) => {
  it('follows the status union and stays stable across renders', async () => {
    const h = harness(mode);
    const { result, rerender } = renderHook(
      () => {
        useChannel('room');
        return useConnectionStatus();
      },
      { wrapper: h.wrapper },
    );
    expect(result.current.status).toBe('connecting');
    await h.flush();
    expect(result.current).toMatchObject({ status: 'connected', attempt: 0, retryInMs: null, lastError: null, transport: 'fake' });
    const connected = result.current;
    rerender();
    expect(result.current).toBe(connected);

    h.transport.script(refuse(1006), ACCEPT);
    act(() => h.server.drop());
    expect(result.current).toMatchObject({ status: 'reconnecting', attempt: 1 });
    expect(result.current.lastError?.code).toBe('CONNECTION_LOST');
    expect(result.current.reconnect).toBe(connected.reconnect);
  });

  it('reconnect() retries at once', async () => {
    const h = harness(mode, { backoff: { baseMs: 60_000, capMs: 60_000 } });
    h.clock.random = () => 0.9;
    const { result } = renderHook(
      () => {
        useChannel('room');
        return useConnectionStatus();
      },
      { wrapper: h.wrapper },
    );
    await h.flush();
    act(() => h.server.drop());
    await h.flush();
    expect(result.current.retryInMs).toBeGreaterThan(50_000);
    act(() => result.current.reconnect());
    await h.flush();
    expect(result.current.status).toBe('connected');
  });

  it('counts retryInMs down with tickMs, on the client clock', async () => {
    const h = harness(mode, { backoff: { baseMs: 10_000, capMs: 10_000 } });
    h.clock.random = () => 0.5;
    let renders = 0;
    const { result } = renderHook(
      () => {
        renders++;
        useChannel('room');
        return useConnectionStatus({ tickMs: 1000 });
      },
      { wrapper: h.wrapper },
    );
    await h.flush();
    act(() => h.server.drop());
    await h.flush();
    expect(result.current.retryInMs).toBe(5000);
    await h.advance(1000);
    expect(result.current.retryInMs).toBe(4000);
    await h.advance(2500); // ticks are whole seconds apart: the value is the one of the last tick
    expect(result.current.retryInMs).toBe(2000);
    await h.advance(500);
    expect(result.current.retryInMs).toBe(1000);
    const before = renders;
    await h.advance(1000);
    expect(result.current.status).toBe('connected');
    expect(result.current.retryInMs).toBeNull();
    expect(renders - before).toBeLessThanOrEqual(mode.strict ? 8 : 4);
    await h.advance(10_000);
    expect(h.clock.pendingTimers).toBeLessThanOrEqual(2); // heartbeat + stable timer only: the ticker stopped
  });
});
