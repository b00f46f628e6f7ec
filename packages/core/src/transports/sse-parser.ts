/**
 * A Server-Sent Events parser following the "event stream interpretation" of the WHATWG HTML standard
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end with CRLF, LF or CR; one leading BOM is ignored; `:` lines are comments; `data` lines join
 * with `\n`; a blank line dispatches the event when its data buffer is not empty; `event`, `id` (not
 * with NUL; it persists as the last event ID) and `retry` (ASCII digits only); other fields are ignored.
 */

/** One event of the stream. */
export interface EventSourceMessage {
  /** Its `data` lines joined with `\n`. */
  readonly data: string;
  /** Its `event` field; `undefined` when absent or empty (what a browser calls `message`). */
  readonly event?: string | undefined;
  /** Its own `id` field, if it had one. */
  readonly id?: string | undefined;
  /** The stream's last event ID: the latest `id` so far, this event's or an earlier one's (`''` before any). */
  readonly lastEventId: string;
}

export interface SseParser {
  /**
   * Reads the next piece of the stream, split anywhere; calls back for every complete event and `retry`.
   * Returns how many characters it holds for what is not complete yet (the unfinished line and the
   * unfinished event's data), so a caller can bound it.
   */
  feed(chunk: string): number;
  /** Forgets everything (unfinished line and event, last event ID): the next chunk starts a new stream. */
  reset(): void;
}

/** Creates a parser for one stream: `onEvent` for each dispatched event, `onRetry` with each valid `retry` (ms). */
export function createSseParser(onEvent: (event: EventSourceMessage) => void, onRetry: (ms: number) => void): SseParser {
  // rest: the unfinished line; data/type/id: the event being read; last: the last event ID;
  // start: nothing read yet (a BOM may come); cr: the previous chunk ended with CR (a LF next ends no line).
  let rest!: string, data!: string, type!: string, id: string | undefined, last!: string, start!: boolean, cr!: boolean;
  const reset = () => {
    rest = data = type = last = '';
    id = undefined;
    start = true;
    cr = false;
  };
  const line = (text: string) => {
    if (!text) {
      if (data) onEvent({ data: data.slice(0, -1), event: type || undefined, id, lastEventId: last });
      data = type = '';
      id = undefined;
      return;
    }
    const colon = text.indexOf(':');
    if (!colon) return;
    let field = text;
    let value = '';
    if (colon > 0) {
      field = text.slice(0, colon);
      value = text.slice(text[colon + 1] === ' ' ? colon + 2 : colon + 1);
    }
    if (field === 'data') data += value + '\n';
    else if (field === 'event') type = value;
    else if (field === 'id') {
      if (!value.includes('\0')) id = last = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) onRetry(+value);
  };
  reset();
  return {
    feed(chunk) {
      if (chunk) {
        if (start && chunk[0] === '\uFEFF') chunk = chunk.slice(1);
        if (cr && chunk[0] === '\n') chunk = chunk.slice(1);
        start = false;
        cr = chunk.endsWith('\r');
        const lines = chunk.split(/\r\n?|\n/);
        lines[0] = rest + lines[0];
        rest = lines.pop()!;
        lines.forEach(line);
      }
      return rest.length + data.length;
    },
    reset,
  };
}
