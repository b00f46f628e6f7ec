import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { STATUS_MAPPING, renderStatusMappingMarkdown } from '../src/index.js';
import { onCleanup, pusherClient, status, waitFor } from './helpers.js';

/** A server that refuses every WebSocket upgrade with `code`. */
async function refusingUpgrades(code: number, text: string): Promise<number> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (_req, socket) => socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Length: 0\r\n\r\n`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

describe('status mapping', () => {
  it('an upgrade refused with 401: refresh once, then failed (UNAUTHORIZED, status 401)', async () => {
    const a = pusherClient(await refusingUpgrades(401, 'Unauthorized'), { userAuthEndpoint: undefined });
    a.client.connect();
    await waitFor(() => status(a) === 'failed', () => `failed (status ${status(a)})`);
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 } });
  });

  it('an upgrade refused with 503: retried', async () => {
    const a = pusherClient(await refusingUpgrades(503, 'Service Unavailable'), { userAuthEndpoint: undefined });
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().attempt >= 2, 'retried');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', details: { status: 503 } });
  });

  it('the documented table is rendered from STATUS_MAPPING and the core’s fatal rules (README and docs stay in sync)', () => {
    const table = renderStatusMappingMarkdown();
    expect(table.split('\n')).toHaveLength(STATUS_MAPPING.length + 2);
    expect(table).toContain("| `close 1013` | retry after server hint + jitter (`RATE_LIMITED`) | Pusher: back off. Not the core's 4100-4199 (re-auth) |");
    expect(table).toContain('| `auth` | refresh credentials once, retry; second failure → `failed` (`UNAUTHORIZED`) |');
    // Between the markers in both documents; `UPDATE_DOCS=1 npx vitest run test/status.test.ts` rewrites them.
    const start = '<!-- status-mapping:start -->';
    const end = '<!-- status-mapping:end -->';
    for (const file of ['../README.md', '../../../docs/transports/pusher.md']) {
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
