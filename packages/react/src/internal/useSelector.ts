import type { Readable } from '@switchboard/core';
import { useMemo, useSyncExternalStore } from 'react';

/**
 * `useSyncExternalStore` with a selector: the component re-renders only when the selected value
 * changes by `isEqual`, not on every change of the store.
 */
export function useSelector<S, R>(
  store: Readable<S>,
  select: (state: S) => R,
  isEqual: (a: R, b: R) => boolean,
  serverState: S,
): R {
  const [getSnapshot, getServerSnapshot] = useMemo(() => {
    // The last (state, selection) pair: a store change that selects an equal value keeps the old one.
    const memo: { last?: { state: S; selected: R } } = {};
    const selectMemo = (state: S): R => {
      const last = memo.last;
      if (last && Object.is(last.state, state)) return last.selected;
      const next = select(state);
      const selected = last && isEqual(last.selected, next) ? last.selected : next;
      memo.last = { state, selected };
      return selected;
    };
    const serverSelected = select(serverState);
    return [() => selectMemo(store.getSnapshot()), () => serverSelected] as const;
  }, [store, select, isEqual, serverState]);
  return useSyncExternalStore(store.subscribe, getSnapshot, getServerSnapshot);
}

/** Same items in the same order (by reference). */
export function shallowArrayEqual<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => Object.is(item, b[i])));
}

/** Same own keys with `Object.is` values (one level deep). */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
