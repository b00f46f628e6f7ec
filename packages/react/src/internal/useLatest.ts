import { useInsertionEffect, useRef } from 'react';

/**
 * A ref that always holds the latest committed `value`: handlers passed to hooks are read through it,
 * so they see current state and changing them never resubscribes anything.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  // Insertion effects run before any other effect of the commit and are silent on the server.
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
