/**
 * Remembers the server id given to the last `size` client message ids, so a publish resent after a
 * reconnect (same client id) is acknowledged again without being broadcast twice.
 */
export class DedupCache {
  readonly #seen = new Map<string, string>();

  constructor(private readonly size: number) {}

  /** The server id already given to this client message, if it was seen. */
  get(channel: string, clientId: string): string | undefined {
    return this.#seen.get(`${channel}\n${clientId}`);
  }

  remember(channel: string, clientId: string, serverId: string): void {
    if (this.size <= 0) return;
    this.#seen.set(`${channel}\n${clientId}`, serverId);
    if (this.#seen.size > this.size) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  get count(): number {
    return this.#seen.size;
  }
}
