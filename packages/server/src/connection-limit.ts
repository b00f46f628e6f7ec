/**
 * Open connections per client address (WebSockets, SSE streams and held polls together), so one
 * address cannot take all of a process' sockets. Addresses are whatever `clientIp` returns.
 */
export class ConnectionLimit {
  readonly #open = new Map<string, number>();
  constructor(readonly max: number) {}

  /** Counts a connection from `ip`; `null` when the address is at its limit. Call the release once. */
  admit(ip: string | null | undefined): (() => void) | null {
    if (ip === null || ip === undefined || !Number.isFinite(this.max)) return () => {};
    const open = this.#open.get(ip) ?? 0;
    if (open >= this.max) return null;
    this.#open.set(ip, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(ip) ?? 1) - 1;
      if (left > 0) this.#open.set(ip, left);
      else this.#open.delete(ip);
    };
  }

  /** Open connections from `ip`. */
  count(ip: string): number {
    return this.#open.get(ip) ?? 0;
  }
}
