import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_MAPPING, fromConnectError, fromDisconnect, fromRefusal, renderStatusMappingMarkdown } from '../src/disconnects.js';

const middleware = (data: unknown, message = 'refused') => Object.assign(new Error(message), { data });

describe('socket.io events → Disconnect', () => {
  it('middleware refusals: by data.status first, then by data.code; anything else is a stop (4003)', () => {
    expect(fromConnectError(middleware({ code: 'UNAUTHORIZED' }), true)).toEqual({ type: 'auth', reason: 'refused' });
    expect(fromConnectError(middleware({ status: 401 }), true)).toEqual({ type: 'auth', reason: 'refused' });
    expect(fromConnectError(middleware({ code: 'RATE_LIMITED', retryAfterMs: 250 }), true)).toEqual({ type: 'http', status: 429, retryAfterMs: 250, reason: 'refused' });
    expect(fromConnectError(middleware({ status: 503, code: 'FORBIDDEN' }), true)).toMatchObject({ type: 'http', status: 503 });
    expect(fromConnectError(middleware({ code: 'FORBIDDEN' }), true)).toMatchObject({ type: 'http', status: 403 });
    expect(fromConnectError(middleware(undefined, 'not authorized'), true)).toEqual({ type: 'close', code: 4003, reason: 'not authorized' });
    expect(fromConnectError(middleware({ status: 700 }), true)).toMatchObject({ type: 'close', code: 4003 });
    expect(fromRefusal('just a string', '')).toEqual({ type: 'close', code: 4003, reason: 'refused by the server' });
  });

  it('transport-level connect errors: HTTP status when engine.io-client knows it, else a network error', () => {
    const transportError = (description: unknown) => Object.assign(new Error('websocket error'), { type: 'TransportError', description });
    expect(fromConnectError(transportError(403), false)).toMatchObject({ type: 'http', status: 403 });
    expect(fromConnectError(transportError({ message: 'Unexpected server response: 429' }), false)).toMatchObject({ type: 'http', status: 429 });
    expect(fromConnectError(transportError({ error: { message: 'Unexpected server response: 502' } }), false)).toMatchObject({ type: 'http', status: 502 });
    expect(fromConnectError(transportError({ type: 'error' }), false)).toMatchObject({ type: 'network' });
    expect(fromConnectError(new Error('timeout'), false)).toMatchObject({ type: 'network' });
    expect(fromConnectError(new Error('It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client'), false)).toMatchObject({ type: 'protocol' });
  });

  it('disconnect reasons: the server\'s announced code, a bare server disconnect is a stop, ping timeout is a heartbeat', () => {
    expect(fromDisconnect('io server disconnect', undefined, { code: 4100, reason: 'token expired' })).toEqual({ type: 'close', code: 4100, reason: 'token expired' });
    expect(fromDisconnect('io server disconnect', undefined, null)).toEqual({ type: 'close', code: 4003, reason: 'io server disconnect' });
    expect(fromDisconnect('ping timeout', undefined, null)).toEqual({ type: 'heartbeat' });
    expect(fromDisconnect('transport close', { description: 'reset' }, null)).toMatchObject({ type: 'network', error: { message: 'socket.io: transport close', cause: 'reset' } });
    expect(fromDisconnect('io client disconnect', undefined, null)).toBeNull();
  });

  it('the documented table is rendered from STATUS_MAPPING and the core\'s fatal rules (README and docs stay in sync)', () => {
    const table = renderStatusMappingMarkdown();
    expect(table.split('\n')).toHaveLength(STATUS_MAPPING.length + 2);
    expect(table).toContain('| `disconnect` "ping timeout" | `heartbeat` | retry with backoff (`HEARTBEAT_TIMEOUT`) |');
    expect(table).toContain('`failed` (`FORBIDDEN`)');
    // Between the markers in both documents; `UPDATE_DOCS=1 npx vitest run` rewrites them.
    const start = '<!-- status-mapping:start -->';
    const end = '<!-- status-mapping:end -->';
    for (const file of ['../README.md', '../../../docs/transports/socket.io.md']) {
      const url = new URL(file, import.meta.url);
      const text = readFileSync(url, 'utf8');
      const [before, rest] = text.split(start);
      const after = rest?.split(end)[1];
      expect(after, `${file} has the ${start} … ${end} markers`).toBeDefined();
      const expected = `${before}${start}\n${table}\n${end}${after}`;
      if (process.env.UPDATE_DOCS) writeFileSync(url, expected);
      else expect(text, `${file}: run UPDATE_DOCS=1 npx vitest run test/disconnects.test.ts`).toBe(expected);
    }
  });
});
