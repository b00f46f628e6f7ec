/**
 * Remembers the last `size` client message ids, so a publish resent after a reconnect (same client id)
 * is acknowledged again without being broadcast twice.
 *
 * Ids are scoped by publisher: client ids are visible to every subscriber (`clientMessageId`) and
 * predictable (`prefix.counter`), so a key without the publisher would let one client "pre-publish"
 * another's next id and have the real message acknowledged but never broadcast.
 */
export class DedupCache {
  readonly #seen = new Map<string, string>();

  constructor(private readonly size: number) {}

  /** The server id already given to this publisher's message, if it was seen. */
  get(publisher: string, channel: string, clientId: string): string | undefined {
    return this.#seen.get(`${publisher}\n${channel}\n${clientId}`);
  }

  remember(publisher: string, channel: string, clientId: string, serverId: string): void {
    if (this.size <= 0) return;
    this.#seen.set(`${publisher}\n${channel}\n${clientId}`, serverId);
    if (this.#seen.size > this.size) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }
}
