import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, setVisibility, startApp, type App, type OpenPage } from './harness.js';

// The native transports against the server kit; the vendor ones against local servers speaking their
// protocols (a real socket.io server, the Pusher and Ably test peers of packages/conformance).
const TRANSPORTS = ['websocket', 'sse', 'polling', 'pusher', 'ably', 'socket.io'] as const;

const badge = (page: Page) => page.getByTestId('connection-badge');
const status = (page: Page) => badge(page).getAttribute('data-status');
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const connected = (page: Page) => until(async () => (await status(page)) === 'connected', 'connected');
const texts = (page: Page) => page.getByTestId('message').locator('span').allTextContents();

const text = (page: Page, id: string) => page.getByTestId(id).textContent();
/** Each page, and what "loaded" means for it. */
const READY: Array<[string, (page: Page) => Promise<void>]> = [
  ['', () => Promise.resolve()],
  ['notifications', (p) => until(async () => (await text(p, 'feed-status')) === 'subscribed', 'feed subscribed')],
  ['stream', (p) => until(async () => (await text(p, 'stream-status')) === 'idle', 'stream page')],
  ['chat', (p) => until(async () => (await text(p, 'channel-status')) === 'subscribed', 'chat subscribed')],
  ['dashboard', (p) => until(async () => Number(await text(p, 'samples')) >= 1, 'a metrics sample')],
  ['presence', (p) => until(async () => Number(await text(p, 'online-count')) >= 1, 'me online')],
];

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

describe.each(TRANSPORTS)('the Next.js example on %s', (transport) => {
  let app: App;
  let browser: Browser;
  const pages: OpenPage[] = [];
  const open = async (path: string) => {
    const opened = await openPage(browser, `${app.url}/${path}`);
    pages.push(opened);
    return opened;
  };

  beforeAll(async () => {
    app = await startApp({ NEXT_PUBLIC_SWITCHBOARD_TRANSPORT: transport, DEMO_NOTIFICATION_EVERY_MS: '250', DEMO_NOTIFICATION_STREAM_MS: '1200' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  afterEach(async () => {
    for (const { page } of pages.splice(0)) await page.context().close();
  });

  it('renders every page with no console error or hydration warning (screenshots saved)', async () => {
    for (const [path, ready] of READY) {
      const { page, problems } = await open(path);
      await ready(page);
      await screenshot(page, `${transport}-${path || 'home'}`);
      expect(problems, `${path}: ${problems.join('\n')}`).toEqual([]);
    }
  });

  it('chat: a message from one page appears in the other; presence shows 2', async () => {
    const [a, b] = [await open('chat'), await open('chat')];
    await Promise.all([connected(a.page), connected(b.page)]);
    await until(async () => (await b.page.getByTestId('channel-status').textContent()) === 'subscribed', 'b subscribed');
    await send(a.page, `hello from A on ${transport}`);
    for (const p of [a.page, b.page]) await until(async () => (await texts(p)).includes(`hello from A on ${transport}`), 'the message in both pages');
    expect((await texts(a.page)).filter((t) => t === `hello from A on ${transport}`)).toHaveLength(1);
    expect((await texts(b.page)).filter((t) => t === `hello from A on ${transport}`)).toHaveLength(1);

    await Promise.all([a.page.goto(`${app.url}/presence`), b.page.goto(`${app.url}/presence`)]);
    // Each sees both (a tab an earlier test closed without a goodbye — a vendor transport — may still
    // count until its presence times out on the server).
    const names = await Promise.all([a.page, b.page].map(async (p) => {
      await until(async () => ((await p.getByTestId('avatar').allTextContents()).some((t) => t.endsWith('(you)'))), 'me in presence');
      return (await p.getByTestId('avatar').allTextContents()).find((t) => t.endsWith('(you)'))!.replace(' (you)', '');
    }));
    for (const p of [a.page, b.page]) {
      await until(async () => {
        const shown = await p.getByTestId('avatar').allTextContents();
        return names.every((n) => shown.some((t) => t.startsWith(n))) && Number(await p.getByTestId('online-count').textContent()) >= 2;
      }, 'both visitors on both pages');
    }
    await a.page.getByTestId('canvas').hover({ position: { x: 200, y: 120 } });
    await until(async () => (await b.page.getByTestId('cursor').count()) === 1, "A's cursor on B");
    await screenshot(b.page, `${transport}-presence-two`);
    expect([...a.problems, ...b.problems]).toEqual([]);
  });

  // Defined for the native transports only (the vendors' presence ends as their own services decide).
  if (transport === 'websocket' || transport === 'sse' || transport === 'polling') it('a page that goes away leaves presence at once (HTTP transports say goodbye as the page unloads)', async () => {
    const [a, b] = [await open('presence'), await open('presence')];
    const count = (p: Page) => p.getByTestId('online-count').textContent().then(Number);
    const meIn = (p: Page) => until(async () => (await p.getByTestId('avatar').allTextContents()).some((t) => t.endsWith('(you)')), 'me in presence');
    await Promise.all([meIn(a.page), meIn(b.page)]);
    const me = async (p: Page) => (await p.getByTestId('avatar').allTextContents()).find((t) => t.endsWith('(you)'))!.replace(' (you)', '');
    const [nameA, nameB] = [await me(a.page), await me(b.page)];
    await until(async () => (await b.page.getByTestId('avatar').allTextContents()).some((t) => t.startsWith(nameA)), 'B sees A');
    const before = await count(b.page);
    await a.page.goto('about:blank');
    // Well inside the server's own timeouts (polling 30 s, a closed SSE stream's 5 s grace).
    await until(async () => !(await b.page.getByTestId('avatar').allTextContents()).some((t) => t.startsWith(nameA)), 'A gone from B', 3000);
    expect(await count(b.page)).toBe(before - 1);
    expect((await b.page.getByTestId('avatar').allTextContents()).some((t) => t.startsWith(nameB))).toBe(true);
    expect(b.problems).toEqual([]);
  });

  it('server stopped: badge reconnecting, typed messages pending; restarted: delivered exactly once, in order, in both pages', async () => {
    const [a, b] = [await open('chat'), await open('chat')];
    await Promise.all([connected(a.page), connected(b.page)]);
    await app.stop();
    for (const p of [a.page, b.page]) await until(async () => ['reconnecting', 'connecting'].includes((await status(p)) ?? ''), 'reconnecting');
    const batch = [`offline 1 (${transport})`, `offline 2 (${transport})`, `offline 3 (${transport})`];
    for (const text of batch) await send(a.page, text);
    await until(async () => (await a.page.getByTestId('pending').count()) === 3, 'three pending');
    await screenshot(a.page, `${transport}-chat-offline`);

    await app.start();
    for (const p of [a.page, b.page]) await until(async () => (await status(p)) === 'connected', 'connected again', 40_000);
    // Both pages on the server kit's transports: B may not even have been subscribed yet when the
    // server stopped — it starts from the cursor the server rendered its history at (`since`), and a
    // restarted (empty) server gives a cursor of the old process everything published since. The
    // vendor backends live in the app's process and restart empty (Pusher keeps no history at all;
    // hosted Ably would not restart; socket.io's session recovery does not survive its server
    // process), and the demo's history endpoint reads the server kit's hub only: the sender's page.
    const receivers = transport === 'websocket' || transport === 'sse' || transport === 'polling' ? [a.page, b.page] : [a.page];
    for (const p of receivers) {
      await until(async () => {
        const all = await texts(p);
        return batch.every((t) => all.includes(t));
      }, 'the batch delivered').catch(async (error: unknown) => {
        // What each page shows, so a failure says which side lost what.
        const state = async (q: Page) => ({ status: await status(q), channel: await q.getByTestId('channel-status').textContent(), messages: await texts(q), pending: await q.getByTestId('pending').allTextContents(), failed: await q.getByTestId('failed').allTextContents() });
        throw new Error(`${String(error)}\nA: ${JSON.stringify(await state(a.page))}\nB: ${JSON.stringify(await state(b.page))}\nserver: ${app.output().slice(-1500)}`);
      });
      const seen = (await texts(p)).filter((t) => batch.includes(t));
      expect(seen).toEqual(batch); // each once, in order
    }
    expect(await a.page.getByTestId('pending').count()).toBe(0);
    await screenshot(b.page, `${transport}-chat-after-restart`);
  });
});

describe('patterns that do not depend on the transport', () => {
  let app: App;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp({ NEXT_PUBLIC_SWITCHBOARD_TRANSPORT: 'websocket', DEMO_NOTIFICATION_EVERY_MS: '200', DEMO_NOTIFICATION_STREAM_MS: '1000', DEMO_TOKEN_DELAY_MS: '60' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('the SSE feed resumes after each dropped stream without duplicates or gaps (Last-Event-ID)', async () => {
    const { page, problems } = await openPage(browser, `${app.url}/notifications`);
    const streams: Array<string | undefined> = [];
    page.on('request', (r) => r.url().includes('/api/notifications') && streams.push(r.headers()['last-event-id']));
    await until(async () => streams.length >= 3, 'three streams (two drops)', 20_000);
    const ids = (await page.getByTestId('notifications').locator('li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-id')))));
    expect(ids.length).toBeGreaterThanOrEqual(10);
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach((id, i) => i > 0 && expect(ids[i - 1]! - id).toBe(1)); // newest first, consecutive
    expect(streams.slice(1).every((id) => id !== undefined && /^\d+$/.test(id))).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('the dashboard polls; hidden → polling pauses; visible → refreshes at once', async () => {
    const { page, problems } = await openPage(browser, `${app.url}/dashboard`);
    const polls: number[] = [];
    page.on('request', (r) => r.method() === 'GET' && r.url().includes('/api/realtime') && polls.push(Date.now()));
    await until(async () => Number(await page.getByTestId('samples').textContent()) >= 2, 'two samples', 30_000);
    await setVisibility(page, false);
    const hiddenAt = Date.now();
    await page.waitForTimeout(5000); // 2.5 polling intervals
    const whileHidden = polls.filter((t) => t > hiddenAt + 500).length; // one request may already be in flight
    expect(whileHidden).toBe(0);
    await setVisibility(page, true);
    const visibleAt = Date.now();
    await until(async () => polls.some((t) => t >= visibleAt), 'a poll after becoming visible', 3000);
    expect(polls.find((t) => t >= visibleAt)! - visibleAt).toBeLessThan(1000);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('the token stream streams and stops on abort', async () => {
    const { page, problems } = await openPage(browser, `${app.url}/stream`);
    await page.getByRole('button', { name: 'Ask' }).click();
    await until(async () => (await page.getByTestId('stream-status').textContent()) === 'streaming', 'streaming');
    await until(async () => ((await page.getByTestId('answer').textContent()) ?? '').length > 40, 'some tokens');
    await page.getByRole('button', { name: 'Stop' }).click();
    await until(async () => (await page.getByTestId('stream-status').textContent()) === 'aborted', 'aborted');
    const frozen = await page.getByTestId('answer').textContent();
    await page.waitForTimeout(500);
    expect(await page.getByTestId('answer').textContent()).toBe(frozen);
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await until(async () => (await page.getByTestId('stream-status').textContent()) === 'done', 'done', 20_000);
    expect(await page.getByTestId('answer').textContent()).toContain('full jitter');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
