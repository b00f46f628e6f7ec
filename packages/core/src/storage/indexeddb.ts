import type { OutboxStorage, StoredOutboxEntry } from './types.js';

export type { OutboxStorage, StoredOutboxEntry } from './types.js';

export interface IndexedDBStorageOptions {
  /** Database name. Default `switchboard`. */
  database?: string;
  /** Separates outboxes sharing one database (e.g. per user or per app). Default `default`. */
  scope?: string;
  /** The IndexedDB factory. Default `globalThis.indexedDB`; without one, nothing is stored. */
  indexedDB?: IDBFactory;
}

const STORE = 'outbox';

interface Row extends StoredOutboxEntry {
  readonly scope: string;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Outbox storage in IndexedDB, so unacknowledged messages survive a reload and are resent in order by
 * the next page. Operations run in call order. Without IndexedDB (SSR, Node) it stores nothing.
 *
 * @example
 * import { indexedDBStorage } from '@switchboard/core/indexeddb';
 * const client = createClient({ transport, outbox: { storage: indexedDBStorage({ scope: userId }) } });
 */
export function indexedDBStorage(options: IndexedDBStorageOptions = {}): OutboxStorage & { close(): void } {
  const scope = options.scope ?? 'default';
  const name = options.database ?? 'switchboard';
  let db: Promise<IDBDatabase | null> | undefined;

  const open = (): Promise<IDBDatabase | null> => {
    db ??= (async () => {
      const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
      if (!factory) return null;
      const req = factory.open(name, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: ['scope', 'id'] });
        store.createIndex('scope', 'scope');
      };
      return request(req);
    })();
    return db;
  };

  // Writes queued in the same tick share one readwrite transaction (500 offline publishes → 1 commit).
  type Op = (store: IDBObjectStore) => void;
  let batch: { ops: Op[]; done: Promise<void> } | null = null;

  const enqueue = (op: Op): Promise<void> => {
    if (!batch) {
      const current: { ops: Op[]; done: Promise<void> } = { ops: [], done: Promise.resolve() };
      current.done = (async () => {
        const database = await open();
        batch = null; // later writes start a new batch, ordered after this one by IndexedDB
        if (!database) return;
        await new Promise<void>((resolve, reject) => {
          const tx = database.transaction(STORE, 'readwrite');
          const store = tx.objectStore(STORE);
          for (const run of current.ops) run(store);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        });
      })();
      batch = current;
    }
    batch.ops.push(op);
    return batch.done;
  };

  return {
    async load() {
      const database = await open();
      if (!database) return [];
      const tx = database.transaction(STORE, 'readonly');
      const rows = (await request(tx.objectStore(STORE).index('scope').getAll(scope))) as Row[];
      return rows.map(({ scope: _scope, ...entry }) => entry).sort((a, b) => a.seq - b.seq);
    },
    put: (entry) => enqueue((store) => store.put({ ...entry, scope } satisfies Row)),
    delete: (id) => enqueue((store) => store.delete([scope, id])),
    close() {
      void db?.then((database) => database?.close());
      db = undefined;
    },
  };
}
