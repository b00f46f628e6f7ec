import type { Presence, PresenceMember, PresenceSnapshot } from '@switchboard/core';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useClient } from './context.js';
import { useLatest } from './internal/useLatest.js';
import { shallowEqual, useSelector } from './internal/useSelector.js';

export interface UsePresenceResult<T> {
  /** Everyone on the channel, this client included once the server echoed it. */
  readonly members: readonly PresenceMember<T>[];
  /** This client, once entered (optimistic). */
  readonly me: PresenceMember<T> | null;
  /** A full member list arrived on the current connection. */
  readonly synced: boolean;
  /** Sets this client's data (throttled by the core, last value wins). Enters if needed. Stable. */
  readonly update: (data: T | ((previous: T | undefined) => T)) => void;
  /** Leaves presence (the hook also leaves on unmount). Stable. */
  readonly leave: () => void;
}

export interface UseSelectedPresenceResult<T, R> extends Pick<UsePresenceResult<T>, 'update' | 'leave'> {
  /** What `select` returned; the component re-renders only when it changes (by `isEqual`). */
  readonly selected: R;
}

export interface UsePresenceOptions<T, R> {
  select: (snapshot: PresenceSnapshot<T>) => R;
  /** Default: shallow equality, so selecting `{ count, names }` objects works. */
  isEqual?: (a: R, b: R) => boolean;
}

const EMPTY: PresenceSnapshot<never> = /* @__PURE__ */ Object.freeze({ members: /* @__PURE__ */ Object.freeze([]), me: null, synced: false });
const identity = <X>(x: X) => x;

/**
 * Who is on a channel. Pass `myData` to enter with it (updates are throttled, ~60 ms, last value
 * wins; the hook leaves on unmount); omit it to only watch. With `select`, the component re-renders
 * only when the selected value changes — a member-count badge ignores cursor moves. Throws a
 * `CAPABILITY_MISSING` error while rendering if the transport has no presence. The data type comes
 * from the schema with `createRealtime<Schema>()`, or as a type argument: `usePresence<Me>(room)`.
 *
 * @example
 * function Cursors({ room, me }: { room: string; me: { name: string } }) {
 *   const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
 *   const { members } = usePresence(room, { ...me, cursor });
 *   return <div onPointerMove={(e) => setCursor({ x: e.clientX, y: e.clientY })}>{members.map(renderCursor)}</div>;
 * }
 *
 * function OnlineCount({ room }: { room: string }) {
 *   const { selected: count } = usePresence(room, undefined, { select: (s) => s.members.length });
 *   return <span>{count} online</span>;
 * }
 */
export function usePresence<T = unknown>(channel: string, myData?: T): UsePresenceResult<T>;
export function usePresence<T, R>(channel: string, myData: T | undefined, options: UsePresenceOptions<T, R>): UseSelectedPresenceResult<T, R>;
export function usePresence<T, R>(
  channel: string,
  myData?: T,
  options?: UsePresenceOptions<T, R>,
): UsePresenceResult<T> | UseSelectedPresenceResult<T, R> {
  const client = useClient('usePresence');
  const handle = useMemo(() => client.channel(channel), [client, channel]);
  // Throws CAPABILITY_MISSING (naming the transport) when presence is not available.
  const presence = handle.presence as Presence<T>;

  const select = (options?.select ?? identity) as (snapshot: PresenceSnapshot<T>) => R | PresenceSnapshot<T>;
  const isEqual = (options ? (options.isEqual ?? shallowEqual) : Object.is) as (a: unknown, b: unknown) => boolean;
  const selected = useSelector(presence, select, isEqual, EMPTY as PresenceSnapshot<T>);

  useEnter(presence, myData);

  const update = useCallback(
    (data: T | ((previous: T | undefined) => T)) => {
      const next = typeof data === 'function' ? (data as (p: T | undefined) => T)(presence.getSnapshot().me?.data) : data;
      presence.update(next);
    },
    [presence],
  );
  const leave = useCallback(() => presence.leave(), [presence]);

  // Only whether a selector is used matters, not the identity of `options`.
  const selecting = options !== undefined;
  return useMemo(() => {
    if (selecting) return { selected: selected as R, update, leave };
    const snapshot = selected as PresenceSnapshot<T>;
    return { members: snapshot.members, me: snapshot.me, synced: snapshot.synced, update, leave };
  }, [selected, update, leave, selecting]);
}

/** Enters while mounted with `myData`, updating when it changes (shallowly); leaves on unmount. */
function useEnter<T>(presence: Presence<T>, myData: T | undefined): void {
  const entering = myData !== undefined;
  const data = useLatest(myData);
  const lastSent = useRef<T | undefined>(undefined);
  /** The presence whose leave is scheduled (keyed, so switching channels never cancels the wrong one). */
  const pendingLeave = useRef<Presence<T> | null>(null);

  useEffect(() => {
    if (!entering) return;
    if (pendingLeave.current === presence) {
      // StrictMode (or a remount in the same tick) re-entered before the leave went out: keep presence.
      pendingLeave.current = null;
    } else {
      presence.enter(data.current as T);
      lastSent.current = data.current;
    }
    return () => {
      pendingLeave.current = presence;
      queueMicrotask(() => {
        if (pendingLeave.current !== presence) return;
        pendingLeave.current = null;
        presence.leave();
      });
    };
  }, [presence, entering, data]);

  useEffect(() => {
    if (!entering || shallowEqual(lastSent.current, myData)) return;
    lastSent.current = myData;
    presence.update(myData as T);
  });
}
