import { classifyDisconnect } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { isClosingCode, pusherCodeDisconnect, pusherError, readPusherError } from '../src/codes.js';
import { connected, peer, pusherClient, quietPeriod, status, waitFor } from './helpers.js';

describe('Pusher error codes → the core fatal rules', () => {
  it.each([
    [4000, 'fail', 'FORBIDDEN'],
    [4001, 'fail', 'FORBIDDEN'],
    [4004, 'fail', 'FORBIDDEN'],
    [4099, 'fail', 'FORBIDDEN'],
    [4009, 'reauth', 'UNAUTHORIZED'],
    [4100, 'retry-hint', 'RATE_LIMITED'],
    [4199, 'retry-hint', 'RATE_LIMITED'],
    [4200, 'retry-now', 'CONNECTION_LOST'],
    [4201, 'retry-now', 'CONNECTION_LOST'],
    [4299, 'retry-now', 'CONNECTION_LOST'],
  ] as const)('%i → %s (%s)', (code, outcome, errorCode) => {
    const verdict = classifyDisconnect(pusherCodeDisconnect(code, 'text'));
    expect(verdict).toMatchObject({ outcome, code: errorCode });
  });

  it("never passes Pusher's 4100-4199 (back off) through as the core's 4100-4199 (re-authenticate)", () => {
    for (let code = 4100; code < 4200; code++) {
      const disconnect = pusherCodeDisconnect(code, undefined);
      expect(disconnect).toEqual({ type: 'close', code: 1013, reason: `Pusher ${code}` });
      expect(classifyDisconnect(disconnect).outcome).not.toBe('reauth');
    }
  });

  it('4000-4299 end the connection; 4300+ and null codes do not', () => {
    expect([3999, 4000, 4299, 4300, 4301, null, '4200'].map(isClosingCode)).toEqual([false, true, true, false, false, false, false]);
  });

  it('reads pusher:error payloads however they arrive, and types the survivable ones', () => {
    expect(readPusherError({ code: 4301, message: 'slow down' })).toEqual({ code: 4301, message: 'slow down' });
    expect(readPusherError({ code: null, message: 'x' })).toEqual({ code: null, message: 'x' });
    expect(readPusherError('plain text')).toEqual({ code: null, message: 'plain text' });
    expect(readPusherError(undefined)).toEqual({ code: null, message: 'unknown error' });
    expect(pusherError(4301, 'slow down', 'pusher')).toMatchObject({ code: 'RATE_LIMITED', details: { pusherCode: 4301, transport: 'pusher' } });
    expect(pusherError(null, 'nope', 'pusher')).toMatchObject({ code: 'SERVER_ERROR', message: 'Pusher error: nope' });
  });
});

describe('Pusher error codes from a live peer', () => {
  it('handshake refused with 4001 (no such app): failed, FORBIDDEN, no further attempt', async () => {
    const p = await peer();
    p.refuseHandshakes(4001, 'App key not in this cluster');
    const a = pusherClient(p.port);
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { closeCode: 4001, transport: 'pusher' }, message: expect.stringMatching(/Pusher 4001: App key/) });
    await quietPeriod(1500);
    expect(p.accepted).toBe(1);
  });

  it('4000 (TLS only) fails and says how to fix it', async () => {
    const p = await peer();
    p.refuseHandshakes(4000, 'Application only accepts SSL connections');
    const a = pusherClient(p.port);
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError?.message).toMatch(/forceTLS: true/);
  });

  it('a wrong app key is refused by the peer with 4001', async () => {
    const p = await peer();
    const a = pusherClient(p.port, { key: 'some-other-key' });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { closeCode: 4001 } });
  });

  it('4009 (unauthorized) refreshes the credentials once, then fails with UNAUTHORIZED', async () => {
    const p = await peer();
    p.refuseHandshakes(4009, 'Connection is unauthorized');
    const calls: string[] = [];
    const a = pusherClient(p.port, {}, { auth: ({ reason }) => (calls.push(reason), 'valid-token') });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', 'failed');
    expect(calls).toEqual(['initial', 'refresh']);
    expect(a.client.getSnapshot().lastError?.code).toBe('UNAUTHORIZED');
    expect(p.accepted).toBe(2);
  });

  it('4201 (pong not received) on an open connection: reconnects at once', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.client.connect();
    await connected(a);
    p.error(4201, 'Pong reply not received');
    await waitFor(() => a.client.getStats().connects === 2 && status(a) === 'connected', 'reconnected');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', details: { closeCode: 4201 } });
  });

  it('4301 (client event rate limit) and code-less errors are error events; the connection stays', async () => {
    const p = await peer();
    const a = pusherClient(p.port);
    a.client.connect();
    await connected(a);
    p.error(4301, 'Client event rejected due to rate limit');
    p.error(null, 'To send client events, you must enable this feature');
    await waitFor(() => a.errors.length === 2, 'two error events');
    expect(a.errors.map((e) => e.code)).toEqual(['RATE_LIMITED', 'SERVER_ERROR']);
    expect(a.errors[0]?.message).toMatch(/4301/);
    await quietPeriod(200);
    expect(status(a)).toBe('connected');
    expect(a.client.getStats().connects).toBe(1);
  });
});
