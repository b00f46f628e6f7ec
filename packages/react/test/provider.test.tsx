import { createTestClient } from '@switchboard/core/testing';
import { renderHook } from '@testing-library/react';
import { expect, it } from 'vitest';
import {
  RealtimeProvider,
  isRealtimeError,
  useChannel,
  useConnectionStatus,
  useEvent,
  usePresence,
  usePublish,
  useRealtimeClient,
  useServerEvents,
} from '../src/index.js';
import { allowConsoleErrors } from './setup.js';
import { describeEachReactMode } from './utils.js';

const hooks: Array<[string, () => unknown]> = [
  ['useChannel', () => useChannel('room')],
  ['useEvent', () => useEvent('room', 'e', () => {})],
  ['usePublish', () => usePublish('room')],
  ['usePresence', () => usePresence('room')],
  ['useServerEvents', () => useServerEvents('room')],
  ['useConnectionStatus', () => useConnectionStatus()],
  ['useRealtimeClient', () => useRealtimeClient()],
];

describeEachReactMode('without a provider', () => {
  it.each(hooks)('%s throws NO_PROVIDER naming itself', (name, hook) => {
    allowConsoleErrors(); // React logs the error thrown while rendering
    let thrown: unknown;
    try {
      renderHook(hook);
    } catch (error) {
      thrown = error;
    }
    expect(isRealtimeError(thrown, 'NO_PROVIDER')).toBe(true);
    expect((thrown as Error).message).toContain(`${name}() must be used inside <RealtimeProvider`);
  });
});

describeEachReactMode('with a provider', () => {
  it('useRealtimeClient returns the provided client', () => {
    const { client } = createTestClient();
    const { result } = renderHook(() => useRealtimeClient(), {
      wrapper: ({ children }) => <RealtimeProvider client={client}>{children}</RealtimeProvider>,
    });
    expect(result.current).toBe(client);
    client.destroy();
  });

  it('a hook that needs a missing capability throws CAPABILITY_MISSING naming the transport', () => {
    allowConsoleErrors();
    const { client } = createTestClient({ transport: { name: 'readonly-sse', capabilities: { presence: false, publish: false } } });
    const wrapper = ({ children }: { children: React.ReactNode }) => <RealtimeProvider client={client}>{children}</RealtimeProvider>;
    expect(() => renderHook(() => usePresence('room'), { wrapper })).toThrowError(/readonly-sse transport does not support presence/);
    expect(() => renderHook(() => usePublish('room'), { wrapper })).toThrowError(/readonly-sse transport does not support publish/);
    // Reading a channel needs neither.
    expect(() => renderHook(() => useChannel('room'), { wrapper })).not.toThrow();
    client.destroy();
  });
});
