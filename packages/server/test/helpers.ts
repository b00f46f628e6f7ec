import type { ServerClock } from '../src/index.js';

/** A manual clock for the server kit's timers (presence timeouts, rate limits). */
export function manualClock(start = 1_700_000_000_000): ServerClock & { advance(ms: number): void; readonly pending: number } {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
      }
      now = target;
    },
    get pending() {
      return timers.size;
    },
  };
}

import WebSocket from 'ws';

/** A raw WebSocket client speaking JSON frames by hand: what a buggy or hostile client can send. */
export interface RawClient {
  readonly frames: Record<string, unknown>[];
  send(frame: unknown): void;
  sendText(text: string | Buffer): void;
  /** Resolves with the first frame (already received or future) matching `match`. */
  next(match: (frame: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function rawClient(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const ws = new WebSocket(url, { headers });
  const frames: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    sendText: (text) => ws.send(text),
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.find(match);
          if (!found) return false;
          waiters.delete(check as () => void);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check as () => void);
          reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check as () => void);
      });
    },
    closed,
    close: () => ws.close(),
  };
}

/** Waits (bounded) for a condition that another socket's events will make true. */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Reads SSE events from a `Response` body as they arrive (a tiny test reader, not the client's). */
export function sseReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const blocks: string[] = [];
  return {
    /** The next event block (lines up to a blank line), e.g. `event: welcome\ndata: {...}`. */
    async next(timeoutMs = 10_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (blocks.length === 0) {
        const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms (buffer: ${JSON.stringify(buffer)})`)), Math.max(0, deadline - Date.now())));
        const { done, value } = await Promise.race([reader.read(), timer]);
        if (done) throw new Error('stream ended');
        buffer += value;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          blocks.push(buffer.slice(0, at));
          buffer = buffer.slice(at + 2);
        }
      }
      return blocks.shift()!;
    },
    /** The next event that is not a comment, parsed: `{ id, event, data }`. */
    async event(timeoutMs?: number): Promise<{ id?: string; event?: string; data: Record<string, unknown>; retry?: number }> {
      for (;;) {
        const block = await this.next(timeoutMs);
        if (block.startsWith(':')) continue;
        const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
        return {
          ...(fields.id === undefined ? {} : { id: fields.id }),
          ...(fields.event === undefined ? {} : { event: fields.event }),
          ...(fields.retry === undefined ? {} : { retry: Number(fields.retry) }),
          data: fields.data === undefined ? {} : (JSON.parse(fields.data) as Record<string, unknown>),
        };
      }
    },
    cancel: () => reader.cancel(),
  };
}
