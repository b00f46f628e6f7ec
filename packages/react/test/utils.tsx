import { createTestClient, type TestClient, type TestClientOptions } from '@switchboard/core/testing';
import { act, cleanup } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterEach, describe } from 'vitest';
import { RealtimeProvider } from '../src/index.js';

export type ReactMode = { strict: boolean; name: string };

/** Runs a suite twice: inside `<StrictMode>` and without (every React suite here does). */
export function describeEachReactMode(title: string, suite: (mode: ReactMode) => void): void {
  for (const mode of [
    { strict: true, name: 'StrictMode' },
    { strict: false, name: 'no StrictMode' },
  ]) {
    describe(`${title} (${mode.name})`, () => suite(mode));
  }
}

const live: TestClient[] = [];
afterEach(() => {
  cleanup(); // unmount first: destroying a client under mounted components would update them outside act()
  for (const t of live.splice(0)) t.client.destroy();
});

export interface Harness extends TestClient {
  /** Wraps rendered trees in the provider (and StrictMode when the mode says so). */
  wrapper: (props: { children: ReactNode }) => ReactNode;
  /** Advances the fake clock inside act(), letting effects and async work settle. */
  advance: (ms: number) => Promise<void>;
  flush: () => Promise<void>;
}

export function harness(mode: ReactMode, options: TestClientOptions = {}): Harness {
  const t = createTestClient(options);
  live.push(t);
  const wrapper = ({ children }: { children: ReactNode }) => {
    const tree = <RealtimeProvider client={t.client}>{children}</RealtimeProvider>;
    return mode.strict ? <StrictMode>{tree}</StrictMode> : tree;
  };
  const advance = (ms: number) => act(() => t.clock.advance(ms));
  return { ...t, wrapper, advance, flush: () => advance(0) };
}
