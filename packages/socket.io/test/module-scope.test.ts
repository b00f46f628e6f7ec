import { afterEach, describe, expect, it, vi } from 'vitest';

describe('no side effects', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('importing either entry and creating the transport starts no timer, socket or global', async () => {
    const timers = [vi.spyOn(globalThis, 'setTimeout'), vi.spyOn(globalThis, 'setInterval')];
    const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
    const io = vi.fn();
    vi.resetModules();
    const { socketIO } = await import('../src/index.js');
    await import('../src/server.js');
    const transport = socketIO({ url: 'http://127.0.0.1:1', io });
    expect(transport.capabilities).toMatchObject({ publish: 'native', acks: true, presence: true, resume: true, clientEvents: false, retries: 'core', serverless: false });
    expect(io).not.toHaveBeenCalled();
    for (const spy of timers) expect(spy).not.toHaveBeenCalled();
    expect(Object.getOwnPropertyNames(globalThis).filter((name) => !globalsBefore.has(name))).toEqual([]);
  });
});
