import { afterEach, describe, expect, it, vi } from 'vitest';

describe('native transports: no side effects on import or creation', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('importing ./protocol, ./websocket, ./sse and ./polling touches nothing', async () => {
    const calls: string[] = [];
    const record = (name: string) => () => {
      calls.push(name);
    };
    vi.stubGlobal('fetch', record('fetch'));
    vi.stubGlobal('WebSocket', record('WebSocket'));
    vi.stubGlobal('document', { addEventListener: record('document.addEventListener'), removeEventListener() {}, visibilityState: 'visible' });
    const timers = [vi.spyOn(globalThis, 'setTimeout'), vi.spyOn(globalThis, 'setInterval'), vi.spyOn(globalThis, 'queueMicrotask')];
    const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
    vi.resetModules();
    const modules = [
      await import('../src/protocol/index.js'),
      await import('../src/transports/websocket.js'),
      await import('../src/transports/sse.js'),
      await import('../src/transports/polling.js'),
    ];
    expect(modules).toHaveLength(4);
    expect(calls).toEqual([]);
    for (const spy of timers) expect(spy).not.toHaveBeenCalled();
    expect(Object.getOwnPropertyNames(globalThis).filter((name) => !globalsBefore.has(name))).toEqual([]);
  });

  it('creating a transport (e.g. at module level of an SSR page) opens nothing and needs no WebSocket global', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', () => calls.push('fetch'));
    vi.stubGlobal('WebSocket', undefined);
    const { websocket } = await import('../src/transports/websocket.js');
    const { sse } = await import('../src/transports/sse.js');
    const { polling } = await import('../src/transports/polling.js');
    const transports = [websocket({ url: '/realtime' }), sse({ url: '/api/realtime' }), polling({ url: '/api/realtime' })];
    expect(transports.map((t) => [t.name, t.capabilities.publish, t.capabilities.serverless])).toEqual([
      ['websocket', 'native', false],
      ['sse', 'http', true],
      ['polling', 'http', true],
    ]);
    expect(calls).toEqual([]);
  });

  it('the main entry does not import a transport', async () => {
    const { readFileSync } = await import('node:fs');
    const index = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8');
    expect(index).not.toMatch(/transports\//);
  });
});
