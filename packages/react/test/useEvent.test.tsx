import { renderHook } from '@testing-library/react';
import { expect, it } from 'vitest';
import { useEvent } from '../src/index.js';
import { describeEachReactMode, harness } from './utils.js';

describeEachReactMode('useEvent', (mode) => {
  it('calls the latest handler for one event only, without resubscribing when it changes', async () => {
    const h = harness(mode);
    const calls: string[] = [];
    const { rerender } = renderHook(({ tag }) => useEvent('room', 'typing', (data) => calls.push(`${tag}:${JSON.stringify(data)}`)), {
      wrapper: h.wrapper,
      initialProps: { tag: 'a' },
    });
    await h.flush();
    h.server.publish('room', 'message', 'ignored');
    h.server.publish('room', 'typing', { user: 1 });
    await h.flush();
    rerender({ tag: 'b' });
    h.server.publish('room', 'typing', { user: 2 });
    await h.flush();
    expect(calls).toEqual(['a:{"user":1}', 'b:{"user":2}']);
    expect(h.server.opsOf('subscribe')).toHaveLength(1);
  });

  it('changing the event name switches listeners without leaving the channel', async () => {
    const h = harness(mode);
    const calls: string[] = [];
    const { rerender } = renderHook(({ event }) => useEvent('room', event, () => calls.push(event)), {
      wrapper: h.wrapper,
      initialProps: { event: 'a' },
    });
    await h.flush();
    rerender({ event: 'b' });
    h.server.publish('room', 'a', 1);
    h.server.publish('room', 'b', 1);
    await h.advance(5000);
    expect(calls).toEqual(['b']);
    expect(h.server.opsOf('unsubscribe')).toHaveLength(0);
  });
});
