/** An outbox message as it is persisted. Plain JSON-compatible data. */
export interface StoredOutboxEntry {
  readonly id: string;
  /** Monotonic ordering key: entries are resent in ascending `seq`. */
  readonly seq: number;
  readonly channel: string;
  readonly event: string;
  readonly data: unknown;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Where the outbox keeps unacknowledged messages so that a reload loses nothing. Writes may be
 * asynchronous; the outbox never waits for them except when loading at start-up.
 */
export interface OutboxStorage {
  load(): Promise<readonly StoredOutboxEntry[]>;
  put(entry: StoredOutboxEntry): Promise<void> | void;
  delete(id: string): Promise<void> | void;
}

/**
 * Storage in a plain Map that outlives the client using it: give the same instance to a new client to
 * simulate a reload in tests, or share it between clients in one process.
 */
export function memoryStorage(): OutboxStorage & { readonly entries: ReadonlyMap<string, StoredOutboxEntry> } {
  const entries = new Map<string, StoredOutboxEntry>();
  return {
    entries,
    load: async () => [...entries.values()].sort((a, b) => a.seq - b.seq),
    put: (entry) => {
      entries.set(entry.id, entry);
    },
    delete: (id) => {
      entries.delete(id);
    },
  };
}
