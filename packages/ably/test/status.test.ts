import { readFileSync, writeFileSync } from 'node:fs';
import { RealtimeError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { STATUS_MAPPING, renderStatusMappingMarkdown } from '../src/index.js';
import { fromLogLine } from '../src/errors.js';
import { disconnectFor } from '../src/status.js';

const info = (code: number, statusCode: number, message = 'm') => ({ code, statusCode, message });

describe('ably-js states → Disconnect', () => {
  it('drops are network losses (ably-js retries); token errors refresh once; failed is terminal', () => {
    expect(disconnectFor('disconnected', info(80003, 503))).toMatchObject({ type: 'network', error: { code: 'CONNECTION_LOST', details: { ablyCode: 80003 } } });
    expect(disconnectFor('suspended', info(80002, 503))).toMatchObject({ type: 'network' });
    expect(disconnectFor('disconnected', undefined)).toMatchObject({ type: 'network' });
    for (const code of [40140, 40142, 40149]) expect(disconnectFor('disconnected', info(code, 401))).toMatchObject({ type: 'auth' });
    expect(disconnectFor('failed', info(40142, 401))).toMatchObject({ type: 'auth' });
    expect(disconnectFor('failed', info(40101, 401))).toMatchObject({ type: 'auth' });
    expect(disconnectFor('disconnected', info(40150, 401))).toMatchObject({ type: 'network' });
    expect(disconnectFor('failed', info(40300, 403))).toMatchObject({ type: 'http', status: 403 });
    expect(disconnectFor('failed', info(40000, 400))).toMatchObject({ type: 'http', status: 400 });
    expect(disconnectFor('failed', info(42910, 429))).toMatchObject({ type: 'protocol' });
    expect(disconnectFor('failed', info(50000, 500))).toMatchObject({ type: 'protocol' });
    expect(disconnectFor('failed', undefined)).toMatchObject({ type: 'protocol' });
  });

  it('80019 (the token request failed) reports what the transport saw, unauthorized when it says so or ably-js failed', () => {
    const authError = new RealtimeError('AUTH_ERROR', 'The Ably token endpoint answered 500.');
    expect(disconnectFor('disconnected', info(80019, 401), authError)).toEqual({ type: 'auth-provider', unauthorized: false, error: authError });
    const refused = new RealtimeError('UNAUTHORIZED', 'The Ably token endpoint answered 401.');
    expect(disconnectFor('failed', info(80019, 403), refused)).toEqual({ type: 'auth-provider', unauthorized: true, error: refused });
    expect(disconnectFor('failed', info(80019, 403))).toMatchObject({ type: 'auth-provider', unauthorized: true, error: { code: 'AUTH_ERROR' } });
    const wrapped = { ...info(80019, 401), cause: info(40170, 401, 'Token request timed out') };
    expect(disconnectFor('disconnected', wrapped)).toMatchObject({ type: 'auth-provider', unauthorized: false, error: { message: 'Token request timed out (Ably 40170)' } });
  });

  it('log lines of ably-js that mean a bad frame become errors; anything else is ignored', () => {
    expect(fromLogLine('Ably: WebSocketTransport.onWsData(): Unexpected exception handing channel message: SyntaxError: Unexpected end\n    at x')?.message).toBe(
      'A frame from Ably could not be parsed: SyntaxError: Unexpected end',
    );
    expect(fromLogLine('Ably: RealtimeChannel.processMessage(): Protocol error: unrecognised message action (42)')?.details.action).toBe(42);
    expect(fromLogLine('Ably: Channels.processChannelMessage(): received event unspecified channel, action = 7')?.code).toBe('UNKNOWN_FRAME');
    expect(fromLogLine('Ably: Channels.processChannelMessage(): received event for non-existent channel: lost')?.details.channel).toBe('lost');
    expect(fromLogLine('Ably: Connection state: connected')).toBeNull();
  });

  it('the documented table is rendered from STATUS_MAPPING through the mapping and the core\'s fatal rules (README and docs stay in sync)', () => {
    const table = renderStatusMappingMarkdown();
    expect(table.split('\n')).toHaveLength(STATUS_MAPPING.length + 2);
    expect(table).toContain('| `http 403` | `failed` (`FORBIDDEN`) |');
    expect(table).toContain('| `auth` | refresh credentials once (new ably-js client), then `failed` (`UNAUTHORIZED`) |');
    expect(table).toContain('| `network` | `reconnecting`, ably-js retries (`CONNECTION_LOST`) |');
    const start = '<!-- status-mapping:start -->';
    const end = '<!-- status-mapping:end -->';
    for (const file of ['../README.md', '../../../docs/transports/ably.md']) {
      const url = new URL(file, import.meta.url);
      const text = readFileSync(url, 'utf8');
      const [before, rest] = text.split(start);
      const after = rest?.split(end)[1];
      expect(after, `${file} has the ${start} … ${end} markers`).toBeDefined();
      const expected = `${before}${start}\n${table}\n${end}${after}`;
      if (process.env.UPDATE_DOCS) writeFileSync(url, expected);
      else expect(text, `${file}: run UPDATE_DOCS=1 npx vitest run test/status.test.ts`).toBe(expected);
    }
  });
});
