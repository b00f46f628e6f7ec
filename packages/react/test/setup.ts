import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach, expect, vi, type MockInstance } from 'vitest';

// waitFor() polls for a condition; 5 s (not 1 s) so a loaded CI machine does not fail a correct test.
configure({ asyncUtilTimeout: 5000 });

// React's act() environment flag, so updates outside act() are reported.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let consoleError: MockInstance<typeof console.error>;
let allowed = false;

/** For a test that expects React to log (e.g. an error thrown while rendering). */
export function allowConsoleErrors(): void {
  allowed = true;
}

beforeEach(() => {
  allowed = false;
  consoleError = vi.spyOn(console, 'error');
});

afterEach(() => {
  cleanup();
  const calls = consoleError.mock.calls;
  consoleError.mockRestore();
  // act() warnings, hydration mismatches, key warnings…: none may pass silently.
  if (!allowed) expect(calls.map((args) => String(args[0]).slice(0, 300))).toEqual([]);
});
