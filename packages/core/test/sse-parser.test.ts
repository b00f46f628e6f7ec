import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEventStream } from '../src/transports/event-stream.js';
import { createSseParser, type EventSourceMessage } from '../src/transports/sse-parser.js';

type Out = EventSourceMessage | { retry: number };

/** A parser that records what it calls back with, in order. */
function recorder() {
  const out: Out[] = [];
  const parser = createSseParser(
    (event) => out.push(event),
    (retry) => out.push({ retry }),
  );
  return { out, parser };
}

/** Everything the parser calls back with for these chunks, fed in this order. */
function parse(...chunks: string[]): Out[] {
  const { out, parser } = recorder();
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}

const ev = (data: string, more: Partial<EventSourceMessage> = {}): EventSourceMessage => ({
  data,
  event: undefined,
  id: undefined,
  lastEventId: '',
  ...more,
});

describe('createSseParser: lines', () => {
  it('LF, CR and CRLF end lines, also mixed in one stream', () => {
    expect(parse('data: a\n\n')).toEqual([ev('a')]);
    expect(parse('data: a\r\r')).toEqual([ev('a')]);
    expect(parse('data: a\r\n\r\n')).toEqual([ev('a')]);
    expect(parse('data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\n\n')).toEqual([ev('a\nb\nc'), ev('d')]);
  });

  it('chunks split anywhere: mid-field, mid-value, one character at a time', () => {
    const text = 'event: tick\nid: 3\ndata: one\ndata: two\n\n';
    const whole = parse(text);
    expect(whole).toEqual([ev('one\ntwo', { event: 'tick', id: '3', lastEventId: '3' })]);
    expect(parse('eve', 'nt: ti', 'ck\nid', ': 3\nda', 'ta: one\ndata: tw', 'o\n', '\n')).toEqual(whole);
    expect(parse(...text)).toEqual(whole);
  });

  it('a CR at the end of one chunk and a LF at the start of the next are one line end', () => {
    // Read as two line ends, the LF would be a blank line dispatching "a" on its own.
    expect(parse('data: a\r', '\ndata: b\r', '\n\r', '\n')).toEqual([ev('a\nb')]);
    // Empty chunks in between change nothing.
    expect(parse('data: a\r', '', '\ndata: b\r\n', '', '\r', '', '\n')).toEqual([ev('a\nb')]);
    // A CR alone at a chunk's end is still a line end when no LF follows.
    expect(parse('data: a\r', 'data: b\r', '\r')).toEqual([ev('a\nb')]);
    // Only one LF is taken with the CR: a second one is a blank line.
    expect(parse('data: a\r', '\n\n')).toEqual([ev('a')]);
  });

  it('one leading BOM is ignored, on the first line of the stream only', () => {
    expect(parse('\uFEFFdata: a\n\n')).toEqual([ev('a')]);
    expect(parse('\uFEFF', 'data: a\n\n')).toEqual([ev('a')]);
    expect(parse('', '\uFEFFdata: a\n\n')).toEqual([ev('a')]);
    // A second BOM is part of the field name ("\uFEFFdata" is an unknown field).
    expect(parse('\uFEFF\uFEFFdata: a\n\n')).toEqual([]);
    expect(parse('\uFEFF', '\uFEFFdata: a\n\n')).toEqual([]);
    // Later lines and later chunks keep theirs.
    expect(parse('data: a\n\n\uFEFFdata: b\n\n')).toEqual([ev('a')]);
    expect(parse('data: a\n\n', '\uFEFFdata: b\n\n')).toEqual([ev('a')]);
    expect(parse('d', '\uFEFFdata: b\n\n')).toEqual([]);
    // In a value it is data like any other character.
    expect(parse('data: \uFEFFa\n\n')).toEqual([ev('\uFEFFa')]);
  });
});

describe('createSseParser: fields', () => {
  it('comment lines are ignored, also between the lines of one event', () => {
    expect(parse(': hello\n\n:\n\n')).toEqual([]);
    expect(parse('data: a\n: keep-alive\ndata: b\n\n')).toEqual([ev('a\nb')]);
    expect(parse(':data: a\n\n')).toEqual([]);
  });

  it('a line without a colon is a field with an empty value', () => {
    expect(parse('data\n\n')).toEqual([ev('')]);
    expect(parse('data\ndata\n\n')).toEqual([ev('\n')]);
    expect(parse('event: x\nevent\ndata: a\n\n')).toEqual([ev('a')]);
    expect(parse('id: 1\ndata: a\n\nid\ndata: b\n\n')).toEqual([ev('a', { id: '1', lastEventId: '1' }), ev('b', { id: '', lastEventId: '' })]);
  });

  it('exactly one space after the colon is dropped; the rest of the line is the value', () => {
    expect(parse('data:a\n\n')).toEqual([ev('a')]);
    expect(parse('data: a\n\n')).toEqual([ev('a')]);
    expect(parse('data:  a \n\n')).toEqual([ev(' a ')]);
    expect(parse('data:\ta\n\n')).toEqual([ev('\ta')]);
    expect(parse('data: a: b\n\n')).toEqual([ev('a: b')]);
    expect(parse('data: \n\n')).toEqual([ev('')]);
    expect(parse('event:  x\ndata: a\n\n')).toEqual([ev('a', { event: ' x' })]);
  });

  it('data lines are joined with \\n, empty ones included', () => {
    expect(parse('data: a\ndata:\ndata: b\ndata: \n\n')).toEqual([ev('a\n\nb\n')]);
    expect(parse('data: {"a":\ndata: 1}\n\n')).toEqual([ev('{"a":\n1}')]);
  });

  it('an event is dispatched only on a blank line, and only when its data buffer is not empty', () => {
    expect(parse('event: x\nid: 1\n\n')).toEqual([]);
    expect(parse('retry: 5\n\n')).toEqual([{ retry: 5 }]);
    // The last event of a stream without its blank line is never dispatched.
    expect(parse('data: a\n\ndata: b\n')).toEqual([ev('a')]);
    expect(parse('data: a\n\ndata: b')).toEqual([ev('a')]);
    // Extra blank lines dispatch nothing.
    expect(parse('\n\n\ndata: a\n\n\n\n')).toEqual([ev('a')]);
  });

  it('event: the type of this event only; undefined when absent or empty (a browser says "message")', () => {
    expect(parse('event: alert\ndata: a\n\ndata: b\n\n')).toEqual([ev('a', { event: 'alert' }), ev('b')]);
    expect(parse('event: one\nevent: two\ndata: a\n\n')).toEqual([ev('a', { event: 'two' })]);
    expect(parse('event:\ndata: a\n\n')).toEqual([ev('a')]);
    // An event type without data is forgotten at the blank line.
    expect(parse('event: x\n\ndata: a\n\n')).toEqual([ev('a')]);
  });

  it('id: the event has its own; the last event ID persists across events, blocks without data included', () => {
    expect(parse('id: 1\ndata: a\n\ndata: b\n\n')).toEqual([ev('a', { id: '1', lastEventId: '1' }), ev('b', { lastEventId: '1' })]);
    expect(parse('id: 1\n\ndata: a\n\n')).toEqual([ev('a', { lastEventId: '1' })]);
    expect(parse('data: a\nid: 1\nid: 2\n\n')).toEqual([ev('a', { id: '2', lastEventId: '2' })]);
    // An empty id resets the last event ID.
    expect(parse('id: 1\ndata: a\n\nid:\ndata: b\n\ndata: c\n\n')).toEqual([
      ev('a', { id: '1', lastEventId: '1' }),
      ev('b', { id: '', lastEventId: '' }),
      ev('c'),
    ]);
  });

  it('id: a value containing NUL is ignored', () => {
    expect(parse('id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n')).toEqual([ev('a', { id: '1', lastEventId: '1' }), ev('b', { lastEventId: '1' })]);
    expect(parse('id: \0\ndata: a\n\n')).toEqual([ev('a')]);
  });

  it('retry: ASCII digits only, otherwise ignored; it dispatches nothing and leaves the event alone', () => {
    expect(parse('retry: 1500\n', 'retry:0\n')).toEqual([{ retry: 1500 }, { retry: 0 }]);
    for (const bad of ['retry:\n', 'retry: \n', 'retry:  10\n', 'retry: 10 \n', 'retry: -1\n', 'retry: 1.5\n', 'retry: 1e3\n', 'retry: 15a\n', 'retry: +5\n', 'retry: ١٢\n', 'retry\n']) {
      expect(parse(bad), bad).toEqual([]);
    }
    expect(parse('data: a\nretry: 7\ndata: b\n\n')).toEqual([{ retry: 7 }, ev('a\nb')]);
  });

  it('unknown fields are ignored; field names are case-sensitive', () => {
    expect(parse('foo: bar\nData: x\nDATA: y\n data: z\ndata : w\n\n')).toEqual([]);
    expect(parse('data: a\nfoo: bar\nEvent: x\nID: 9\n\n')).toEqual([ev('a')]);
  });
});

describe('createSseParser: feed() and reset()', () => {
  it('feed() returns the characters held for what is not complete: the unfinished line and data', () => {
    const { parser } = recorder();
    expect(parser.feed('data: abc')).toBe(9);
    expect(parser.feed('\n')).toBe(4); // "abc\n" buffered
    expect(parser.feed('data: de')).toBe(12);
    expect(parser.feed('\n\n')).toBe(0);
    expect(parser.feed(': a comment')).toBe(11);
    expect(parser.feed('')).toBe(11);
  });

  it('reset() forgets the unfinished line and event and the last event ID; a BOM may come again', () => {
    const { out, parser } = recorder();
    parser.feed('id: 1\ndata: a\n\nevent: x\ndata: b\nda');
    expect(parser.feed('')).toBe(4);
    parser.reset();
    expect(parser.feed('')).toBe(0);
    parser.feed('ta: c\n\n');
    expect(out).toEqual([ev('a', { id: '1', lastEventId: '1' })]);
    out.length = 0;
    parser.feed('data: d\r');
    parser.reset();
    parser.feed('\uFEFFdata: e\n\n');
    expect(out).toEqual([ev('e')]);
  });
});

// ── Property: chunking never changes what is parsed ───────────────────────────────────────────────

/** A line's value: any characters but CR and LF (NUL, colons, leading spaces and BOMs included). */
const value = fc.string({ unit: fc.oneof(fc.constantFrom(' ', ':', '\0', '\uFEFF', 'é', '😀', '\t'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }).map((s) => s.replace(/[\r\n]/g, ''));

type Line = { field: string; value: string } | { comment: string } | { blank: true };

const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ field: fc.constant('data'), value }) },
  { weight: 2, arbitrary: fc.record({ field: fc.constantFrom('event', 'id'), value }) },
  { weight: 1, arbitrary: fc.record({ field: fc.constant('retry'), value: fc.oneof(fc.nat().map(String), value) }) },
  { weight: 1, arbitrary: fc.record({ field: fc.constantFrom('foo', 'Data', 'dat', 'datas', 'retr', 'ID'), value }) },
  { weight: 1, arbitrary: fc.record({ comment: value }) },
  { weight: 3, arbitrary: fc.constant({ blank: true as const }) },
);

/** Serializes lines with random line ends and colon spacing (never a CR followed by a LF-ended blank line: that is a CRLF). */
function serialize(lines: readonly Line[], ends: readonly number[], spaces: readonly boolean[], bom: boolean): string {
  let text = bom ? '\uFEFF' : '';
  let previous = '';
  lines.forEach((l, i) => {
    let content: string;
    if ('blank' in l) content = '';
    else if ('comment' in l) content = `:${l.comment}`;
    else if (l.value === '' && spaces[i]) content = l.field; // a field without a colon
    else content = `${l.field}:${spaces[i] || l.value.startsWith(' ') ? ' ' : ''}${l.value}`;
    let end = ['\n', '\r', '\r\n'][ends[i]! % 3]!;
    if (previous === '\r' && content === '' && end === '\n') end = '\r\n';
    text += content + end;
    previous = end;
  });
  return text;
}

/** What the spec says these lines dispatch, computed independently of the parser. */
function expected(lines: readonly Line[]): Out[] {
  const out: Out[] = [];
  let data: string[] = [];
  let type = '';
  let id: string | undefined;
  let last = '';
  for (const l of lines) {
    if ('blank' in l) {
      if (data.length > 0) out.push(ev(data.join('\n'), { event: type || undefined, id, lastEventId: last }));
      data = [];
      type = '';
      id = undefined;
    } else if ('field' in l) {
      if (l.field === 'data') data.push(l.value);
      if (l.field === 'event') type = l.value;
      if (l.field === 'id' && !l.value.includes('\0')) id = last = l.value;
      if (l.field === 'retry' && /^[0-9]+$/.test(l.value)) out.push({ retry: Number(l.value) });
    }
  }
  return out;
}

/** Cuts text at these positions (any order, repeats give empty chunks). */
function cut(text: string, at: readonly number[]): string[] {
  const points = at.map((p) => p % (text.length + 1)).sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(text.slice(from, p));
    from = p;
  }
  chunks.push(text.slice(from));
  return chunks;
}

describe('createSseParser: property', () => {
  const stream = fc.record({
    lines: fc.array(line, { maxLength: 40 }),
    ends: fc.array(fc.nat(2), { minLength: 40, maxLength: 40 }),
    spaces: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    bom: fc.boolean(),
    at: fc.array(fc.nat(), { maxLength: 30 }),
  });

  it('random events with random line ends, cut into random chunks, parse exactly as in one piece', () => {
    fc.assert(
      fc.property(stream, ({ lines, ends, spaces, bom, at }) => {
        const text = serialize(lines, ends, spaces, bom);
        const whole = parse(text);
        expect(parse(...cut(text, at))).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });

  it('… and what they parse to is what the spec says', () => {
    fc.assert(
      fc.property(stream, ({ lines, ends, spaces, bom, at }) => {
        expect(parse(...cut(serialize(lines, ends, spaces, bom), at))).toEqual(expected(lines));
      }),
      { numRuns: 1000 },
    );
  });

  it('one character at a time parses as in one piece', () => {
    fc.assert(
      fc.property(stream, ({ lines, ends, spaces, bom }) => {
        const text = serialize(lines, ends, spaces, bom);
        expect(parse(...text)).toEqual(parse(text));
      }),
      { numRuns: 200 },
    );
  });
});

// ── readEventStream with this parser ──────────────────────────────────────────────────────────────

function eventStreamOf(chunks: readonly (string | Uint8Array)[]): typeof fetch {
  const encoder = new TextEncoder();
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(typeof c === 'string' ? encoder.encode(c) : c);
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream' } },
    );
}

async function read(chunks: readonly (string | Uint8Array)[], maxBufferBytes = 1 << 20) {
  const events: EventSourceMessage[] = [];
  const ended = await readEventStream(
    { fetch: eventStreamOf(chunks), url: 'http://x/', headers: {}, credentials: 'omit', signal: new AbortController().signal, maxBufferBytes },
    { onEvent: (e) => events.push(e), onActivity: () => {} },
  );
  return { events, ended };
}

describe('readEventStream', () => {
  it('drops one leading BOM (bytes EF BB BF), not two; a character split across chunks arrives whole', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    expect((await read([bom, 'data: a\n\n'])).events).toEqual([ev('a')]);
    expect((await read([bom, bom, 'data: a\n\n'])).events).toEqual([]);
    const euro = new TextEncoder().encode('data: €\n\n');
    expect((await read([euro.slice(0, 7), euro.slice(7)])).events).toEqual([ev('€')]);
  });

  it('ends with retry as the hint; an unfinished line or event past maxBufferBytes ends the stream', async () => {
    expect(await read(['data: a\n\nretry: 250\n'])).toEqual({ events: [ev('a')], ended: { type: 'end', retryAfterMs: 250 } });
    const long = await read(['data: a\n\n', `data: ${'x'.repeat(100)}`, '\n\n'], 64);
    expect(long.events).toEqual([ev('a')]);
    expect(long.ended).toEqual({ type: 'protocol', reason: 'an event exceeded 64 characters' });
    const many = await read(['data: a\n\n', 'data: 0123456789\n'.repeat(7), '\n'], 64);
    expect(many.ended).toMatchObject({ type: 'protocol' });
    expect((await read([`data: ${'x'.repeat(50)}\n\n`.repeat(10)], 64)).ended).toEqual({ type: 'end' });
  });
});
