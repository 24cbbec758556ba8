// The web chat as a person uses it: Chromium (Debian's, driven by playwright-core) on the demo portal page
// of a real server with a fresh SQLite database. Screenshots go to test-artifacts/browser/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/db/index.js';
import { formatMoney } from '../../src/conversation/format.js';
import * as domain from '../../src/domain/index.js';
import { freePort, makeTempDir, removeTempDirs, ROOT, SERVER_SCRIPT, startScript, waitForOutput } from '../support/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'browser');

describe('the chat widget in a browser', () => {
  let server: ReturnType<typeof startScript>;
  let base: string;
  let databasePath: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const cwd = makeTempDir('widget-');
    databasePath = join(cwd, 'support.db');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = startScript(SERVER_SCRIPT, [], {
      cwd,
      env: { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${databasePath}`, SEED_CDRS: '2000', LOG_LEVEL: 'warn' },
    });
    await waitForOutput(server, 'Press Ctrl-C to stop.');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    // Phone width: the widget must work at 375 px.
    context = await browser.newContext({ viewport: { width: 375, height: 740 }, acceptDownloads: true });
    page = await context.newPage();
    watch(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.kill('SIGTERM');
      await server.finished;
    }
    removeTempDirs();
  });

  // Script errors and console errors (a Content-Security-Policy refusal, say) fail the run at the end.
  function watch(target: Page): void {
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    target.on('console', (message) => {
      if (message.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|net::ERR_/.test(message.text())) problems.push(`console: ${message.text()} (${message.location().url})`);
    });
  }

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const log = () => page.locator('[data-support-chat] .log');
  const botSays = (text: string | RegExp) => log().locator('.msg.out').filter({ hasText: text });
  const textbox = () => page.getByRole('textbox', { name: 'Type your message' });

  async function say(text: string): Promise<void> {
    await textbox().fill(text);
    await textbox().press('Enter');
  }

  async function balanceOf(accountNumber: string): Promise<string> {
    const handle = await openDatabase({ engine: 'sqlite', path: databasePath });
    try {
      const ctx = domain.createDomainContext(handle.db);
      const admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as domain.CustomerActor;
      const balance = await domain.getAccountBalance(ctx, admin, { accountNumber });
      if (balance.kind !== 'ok') throw new Error(`no balance for ${accountNumber}`);
      return formatMoney(balance.value.balanceCents, balance.value.currency);
    } finally {
      await handle.close();
    }
  }

  it('signs in with account number and PIN, answers the balance, presses a button and downloads the invoice PDF', async () => {
    await page.goto(base);
    await expect(page.title()).resolves.toBe('Support Assistant');
    expect(await page.locator('main').textContent()).toContain('root account 5000001, PIN 2468');
    await shot('01-portal-page');

    await page.getByRole('button', { name: 'Chat with us' }).click();
    await log().locator('.note').filter({ hasText: /^Hi! I can tell you about outages/ }).waitFor();
    await expect(textbox().evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement)).resolves.toBe(true);
    expect(await log().getAttribute('aria-live')).toBe('polite');

    await say("what's my balance?");
    await botSays(/Please sign in first/).waitFor();
    await shot('02-asked-to-sign-in');

    await log().getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Account number').fill('5000001');
    await page.getByLabel('PIN').fill('2468');
    await shot('03-sign-in-form');
    await page.getByLabel('PIN').press('Enter');
    await page.locator('[data-support-chat] .who').filter({ hasText: 'Signed in: Northwind Traders Ltd. · 5000001' }).waitFor();
    await botSays(/signed in with account 5000001/).waitFor();
    // Answers come over the WebSocket (the page's Content-Security-Policy allows it).
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { SupportChat: { transport: string } }).SupportChat.transport)).toBe('ws');
    expect(await page.locator('[data-support-chat] .status').isHidden()).toBe(true);

    // The question that needed the sign-in is answered right after it, without being asked again.
    const balance = await balanceOf('5000001');
    const card = log().locator('.card').filter({ hasText: 'Balance · Northwind Traders Ltd.' });
    await card.waitFor();
    expect(await log().locator('.msg.in').filter({ hasText: "what's my balance?" }).count()).toBe(1);
    expect(await card.locator('dt:has-text("Balance") + dd').textContent()).toBe(balance);
    await shot('04-balance-card');

    await card.getByRole('button', { name: 'Latest invoice' }).click();
    const link = log().locator('.files a').first();
    await link.waitFor();
    expect(await log().locator('.msg.in').last().textContent()).toContain('Latest invoice');
    await shot('05-invoice-with-pdf');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^inv-5000001-\d{4}-\d{2}\.pdf$/);
    const saved = await download.path();
    expect(readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('reconnects after the connection drops, and shows what came meanwhile exactly once', async () => {
    const token = await page.evaluate((key) => JSON.parse((globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem(key) ?? '{}').token as string, `support-chat:${base}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await context.setOffline(true);
    await page.locator('[data-support-chat] .status').filter({ hasText: /offline/i }).waitFor();
    // While this browser is away, the conversation goes on from another device.
    const response = await fetch(`${base}/chat/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'are there any outages?' }),
    });
    expect(response.status).toBe(200);
    await shot('06-offline');
    await context.setOffline(false);
    await botSays(/current outage/).waitFor();
    await page.locator('[data-support-chat] .status').filter({ hasText: 'Reconnected.' }).waitFor();
    await shot('07-reconnected');
    expect(await log().locator('.msg.in').filter({ hasText: 'are there any outages?' }).count()).toBe(1);
    expect(await botSays(/current outage/).count()).toBe(1);

    // And it is live again: the next answer arrives over the socket.
    await say('show my open tickets');
    await botSays(/ticket/i).last().waitFor();
    const seqs = await page.evaluate(async ([apiBase, bearer]) => {
      const r = await fetch(`${apiBase}/chat/messages`, { headers: { Authorization: `Bearer ${bearer}` } });
      return ((await r.json()) as { messages: { seq: number }[] }).messages.map((m) => m.seq);
    }, [base, token] as const);
    // Every stored message is on screen once: the bubbles match the conversation one for one.
    const rendered = await log().locator('.msg').count();
    expect(rendered).toBe(seqs.length);

    // A support agent writes into the conversation (from the agent console, another process).
    const session = (await (await fetch(`${base}/chat/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).json()) as {
      conversationId: string;
      lastSeq: number;
    };
    const handle = await openDatabase({ engine: 'sqlite', path: databasePath });
    try {
      await handle.db
        .insertInto('messages')
        .values({
          conversation_id: session.conversationId,
          seq: session.lastSeq + 1,
          direction: 'out',
          author: 'agent',
          text: 'Hi, this is Alex from support. I can see the ticket on your Toronto site.',
          payload: null,
          created_at: new Date().toISOString(),
        })
        .execute();
    } finally {
      await handle.close();
    }
    await log().locator('.note').filter({ hasText: 'A support agent joined the conversation.' }).waitFor({ timeout: 8000 });
    await log().locator('.msg.agent').filter({ hasText: 'this is Alex from support' }).waitFor();
    await shot('08-agent-joined');
  }, 60_000);

  it('shows HTML typed by the visitor as text, and never runs it', async () => {
    const attack = '<img src=x onerror="window.__owned=1"><b>bold</b><script>window.__owned=2</script>';
    await say(attack);
    const bubble = log().locator('.msg.in').last();
    await expect.poll(() => bubble.textContent()).toContain(attack);
    await botSays(/./).last().waitFor();
    expect(await page.evaluate(() => (globalThis as { __owned?: number }).__owned)).toBeUndefined();
    expect(await log().locator('b, img, script').count()).toBe(0);
  }, 30_000);

  it('is keyboard-usable: Escape closes the chat and gives focus back to its button; the transcript downloads', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript (PDF)' }).click()]);
    expect(readFileSync(await download.path()).subarray(0, 5).toString()).toBe('%PDF-');
    await textbox().focus();
    await page.keyboard.press('Escape');
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await launcher.waitFor();
    await expect(launcher.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await textbox().waitFor();
    await shot('09-reopened-375px');
    // Nothing overflows the phone's width.
    const width = await page.locator('[data-support-chat] .panel').evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(375);
    const scroll = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(scroll).toBeLessThanOrEqual(375);
  }, 30_000);

  it('falls back to server-sent events where WebSockets are blocked', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const other = await desktop.newPage();
      watch(other);
      // A proxy that refuses WebSockets.
      await other.routeWebSocket(/\/chat\/ws$/, (ws) => ws.close({ code: 1011, reason: 'blocked' }));
      await other.goto(base);
      await other.getByRole('button', { name: 'Chat with us' }).click();
      const box = other.getByRole('textbox', { name: 'Type your message' });
      await box.fill('any planned maintenance?');
      await box.press('Enter');
      await other.locator('[data-support-chat] .log .msg.out').first().waitFor();
      // The stream goes live when its first event arrives, which on a busy machine can be after the reply.
      await other.waitForFunction(() => (globalThis as unknown as { SupportChat: { transport: string } }).SupportChat.transport === 'sse', undefined, { timeout: 20_000 });
      await other.locator('[data-support-chat] .log .msg.out').filter({ hasText: /maintenance/i }).first().waitFor();
      await other.screenshot({ path: join(ARTIFACTS, '10-desktop-event-stream.png') });
    } finally {
      await desktop.close();
    }
  }, 30_000);

  it('says calmly when too many chats were started from the network, and starts once it may', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    try {
      const other = await desktop.newPage();
      // Not watched: the browser itself logs the 429 as a failed resource, which is the point here.
      let refused = 0;
      await other.route(/\/chat\/sessions$/, async (route) => {
        if (refused++ > 0) return route.continue();
        await route.fulfill({
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '2' },
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many chats have been started from your network in the last hour. Please try again in 1 minute.' } }),
        });
      });
      await other.goto(base);
      await other.getByRole('button', { name: 'Chat with us' }).click();
      const status = other.locator('[data-support-chat] .status');
      await status.filter({ hasText: 'Too many chats have been started from your network' }).waitFor();
      await other.screenshot({ path: join(ARTIFACTS, '11-desktop-too-many-chats.png') });
      // After the Retry-After, the widget asks again by itself and the chat works.
      await other.waitForFunction(() => (globalThis as unknown as { SupportChat: { transport: string } }).SupportChat.transport !== 'none', undefined, { timeout: 20_000 });
      const box = other.getByRole('textbox', { name: 'Type your message' });
      await box.fill('hi');
      await box.press('Enter');
      await other.locator('[data-support-chat] .log .msg.out').filter({ hasText: /help/i }).first().waitFor();
      expect(refused).toBeGreaterThanOrEqual(2);
    } finally {
      await desktop.close();
    }
  }, 40_000);

  it('shows a typing indicator while the assistant works', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    try {
      const other = await desktop.newPage();
      watch(other);
      let toPage: ((frame: string) => void) | undefined;
      // The real socket, with a way to hold the typing signal on screen long enough to see it.
      await other.routeWebSocket(/\/chat\/ws$/, (ws) => {
        const server = ws.connectToServer();
        toPage = (frame) => ws.send(frame);
        ws.onMessage((frame) => server.send(frame));
        server.onMessage((frame) => ws.send(frame));
      });
      await other.goto(base);
      await other.getByRole('button', { name: 'Chat with us' }).click();
      await expect.poll(() => other.evaluate(() => (globalThis as unknown as { SupportChat: { transport: string } }).SupportChat.transport)).toBe('ws');
      toPage?.(JSON.stringify({ type: 'typing', on: true }));
      const typing = other.locator('[data-support-chat] .typing');
      await typing.filter({ hasText: 'The assistant is typing' }).waitFor();
      await other.screenshot({ path: join(ARTIFACTS, '11-typing.png') });
      toPage?.(JSON.stringify({ type: 'typing', on: false }));
      await expect.poll(() => typing.textContent()).toBe('');
    } finally {
      await desktop.close();
    }
  }, 30_000);

  it('met no script or console error on the way', () => {
    expect(problems).toEqual([]);
  });
});
