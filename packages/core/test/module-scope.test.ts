import { afterEach, describe, expect, it, vi } from 'vitest';

describe('importing has no side effects', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('every entry point: no timer, listener, global, network or storage access at import', async () => {
    const calls: string[] = [];
    const record = (name: string) => () => {
      calls.push(name);
    };
    vi.stubGlobal('addEventListener', record('addEventListener'));
    vi.stubGlobal('removeEventListener', record('removeEventListener'));
    vi.stubGlobal('document', { addEventListener: record('document.addEventListener'), removeEventListener() {}, visibilityState: 'visible' });
    vi.stubGlobal('navigator', { onLine: true });
    vi.stubGlobal('indexedDB', { open: record('indexedDB.open') });
    vi.stubGlobal('fetch', record('fetch'));
    vi.stubGlobal('WebSocket', record('WebSocket'));
    vi.stubGlobal('EventSource', record('EventSource'));
    const timers = [
      vi.spyOn(globalThis, 'setTimeout'),
      vi.spyOn(globalThis, 'setInterval'),
      vi.spyOn(globalThis, 'queueMicrotask'),
    ];
    const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));

    vi.resetModules();
    await import('../src/index.js');
    await import('../src/testing/index.js');
    await import('../src/storage/indexeddb.js');

    expect(calls).toEqual([]);
    for (const spy of timers) expect(spy).not.toHaveBeenCalled();
    expect(Object.getOwnPropertyNames(globalThis).filter((name) => !globalsBefore.has(name))).toEqual([]);
  });

  it('createClient() alone does nothing either: no timer, no listener, no connection', async () => {
    const calls: string[] = [];
    vi.stubGlobal('addEventListener', () => calls.push('addEventListener'));
    vi.stubGlobal('document', { addEventListener: () => calls.push('document.addEventListener'), removeEventListener() {}, visibilityState: 'visible' });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const { createClient } = await import('../src/index.js');
    const { createFakeTransport } = await import('../src/testing/index.js');
    const transport = createFakeTransport();
    const client = createClient({ transport });
    expect(transport.attempts).toBe(0);
    expect(calls).toEqual([]);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    client.destroy();
  });
});

describe('runs in Node without a DOM, on real timers', () => {
  it('connects with the default platform and destroy() leaves no active timer', async () => {
    const { createClient } = await import('../src/index.js');
    const { createFakeTransport } = await import('../src/testing/index.js');
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const transport = createFakeTransport();
    const client = createClient({ transport });
    const got: unknown[] = [];
    client.channel('room').subscribe((m) => got.push(m.data));
    await new Promise((resolve) => {
      const stop = client.subscribe(() => {
        if (client.getSnapshot().status === 'connected') resolve(stop());
      });
    });
    await new Promise((r) => setImmediate(r));
    transport.server.publish('room', 'e', 'hello');
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['hello']);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeGreaterThan(timersBefore);
    client.destroy();
    // At most as many as before: a timer of the test runner's own may end meanwhile (seen on a loaded
    // machine), none of the client's may be left.
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
    expect(transport.openConnections).toBe(0);
  });
});
