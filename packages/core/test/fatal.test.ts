import { describe, expect, it } from 'vitest';
import { RealtimeError } from '../src/errors.js';
import { FATAL_RULES, classifyDisconnect, type Disconnect, type Outcome } from '../src/fatal.js';
import { FATAL_RULE_DESCRIPTIONS, renderFatalRulesMarkdown } from '../src/fatal-docs.js';
import { ACCEPT, refuse, refuseHttp } from '../src/testing/index.js';
import { expectGeneratedRegion } from './docs.js';
import { expectNothingLeft, setup } from './helpers.js';

type Expected = 'retry' | 'retry-hint' | 'retry-now' | 'reauth' | 'fail' | 'close';

/** Every row of the fatal-rule table, driven through a real client on the fake transport. */
const CASES: Array<[string, Disconnect, Expected]> = [
  ['transport: credentials refused', { type: 'auth', reason: 'expired' }, 'reauth'],
  ['HTTP 401', { type: 'http', status: 401 }, 'reauth'],
  ['HTTP 408', { type: 'http', status: 408, retryAfterMs: 4000 }, 'retry-hint'],
  ['HTTP 425', { type: 'http', status: 425, retryAfterMs: 4000 }, 'retry-hint'],
  ['HTTP 429', { type: 'http', status: 429, retryAfterMs: 4000 }, 'retry-hint'],
  ['HTTP 204', { type: 'http', status: 204 }, 'close'],
  ['HTTP 400', { type: 'http', status: 400 }, 'fail'],
  ['HTTP 403', { type: 'http', status: 403 }, 'fail'],
  ['HTTP 404', { type: 'http', status: 404 }, 'fail'],
  ['HTTP 500', { type: 'http', status: 500 }, 'retry'],
  ['HTTP 503 + Retry-After', { type: 'http', status: 503, retryAfterMs: 4000 }, 'retry-hint'],
  ['wrong content type', { type: 'content-type', contentType: 'text/html' }, 'fail'],
  ['protocol violation', { type: 'protocol', reason: 'unsupported version 9' }, 'fail'],
  ...[1000, 1001, 1005, 1006, 1011, 1012, 1014].map((code): [string, Disconnect, Expected] => [`WS ${code}`, { type: 'close', code }, 'retry']),
  ['WS 1013', { type: 'close', code: 1013 }, 'retry-hint'],
  ...[1002, 1003, 1007, 1008, 1009, 1010, 1015].map((code): [string, Disconnect, Expected] => [`WS ${code}`, { type: 'close', code }, 'fail']),
  ['app 4000', { type: 'close', code: 4000 }, 'fail'],
  ['app 4099', { type: 'close', code: 4099 }, 'fail'],
  ['app 4100', { type: 'close', code: 4100 }, 'reauth'],
  ['app 4199', { type: 'close', code: 4199 }, 'reauth'],
  ['app 4200', { type: 'close', code: 4200 }, 'retry-now'],
  ['app 4299', { type: 'close', code: 4299 }, 'retry-now'],
  ['stream ended, retry: 4000', { type: 'end', retryAfterMs: 4000 }, 'retry-hint'],
  ['network error', { type: 'network', error: new Error('ECONNREFUSED') }, 'retry'],
  ['other close code 3000', { type: 'close', code: 3000 }, 'retry'],
  ['other close code 4300', { type: 'close', code: 4300 }, 'retry'],
];

describe('fatal-rule table', () => {
  it.each(CASES)('%s → %s', async (_label, disconnect, expected) => {
    const authCalls: string[] = [];
    const t = setup({ auth: ({ reason }) => (authCalls.push(reason), 'token') });
    t.clock.random = () => 0.5;
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('connected');
    t.transport.script(refuse(disconnect));
    const attempts = t.transport.attempts;
    t.server.drop(disconnect);
    await t.clock.flush();
    const snap = t.client.getSnapshot();
    expect(snap.lastError).toBeInstanceOf(RealtimeError);
    expect(snap.lastError?.code).toBe(classifyDisconnect(disconnect).code);

    switch (expected) {
      case 'fail':
      case 'close':
        expect(snap.status).toBe(expected === 'fail' ? 'failed' : 'closed');
        await t.clock.advance(600_000);
        expect(t.transport.attempts).toBe(attempts);
        expect(t.clock.pendingTimers).toBe(0);
        expect(t.clock.listenerCount).toBe(0);
        break;
      case 'retry':
        expect(snap.status).toBe('reconnecting');
        expect(snap.retryInMs).toBeLessThan(1000); // normal backoff, first window
        break;
      case 'retry-hint':
        expect(snap.status).toBe('reconnecting');
        if ('retryAfterMs' in disconnect && disconnect.retryAfterMs) {
          expect(snap.retryInMs).toBe(disconnect.retryAfterMs * 1.5); // hint + 0.5 × min(hint, cap)
        } else {
          expect(snap.retryInMs).toBe(15_000 * 1.5); // 1013 without a hint: the cap
        }
        break;
      case 'retry-now':
        expect(snap.status).toBe('reconnecting');
        expect(t.transport.attempts).toBe(attempts + 1); // already retried, no wait
        break;
      case 'reauth':
        // One refresh, retried at once; the refreshed attempt fails the same way → failed.
        expect(authCalls).toEqual(['initial', 'refresh']);
        expect(t.transport.attempts).toBe(attempts + 1);
        expect(snap.status).toBe('failed');
        break;
    }
  });

  it('every rule of the table is exercised above', () => {
    const used = new Set(CASES.map(([, d]) => classifyDisconnect(d).rule));
    for (const d of [{ type: 'user' }, { type: 'auth-provider', unauthorized: true, error: null }, { type: 'auth-provider', unauthorized: false, error: null }, { type: 'heartbeat' }] as Disconnect[]) {
      used.add(classifyDisconnect(d).rule);
    }
    expect(FATAL_RULES.filter((rule) => !used.has(rule)).map((r) => r.id)).toEqual([]);
    expect(Object.keys(FATAL_RULE_DESCRIPTIONS)).toEqual(FATAL_RULES.map((r) => r.id));
  });

  it('classifies in one place and matches the documented table (docs/fatal-rules.md)', () => {
    expectGeneratedRegion(new URL('../../../docs/fatal-rules.md', import.meta.url), 'fatal-rules', renderFatalRulesMarkdown());
    const outcomes = new Set<Outcome>(FATAL_RULES.map((r) => r.outcome));
    expect([...outcomes].sort()).toEqual(['close', 'fail', 'reauth', 'retry', 'retry-hint', 'retry-now']);
  });

  it('4200-4299 retries at once only when the connection was stable; otherwise backs off', async () => {
    const t = setup();
    t.client.connect();
    await t.clock.flush();
    t.transport.script(refuse(4200), refuse(4200), ACCEPT);
    t.server.drop({ type: 'close', code: 4200 });
    await t.clock.flush();
    expect(t.transport.attempts).toBe(2); // immediate
    expect(t.client.getSnapshot().retryInMs).not.toBeNull(); // second in a row: backoff
  });
});

describe('401-type auth failure', () => {
  it('exactly one credential refresh, then failed; zero attempts over 10 simulated minutes; zero timers left', async () => {
    const reasons: string[] = [];
    const t = setup({ auth: ({ reason }) => (reasons.push(reason), `token-${reasons.length}`) });
    t.transport.script(refuseHttp(401));
    t.client.connect();
    await t.clock.flush();
    expect(reasons).toEqual(['initial', 'refresh']);
    expect(t.transport.credentials).toEqual(['token-1', 'token-2']);
    expect(t.client.getSnapshot().status).toBe('failed');
    expect(t.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
    expect(t.client.getSnapshot().lastError?.details.status).toBe(401);
    const attempts = t.transport.attempts;
    await t.clock.advance(10 * 60_000);
    expect(t.transport.attempts).toBe(attempts);
    expect(reasons).toHaveLength(2);
    expect(t.clock.pendingTimers).toBe(0);
    expect(t.clock.listenerCount).toBe(0);
  });

  it('an auth provider that throws UNAUTHORIZED → failed without any attempt', async () => {
    const t = setup({
      auth: () => {
        throw new RealtimeError('UNAUTHORIZED', 'signed out');
      },
    });
    t.client.connect();
    await t.clock.advance(600_000);
    expect(t.client.getSnapshot().status).toBe('failed');
    expect(t.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
    expect(t.transport.attempts).toBe(0);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('a refresh that throws UNAUTHORIZED → failed', async () => {
    let calls = 0;
    const t = setup({
      auth: () => {
        if (++calls > 1) throw new RealtimeError('UNAUTHORIZED');
        return 'token';
      },
    });
    t.transport.script(refuse(4101));
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('failed');
    expect(t.transport.attempts).toBe(1);
  });

  it('reconnect() after failed starts over with a fresh refresh budget', async () => {
    const t = setup({ auth: () => 'token' });
    t.transport.script(refuseHttp(401), refuseHttp(401), ACCEPT);
    t.client.connect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('failed');
    t.client.reconnect();
    await t.clock.flush();
    expect(t.client.getSnapshot().status).toBe('connected');
  });

  it('destroy after failed leaves nothing', async () => {
    const t = setup();
    t.transport.script(refuseHttp(403));
    t.client.connect();
    await t.clock.flush();
    t.client.destroy();
    expectNothingLeft(t);
  });
});
