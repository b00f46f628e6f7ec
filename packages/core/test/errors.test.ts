import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/error-docs.js';
import { QueueFullError, REALTIME_ERROR_CODES, RealtimeError, TimeoutError, isRealtimeError, toRealtimeError } from '../src/errors.js';
import { expectGeneratedRegion } from './docs.js';

describe('RealtimeError', () => {
  it('carries a stable code, details, cause and a docs link', () => {
    const cause = new Error('socket hang up');
    const error = new RealtimeError('CONNECTION_LOST', undefined, { cause, details: { closeCode: 1006 } });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Connection lost');
    expect(error.cause).toBe(cause);
    expect(error.docsUrl).toMatch(/docs\/errors\.md#connection_lost$/);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'RealtimeError',
      code: 'CONNECTION_LOST',
      message: 'Connection lost',
      details: { closeCode: 1006 },
    });
  });

  it('has typed subclasses for the outbox limits', () => {
    expect(new QueueFullError()).toMatchObject({ name: 'QueueFullError', code: 'QUEUE_FULL' });
    expect(new TimeoutError()).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT' });
    expect(isRealtimeError(new TimeoutError(), 'TIMEOUT')).toBe(true);
    expect(isRealtimeError(new TimeoutError(), 'QUEUE_FULL')).toBe(false);
    expect(isRealtimeError(new Error('x'))).toBe(false);
  });

  it('wraps foreign errors, keeping them as cause', () => {
    const wrapped = toRealtimeError(new TypeError('bad'), 'BAD_FRAME', { channel: 'c' });
    expect(wrapped).toMatchObject({ code: 'BAD_FRAME', message: 'bad', details: { channel: 'c' } });
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    const same = new RealtimeError('CLOSED');
    expect(toRealtimeError(same, 'BAD_FRAME')).toBe(same);
    expect(toRealtimeError('a string', 'BAD_FRAME').message).toBe('Bad frame');
  });

  it('every code has a description (and nothing else does)', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...REALTIME_ERROR_CODES].sort());
  });

  it('every code is documented in docs/errors.md', () => {
    const table = Object.entries(ERROR_CODES)
      .map(([code, meaning]) => `| <a id="${code.toLowerCase()}"></a>\`${code}\` | ${meaning} |`)
      .join('\n');
    expectGeneratedRegion(new URL('../../../docs/errors.md', import.meta.url), 'error-codes', `| code | meaning |\n|---|---|\n${table}`);
  });
});
