import { afterEach, expect } from 'vitest';
import type { RealtimeError } from '../src/errors.js';
import { createTestClient, type TestClient, type TestClientOptions } from '../src/testing/index.js';

const live: TestClient[] = [];

afterEach(() => {
  for (const t of live.splice(0)) t.client.destroy();
});

/** A test client destroyed after the test; collects the `error` events it reports. */
export function setup(options: TestClientOptions = {}): TestClient & { errors: RealtimeError[] } {
  const t = createTestClient(options);
  const errors: RealtimeError[] = [];
  t.client.on('error', (error) => errors.push(error));
  live.push(t);
  return { ...t, errors };
}

/** Asserts that a destroyed client left nothing behind. */
export function expectNothingLeft(t: TestClient): void {
  expect(t.clock.pendingTimers).toBe(0);
  expect(t.clock.listenerCount).toBe(0);
  expect(t.transport.openConnections).toBe(0);
}

/** Resolves after async work settles; returns how a promise ended without throwing. */
export async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: RealtimeError }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error as RealtimeError };
  }
}
