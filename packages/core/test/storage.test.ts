import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { indexedDBStorage } from '../src/storage/indexeddb.js';
import { memoryStorage, type OutboxStorage } from '../src/storage/types.js';
import { ACCEPT, createFakeClock, createFakeTransport, refuse, type FakeServer } from '../src/testing/index.js';

function page(storage: OutboxStorage, server?: FakeServer, clock = createFakeClock()) {
  const transport = createFakeTransport({ clock, ...(server ? { server } : {}) });
  const client = createClient({ transport, platform: clock, outbox: { storage } });
  return { client, clock, transport, server: transport.server };
}

describe.each([
  ['IndexedDB (fake-indexeddb)', () => indexedDBStorage({ indexedDB: new IDBFactory(), scope: 'user-1' })],
  ['memoryStorage', () => memoryStorage()],
])('outbox storage: %s', (_name, makeStorage) => {
  it('a stored outbox survives a reload (new client, same storage) and flushes in order', async () => {
    const storage = makeStorage();
    const before = page(storage);
    before.client.connect();
    await before.clock.flush();
    before.transport.script(refuse(1006));
    before.server.drop();
    await before.clock.flush();
    for (let i = 0; i < 20; i++) void before.client.publish('chat', 'message', { seq: i });
    await before.clock.flush();
    const ids = before.client.outbox.getSnapshot().pending.map((e) => e.id);
    before.client.destroy(); // the tab is reloaded; the server never saw anything
    expect(before.server.received).toHaveLength(0);

    const after = page(storage, before.server);
    after.transport.script(ACCEPT);
    await after.clock.flush();
    // Restored messages alone are a reason to connect; once acked, nothing needs the connection.
    expect(after.transport.attempts).toBe(1);
    expect(after.client.getSnapshot().status).toBe('idle');
    expect(after.server.received.map((m) => m.id)).toEqual(ids);
    expect(after.server.received.map((m) => (m.data as { seq: number }).seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(after.client.outbox.getSnapshot().pending).toHaveLength(0);
    // Acked messages are gone from storage: a third page sends nothing again.
    const third = page(storage, before.server);
    await third.clock.advance(2000);
    expect(third.server.received).toHaveLength(20);
    expect(third.server.duplicates).toBe(0);
    for (const p of [after, third]) p.client.destroy();
  });

  it('restored messages go before ones published while loading, and expired ones fail', async () => {
    const storage = makeStorage();
    const clock = createFakeClock();
    const first = page(storage, undefined, clock);
    first.transport.script(refuse(1006));
    first.client.connect();
    void first.client.publish('c', 'e', 'old', { ttlMs: 1000 });
    void first.client.publish('c', 'e', 'kept');
    await clock.flush();
    first.client.destroy();
    await clock.advance(5000);

    const second = page(storage, first.server, clock);
    void second.client.publish('c', 'e', 'new'); // before the stored outbox finished loading
    await clock.flush();
    expect(second.server.received.map((m) => m.data)).toEqual(['kept', 'new']);
    expect(second.client.outbox.getSnapshot().failed.map((e) => [e.data, e.error?.code])).toEqual([['old', 'TIMEOUT']]);
    second.client.destroy();
  });
});

describe('outbox storage failures', () => {
  it('are reported as STORAGE_ERROR and nothing is lost in memory', async () => {
    const broken: OutboxStorage = {
      load: async () => {
        throw new Error('quota');
      },
      put: async () => {
        throw new Error('quota');
      },
      delete: () => {
        throw new Error('quota');
      },
    };
    const p = page(broken);
    const errors: string[] = [];
    p.client.on('error', (e) => errors.push(e.code));
    const result = p.client.publish('c', 'e', 1);
    await p.clock.flush();
    await expect(result).resolves.toMatchObject({ status: 'acked' });
    expect(p.server.received).toHaveLength(1);
    expect(errors).toEqual(['STORAGE_ERROR', 'STORAGE_ERROR', 'STORAGE_ERROR']);
    p.client.destroy();
  });

  it('without IndexedDB (SSR, Node) the adapter stores nothing and does not throw', async () => {
    const storage = indexedDBStorage();
    expect(await storage.load()).toEqual([]);
    await storage.put({ id: 'a', seq: 1, channel: 'c', event: 'e', data: 1, createdAt: 0, expiresAt: 1 });
    await storage.delete('a');
    storage.close();
  });

  it('scopes keep outboxes apart in one database', async () => {
    const factory = new IDBFactory();
    const a = indexedDBStorage({ indexedDB: factory, scope: 'a' });
    const b = indexedDBStorage({ indexedDB: factory, scope: 'b' });
    await a.put({ id: 'x', seq: 2, channel: 'c', event: 'e', data: 'a2', createdAt: 0, expiresAt: 9 });
    await a.put({ id: 'y', seq: 1, channel: 'c', event: 'e', data: 'a1', createdAt: 0, expiresAt: 9 });
    await b.put({ id: 'x', seq: 1, channel: 'c', event: 'e', data: 'b1', createdAt: 0, expiresAt: 9 });
    expect((await a.load()).map((e) => e.data)).toEqual(['a1', 'a2']);
    expect((await b.load()).map((e) => e.data)).toEqual(['b1']);
    await a.delete('x');
    expect((await a.load()).map((e) => e.data)).toEqual(['a1']);
    expect((await b.load()).map((e) => e.data)).toEqual(['b1']);
    a.close();
    b.close();
  });
});
