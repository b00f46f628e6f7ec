/**
 * Cursor lists: how one HTTP request carries the resume position of many channels.
 *
 * An SSE stream or a poll serves the channels listed (in order) in its query string. Its position is
 * one string with one item per channel, in the same order, joined by `,`:
 *
 *     "e7k2.41,,e7k2.9~3"
 *
 * An item is the channel's last offset (empty: no cursor, live from now), optionally followed by `~`
 * and the presence version the client has seen (polling only). SSE sends it as the event `id:` of
 * every message and reads it back from `Last-Event-ID`; polling sends it as the `ETag` and reads it
 * back from `If-None-Match`. The server needs no memory of the client to resume it, which is what
 * makes both work from stateless (serverless) route handlers.
 */

/** An offset: 1–64 characters of `[A-Za-z0-9._:-]` (never `,`, `~` or quotes). */
const OFFSET = /^[A-Za-z0-9._:-]{1,64}$/;

export function isValidOffset(value: unknown): value is string {
  return typeof value === 'string' && OFFSET.test(value);
}

export interface CursorItem {
  /** Last offset seen on the channel, or `null`. */
  readonly cursor: string | null;
  /** Presence version seen (polling), if any. */
  readonly presence?: number;
}

/** Encodes cursor items (one per channel, in the request's channel order). */
export function encodeCursorList(items: readonly CursorItem[]): string {
  return items
    .map((item) => {
      const cursor = item.cursor !== null && isValidOffset(item.cursor) ? item.cursor : '';
      return item.presence === undefined ? cursor : `${cursor}~${item.presence}`;
    })
    .join(',');
}

/**
 * Decodes a cursor list for `count` channels. Returns `null` when it is malformed or does not have
 * exactly `count` items — the server then treats every channel as fresh (and says so with
 * `resumed: false`), never as an error.
 */
export function decodeCursorList(text: string | null | undefined, count: number): CursorItem[] | null {
  if (text === null || text === undefined) return null;
  const raw = text.trim();
  if (count === 0) return raw === '' ? [] : null;
  const parts = raw.split(',');
  if (parts.length !== count) return null;
  const items: CursorItem[] = [];
  for (const part of parts) {
    const [cursor = '', presence, extra] = part.split('~');
    if (extra !== undefined) return null;
    if (cursor !== '' && !isValidOffset(cursor)) return null;
    if (presence !== undefined && !/^\d{1,15}$/.test(presence)) return null;
    items.push({ cursor: cursor === '' ? null : cursor, ...(presence === undefined ? {} : { presence: Number(presence) }) });
  }
  return items;
}

/** `"…"` for an `ETag` header. */
export function toEntityTag(list: string): string {
  return `"${list}"`;
}

/** The cursor list inside an `If-None-Match` / `ETag` value (weak tags accepted), or `null`. */
export function fromEntityTag(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^\s*(?:W\/)?"([^"]*)"\s*$/.exec(header);
  return match ? (match[1] ?? '') : null;
}
