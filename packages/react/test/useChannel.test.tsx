import type { Message } from '@switchboard/core';
import { ACCEPT, refuse } from '@switchboard/core/testing';
import { act, render, renderHook } from '@testing-library/react';
import { useState } from 'react';
import { expect, it } from 'vitest';
import { useChannel } from '../src/index.js';
import { describeEachReactMode, harness } from './utils.js';

describeEachReactMode('useChannel', (mode) => {
  it('subscribes while mounted and delivers messages', async () => {
    const h = harness(mode);
    const got: unknown[] = [];
    const { result, unmount } = renderHook(() => useChannel('room', { onMessage: (m) => got.push(m.data) }), { wrapper: h.wrapper });
    expect(result.current.status).toBe('subscribing');
    await h.flush();
    expect(result.current.status).toBe('subscribed');
    h.server.publish('room', 'message', { text: 'hi' });
    await h.flush();
    expect(got).toEqual([{ text: 'hi' }]);
    unmount();
    await h.advance(1500);
    expect(h.server.opsOf('unsubscribe')).toHaveLength(1);
    expect(h.client.getSnapshot().status).toBe('idle');
  });

  it('a handler closing over changing state sees the current value; changing it never resubscribes', async () => {
    const h = harness(mode);
    const seen: string[] = [];
    function Room() {
      const [label, setLabel] = useState('first');
      useChannel('room', { onMessage: (m: Message) => seen.push(`${label}:${String(m.data)}`) });
      return <button onClick={() => setLabel('second')}>{label}</button>;
    }
    const view = render(<Room />, { wrapper: h.wrapper });
    await h.flush();
    h.server.publish('room', 'e', 1);
    await h.flush();
    act(() => view.getByRole('button').click());
    h.server.publish('room', 'e', 2);
    await h.flush();
    expect(seen).toEqual(['first:1', 'second:2']);
    expect(h.server.opsOf('subscribe')).toHaveLength(1);
    expect(h.server.opsOf('unsubscribe')).toHaveLength(0);
  });

  it('100 mount/unmount cycles → one connection while mounted, none after, no wire operation from double mounts', async () => {
    const h = harness(mode);
    function Room() {
      useChannel('room:lobby', { onMessage: () => {} });
      return null;
    }
    for (let i = 0; i < 100; i++) {
      const view = render(<Room />, { wrapper: h.wrapper });
      await h.flush();
      expect(h.transport.openConnections).toBe(1);
      view.unmount();
    }
    expect(h.transport.attempts).toBe(1);
    expect(h.server.ops.map((op) => op.type)).toEqual(['open', 'subscribe']);
    await h.advance(1500);
    expect(h.transport.openConnections).toBe(0);
    expect(h.server.ops.map((op) => op.type)).toEqual(['open', 'subscribe', 'unsubscribe', 'close']);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('enabled: false does not subscribe; toggling it does', async () => {
    const h = harness(mode);
    const { rerender, result } = renderHook(({ on }) => useChannel('room', { enabled: on }), {
      wrapper: h.wrapper,
      initialProps: { on: false },
    });
    await h.flush();
    expect(h.transport.attempts).toBe(0);
    expect(result.current.status).toBe('idle');
    rerender({ on: true });
    await h.flush();
    expect(result.current.status).toBe('subscribed');
  });

  it('publishes through the outbox and shows pending / failed state per message', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => useChannel('room'), { wrapper: h.wrapper });
    await h.flush();
    h.transport.script(refuse(1006), ACCEPT);
    act(() => h.server.drop());
    await h.flush();
    let sent!: Promise<unknown>;
    act(() => {
      sent = result.current.publish('message', { text: 'offline' });
    });
    await h.flush();
    expect(result.current.pending.map((e) => [e.data, e.state])).toEqual([[{ text: 'offline' }, 'queued']]);
    await h.advance(2000); // two retries: the first within 1 s, the next 0.5–1 s later
    await expect(sent).resolves.toMatchObject({ status: 'acked' });
    expect(result.current.pending).toEqual([]);

    h.server.ackMode = 'nack';
    act(() => {
      void result.current.publish('message', { text: 'refused' });
    });
    await h.flush();
    expect(result.current.failed.map((e) => [e.data, e.error?.code])).toEqual([[{ text: 'refused' }, 'PUBLISH_REJECTED']]);
    h.server.ackMode = 'auto';
    act(() => {
      void result.current.retry(result.current.failed[0]!.id);
    });
    await h.flush();
    expect(result.current.failed).toEqual([]);
    expect(h.server.received.map((m) => m.data)).toEqual([{ text: 'offline' }, { text: 'refused' }]);
  });

  it('other channels’ outbox activity does not re-render it', async () => {
    const h = harness(mode);
    let renders = 0;
    renderHook(
      () => {
        renders++;
        return useChannel('a');
      },
      { wrapper: h.wrapper },
    );
    await h.flush();
    const before = renders;
    await act(() => h.client.publish('b', 'e', 1));
    await h.flush();
    expect(renders).toBe(before);
  });

  it('since: starts from the server-rendered snapshot, so what was published before it mounted arrives', async () => {
    const h = harness(mode);
    h.server.publish('room', 'message', 'in the snapshot'); // offset 1
    h.server.publish('room', 'message', 'after the snapshot');
    const got: unknown[] = [];
    const gaps: string[] = [];
    const { rerender } = renderHook(({ since }) => useChannel('room', { since, onMessage: (m) => got.push(m.data), onDiscontinuity: (info) => gaps.push(info.reason) }), {
      wrapper: h.wrapper,
      initialProps: { since: '1' },
    });
    await h.flush();
    expect(got).toEqual(['after the snapshot']);
    // A new `since` on a later render (a refreshed server component) never resubscribes.
    rerender({ since: '2' });
    await h.flush();
    expect(h.server.opsOf('subscribe').map((op) => op.cursor)).toEqual(['1']);
    expect(gaps).toEqual([]);
  });

  it('since: a later resubscribe of the same component resumes where it left off, not from the snapshot', async () => {
    const h = harness(mode);
    h.server.publish('room', 'message', 'in the snapshot');
    h.server.publish('room', 'message', 'after the snapshot');
    const got: unknown[] = [];
    const { rerender } = renderHook(({ enabled }) => useChannel('room', { since: '1', enabled, onMessage: (m) => got.push(m.data) }), {
      wrapper: h.wrapper,
      initialProps: { enabled: true },
    });
    await h.flush();
    rerender({ enabled: false });
    await h.advance(5000); // past the linger: the channel is left (its status is still observed)
    h.server.publish('room', 'message', 'while disabled');
    rerender({ enabled: true });
    await h.flush();
    expect(h.server.opsOf('subscribe').map((op) => op.cursor)).toEqual(['1', '2']);
    expect(got).toEqual(['after the snapshot', 'while disabled']);
  });

  it('reports a discontinuity through onDiscontinuity', async () => {
    const h = harness(mode);
    const gaps: string[] = [];
    renderHook(() => useChannel('feed', { onDiscontinuity: (info) => gaps.push(info.reason) }), { wrapper: h.wrapper });
    await h.flush();
    h.server.publish('feed', 'e', 1);
    await h.flush();
    act(() => h.server.drop());
    h.server.publish('feed', 'e', 2); // missed while down…
    h.server.forgetHistory(); // …and gone from the server's history
    await h.advance(1000);
    expect(gaps).toEqual(['resume-failed']);
  });

  it('returns a stable object while nothing changed', async () => {
    const h = harness(mode);
    const { result, rerender } = renderHook(() => useChannel('room'), { wrapper: h.wrapper });
    await h.flush();
    const first = result.current;
    rerender();
    expect(result.current).toBe(first);
    expect(result.current.publish).toBe(first.publish);
  });

  it('delivers inside startTransition with transition: true', async () => {
    const h = harness(mode);
    const got: number[] = [];
    function Feed() {
      const [items, setItems] = useState<number[]>([]);
      useChannel('feed', { transition: true, onMessage: (m) => setItems((all) => [...all, m.data as number]) });
      got.splice(0, got.length, ...items);
      return null;
    }
    render(<Feed />, { wrapper: h.wrapper });
    await h.flush();
    h.server.publish('feed', 'e', 1);
    h.server.publish('feed', 'e', 2);
    await h.flush();
    expect(got).toEqual([1, 2]);
  });
});
