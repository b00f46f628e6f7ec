import { act, render, renderHook } from '@testing-library/react';
import { useState } from 'react';
import { expect, it } from 'vitest';
import { usePresence } from '../src/index.js';
import { describeEachReactMode, harness } from './utils.js';

describeEachReactMode('usePresence', (mode) => {
  it('enters with myData, sees members and me, leaves on unmount', async () => {
    const h = harness(mode, { transport: { memberId: 'me' } });
    h.server.join('room', { id: 'ann', data: { name: 'Ann' } });
    const { result, unmount } = renderHook(() => usePresence('room', { name: 'Me' }), { wrapper: h.wrapper });
    await h.flush();
    expect(result.current.members).toEqual([
      { id: 'ann', data: { name: 'Ann' } },
      { id: 'me', data: { name: 'Me' } },
    ]);
    expect(result.current.me).toEqual({ id: 'me', data: { name: 'Me' } });
    expect(result.current.synced).toBe(true);
    unmount();
    await h.flush();
    expect(h.server.members('room').map((m) => m.id)).toEqual(['ann']);
  });

  it('a StrictMode double mount sends one enter and no leave', async () => {
    const h = harness(mode);
    renderHook(() => usePresence('room', { name: 'Me' }), { wrapper: h.wrapper });
    await h.flush();
    expect(h.server.opsOf('presence').map((op) => op.op.action)).toEqual(['enter']);
  });

  it('watching without myData does not enter', async () => {
    const h = harness(mode);
    h.server.join('room', { id: 'ann', data: {} });
    const { result } = renderHook(() => usePresence('room'), { wrapper: h.wrapper });
    await h.flush();
    expect(result.current.members.map((m) => m.id)).toEqual(['ann']);
    expect(result.current.me).toBeNull();
    expect(h.server.opsOf('presence')).toHaveLength(0);
  });

  it('sends myData changes as throttled updates (last value wins); equal objects send nothing', async () => {
    const h = harness(mode);
    function Cursor() {
      const [x, setX] = useState(0);
      usePresence('room', { name: 'Me', x });
      return <button onClick={() => setX((v) => v + 1)}>{x}</button>;
    }
    const view = render(<Cursor />, { wrapper: h.wrapper });
    await h.advance(100);
    h.server.clearOps();
    const button = view.getByRole('button');
    for (let i = 0; i < 10; i++) {
      act(() => button.click());
      await h.advance(5);
    }
    await h.advance(100);
    expect(h.server.opsOf('presence').map((op) => op.op)).toEqual([
      { action: 'update', data: { name: 'Me', x: 1 } },
      { action: 'update', data: { name: 'Me', x: 10 } },
    ]);
    view.rerender(<Cursor />);
    await h.advance(100);
    expect(h.server.opsOf('presence')).toHaveLength(2);
  });

  it('a component selecting the member count does not re-render when a cursor moves', async () => {
    const h = harness(mode);
    let renders = 0;
    const { result } = renderHook(
      () => {
        renders++;
        return usePresence('room', undefined, { select: (s) => s.members.length });
      },
      { wrapper: h.wrapper },
    );
    h.server.join('room', { id: 'ann', data: { x: 0 } });
    await h.flush();
    expect(result.current.selected).toBe(1);
    const before = renders;
    for (let x = 1; x <= 50; x++) h.server.join('room', { id: 'ann', data: { x } }); // cursor moves
    await h.flush();
    expect(renders).toBe(before);
    h.server.join('room', { id: 'bob', data: { x: 0 } });
    await h.flush();
    expect(result.current.selected).toBe(2);
    expect(renders).toBe(before + (mode.strict ? 2 : 1));
  });

  it('update() accepts a function of the previous data', async () => {
    const h = harness(mode);
    const { result } = renderHook(() => usePresence<{ count: number }>('room'), { wrapper: h.wrapper });
    await h.flush();
    act(() => result.current.update({ count: 1 }));
    act(() => result.current.update((prev) => ({ count: (prev?.count ?? 0) + 1 })));
    await h.advance(100);
    expect(result.current.me?.data).toEqual({ count: 2 });
    expect(h.server.members('room')[0]?.data).toEqual({ count: 2 });
  });
});
