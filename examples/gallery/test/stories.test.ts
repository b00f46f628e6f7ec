import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const build = fileURLToPath(new URL('../build/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
let server: Server;
let base = '';
let browser: Browser;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(build, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function story(id: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}?story=${id}&mode=preview`, { waitUntil: 'load' });
  return { page, problems };
}

describe('every connection-status story reaches its status, in Chromium', () => {
  it.each(['idle', 'connecting', 'connected', 'reconnecting', 'suspended', 'closed', 'failed'])('%s', async (status) => {
    const { page, problems } = await story(`useconnectionstatus--${status}`);
    await page.locator(`.badge.${status}`).waitFor({ timeout: 15_000 });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('hook stories render and react to the controls', () => {
  it('useChannel: a message published while the connection is dropped is delivered after the reconnect', async () => {
    const { page, problems } = await story('usechannel--chat-room');
    await page.locator('.badge.connected').waitFor();
    await page.getByRole('button', { name: 'refuse the next 3 attempts' }).click();
    await page.getByPlaceholder(/type and send/).fill('while dropped');
    await page.getByPlaceholder(/type and send/).press('Enter');
    await page.locator('li.pending').waitFor();
    await page.locator('ul.log li:not(.pending)', { hasText: 'while dropped' }).waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('useServerEvents: 1,000 flooded messages render as one burst', async () => {
    const { page, problems } = await story('useserverevents--bounded-feed');
    await page.locator('.badge.connected, p').first().waitFor();
    const rendered = async () => Number((await page.locator('text=/rendered \\d+ times/').textContent())?.match(/rendered (\d+)/)?.[1]);
    await page.waitForFunction(() => document.body.textContent?.includes('0 recent events'));
    const before = await rendered();
    await page.getByRole('button', { name: 'flood 1,000 messages' }).click();
    await page.waitForFunction(() => document.body.textContent?.includes('50 recent events'));
    expect((await rendered()) - before).toBeLessThanOrEqual(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it.each(['useevent--typing-indicator', 'usepublish--sending-and-retry', 'usepresence--live-cursors', 'usestream--token-stream'])('%s renders without errors', async (id) => {
    const { page, problems } = await story(id);
    await page.waitForTimeout(1500);
    expect(await page.locator('body').textContent()).not.toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });
});
