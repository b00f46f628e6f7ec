import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli.js';
import { rawClient } from './helpers.js';

const sink = () => {
  const chunks: string[] = [];
  return { write: (text: string) => chunks.push(text), text: () => chunks.join('') };
};

describe('switchboard CLI', () => {
  it('`serve` starts a server that speaks the protocol and serves /healthz', async () => {
    const out = sink();
    const server = await run(['serve', '--port', '0', '--host', '127.0.0.1', '--path', '/rt', '--cors', 'https://app.example'], { SWITCHBOARD_SECRET: 'from-env' }, out, sink());
    if (typeof server === 'number') throw new Error(`exit ${server}`);
    try {
      expect(out.text()).toContain(`ws://127.0.0.1:${server.port}/rt`);
      expect(out.text()).not.toContain('no SWITCHBOARD_SECRET');
      expect(server.hub.secret).toBe('from-env');
      const health = await fetch(`${server.url}/healthz`);
      expect(await health.json()).toEqual({ ok: true, connections: 0, sessions: 0 });
      const c = await rawClient(`ws://127.0.0.1:${server.port}/rt`);
      c.send({ type: 'hello', v: 1 });
      expect(await c.next((f) => f.type === 'welcome')).toMatchObject({ v: 1 });
      c.close();
      const preflight = await fetch(`${server.url}/rt`, { method: 'OPTIONS', headers: { origin: 'https://app.example' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('warns when there is no secret', async () => {
    const out = sink();
    const server = await run(['serve', '--port', '0', '--host', '127.0.0.1'], {}, out, sink());
    if (typeof server === 'number') throw new Error(`exit ${server}`);
    expect(out.text()).toContain('no SWITCHBOARD_SECRET');
    await server.close();
  });

  it('prints help with --help (exit 0) and usage on bad arguments (exit 2)', async () => {
    const out = sink();
    expect(await run(['--help'], {}, out, sink())).toBe(0);
    expect(out.text()).toContain('Usage: switchboard serve');
    const err = sink();
    expect(await run(['launch'], {}, sink(), err)).toBe(2);
    expect(await run(['serve', '--port', 'abc'], {}, sink(), err)).toBe(2);
    expect(await run(['serve', '--bogus'], {}, sink(), err)).toBe(2);
    expect(err.text()).toContain('Usage: switchboard serve');
  });

  it('reads --config, refuses an invalid one and --require-token without a secret (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
    try {
      const file = (name: string, value: unknown) => {
        const path = join(dir, name);
        writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
        return path;
      };
      const good = file('good.json', { host: '127.0.0.1', port: 0, heartbeatMs: 1234, limits: { maxChannels: 3 }, origins: ['https://app.example'], maxConnectionsPerIp: 5 });
      const server = await run(['serve', '--config', good], {}, sink(), sink());
      if (typeof server === 'number') throw new Error(`exit ${server}`);
      expect(server.hub.heartbeatMs).toBe(1234);
      expect(server.hub.limits.maxChannels).toBe(3);
      await expect(rawClient(`ws://127.0.0.1:${server.port}/realtime`, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
      await server.close();
      for (const bad of ['{oops', [], { port: -1 }, { limits: { bogus: 1 } }, { redis: 42 }, { origins: 'x' }]) {
        const err = sink();
        expect(await run(['serve', '--config', file('bad.json', bad)], {}, sink(), err)).toBe(2);
        expect(err.text()).toContain('Invalid --config');
      }
      const err = sink();
      expect(await run(['serve', '--require-token'], {}, sink(), err)).toBe(2);
      expect(err.text()).toContain('SWITCHBOARD_SECRET');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
