import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import playwrightConfig from '../../playwright.config';
import { LoginPage } from '../../e2e/pages/login-page';
import { ChatPage } from '../../e2e/pages/chat-page';
import { USERS } from '../../e2e/fixtures';
import { drainOutput, freePort, spawnTsChild, stopChild, waitForOutput } from '../lib/children';
import { sleep } from '../lib/clock';
import { type ScenarioContext, type ScenarioReport, round, table } from '../scenarios/context';
import { instrumentScript, type BenchGlobal, type InstrumentOptions, type PageMarks, type WatchRecord } from './in-page';
import { seedAccount, seedBulk, type SeededAccount } from './seed-file';
import { describeSamples, type SampleSummary } from './samples';

/**
 * `npm run bench -- browser`: the client in the system Chromium, driven by
 * Playwright from this process, against the real server in mock mode on a
 * seeded database file (bench/browser/seed-file.ts). See docs/BENCHMARKS.md
 * ("Browser") for what each figure means.
 */
const TARGETS = { coldStartMs: 300, openMs: 150, echoMs: 16, otherScreenP50Ms: 50 };

export async function browserScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (set CHROMIUM_PATH)`);
  const distDir = process.env['DIST_DIR'] ?? 'dist';
  for (const f of ['index.html', 'sw.js']) if (!existsSync(join(distDir, f))) throw new Error(`${distDir}/${f} is missing: build the app first (node_modules/.bin/vite build)`);

  const dir = mkdtempSync(join(os.tmpdir(), 'tidings-bench-browser-'));
  const dbPath = join(dir, 'tidings.db');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const launch = { executablePath, headless: true, args: [...(playwrightConfig.use?.launchOptions?.args ?? [])] };
  const viewport = playwrightConfig.use?.viewport ?? { width: 1280, height: 800 };
  const load = new LoadSampler();
  let server: ChildProcess | null = null;
  let alice: BrowserContext | null = null;
  let bobBrowser: Browser | null = null;
  const cpu0 = process.cpuUsage();

  const startServer = async (): Promise<void> => {
    const child = spawnTsChild('server/main.ts', ['--mock', '--port', String(port), '--db', dbPath], { LOG_LEVEL: 'warn', DIST_DIR: distDir });
    await waitForOutput(child, /listening on http:\/\/127\.0\.0\.1:\d+/, 30_000);
    drainOutput(child, { tail: '' });
    server = child;
  };
  const stopServer = async (): Promise<void> => {
    if (server) await stopChild(server, 5000);
    server = null;
  };

  try {
    ctx.progress.note(`browser: seeding ${o.browserConversations} conversations (${o.browserMessages} messages, ${o.browserLongConversation} in c_alice_carol) into ${dbPath}`);
    const account = await seedAccount(dbPath, { conversations: o.browserConversations, messages: o.browserMessages, longConversation: o.browserLongConversation });
    const instrumentOptions: InstrumentOptions = {
      expectConversations: o.browserConversations,
      longConversationId: account.longConversationId,
      longConversationText: 'of the long history',
    };
    await startServer();
    alice = await chromium.launchPersistentContext(join(dir, 'alice-profile'), { ...launch, baseURL: url, viewport });
    await alice.addInitScript(instrumentScript(instrumentOptions));
    let page = alice.pages()[0] ?? (await alice.newPage());
    const login = new LoginPage(page);
    await login.goto();
    await login.logIn(USERS.alice.username, USERS.alice.password);
    await new ChatPage(page).expectShown();
    await page.waitForFunction((n) => document.querySelectorAll('ul.conversation-list .conversation-button').length >= n, o.browserConversations, { timeout: 30_000 });
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForTimeout(1000);

    ctx.progress.note('browser: server stopped; appending the bulk of the history, restarting, waiting for the client to cache all of it');
    await page.close();
    await stopServer();
    seedBulk(dbPath, account);
    await startServer();
    page = await alice.newPage();
    await page.goto('/');
    const cacheStarted = performance.now();
    let cached = 0;
    while (performance.now() - cacheStarted < 180_000) {
      cached = await page.evaluate(countCachedMessages, 'u_alice').catch(() => 0);
      if (cached >= o.browserMessages) break;
      await sleep(1000);
    }
    if (cached < o.browserMessages) throw new Error(`the client cached only ${cached} of ${o.browserMessages} messages in 180 s`);
    const cacheSeconds = (performance.now() - cacheStarted) / 1000;
    ctx.progress.note(`browser: ${cached} messages in the client's IndexedDB after ${cacheSeconds.toFixed(1)} s`);
    await page.waitForTimeout(500);

    // 1 + 2: cold starts with the server up, each followed by opening the long conversation.
    const online: RunRecord[] = [];
    for (let i = 0; i < o.browserRuns; i++) {
      await page.close();
      page = await alice.newPage();
      online.push(await coldStartAndOpen(page, url, account));
      ctx.progress.note(`browser: online run ${i + 1}/${o.browserRuns}: list ${fmt(online[i]!.start.listPaint)} ms, open ${fmt(online[i]!.openMs)} ms`);
    }

    // 3: local echo, in the long conversation (open in the last page).
    const echo = await sendAndWatch(page, null, o.browserSends, `${ctx.runId} echo`);
    ctx.progress.note(`browser: local echo of ${echo.length} sends measured`);

    // 4: to bob's screen, in c_alice_bob.
    await page.locator(`.conversation-button[data-id="${account.directWithBobId}"]`).click();
    await new ChatPage(page).messageLog.waitFor();
    bobBrowser = await chromium.launch(launch);
    const bobContext = await bobBrowser.newContext({ baseURL: url, viewport });
    await bobContext.addInitScript(instrumentScript({ ...instrumentOptions, expectConversations: 1 }));
    const bobPage = await bobContext.newPage();
    const bobLogin = new LoginPage(bobPage);
    await bobLogin.goto();
    await bobLogin.logIn(USERS.bob.username, USERS.bob.password);
    await new ChatPage(bobPage).expectShown();
    await bobPage.locator(`.conversation-button[data-id="${account.directWithBobId}"]`).click();
    await new ChatPage(bobPage).messageLog.waitFor();
    await sleep(1000);
    const other = await sendAndWatch(page, bobPage, o.browserSends, `${ctx.runId} other`);
    ctx.progress.note(`browser: ${other.filter((r) => r.arrived).length}/${other.length} sends reached bob's screen`);
    await bobBrowser.close();
    bobBrowser = null;

    // 1 again, server stopped: the service worker serves the shell, the store the data.
    await page.waitForTimeout(500);
    await page.close();
    await stopServer();
    const offline: RunRecord[] = [];
    for (let i = 0; i < o.browserRuns; i++) {
      page = await alice.newPage();
      offline.push(await coldStartAndOpen(page, url, account, false));
      await page.close();
      ctx.progress.note(`browser: offline run ${i + 1}/${o.browserRuns}: list ${fmt(offline[i]!.start.listPaint)} ms`);
    }
    await alice.close();
    alice = null;

    return buildReport(ctx, { online, offline, echo, other, cached, cacheSeconds, load: load.stop(), driverCpuMs: cpuMs(process.cpuUsage(cpu0)), url, dir });
  } finally {
    load.stop();
    await bobBrowser?.close().catch(() => undefined);
    await alice?.close().catch(() => undefined);
    await stopServer().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ColdStart extends PageMarks {
  /** Navigation timing of the document, ms from navigation start. */
  responseEnd: number;
  domContentLoaded: number;
  controlledByServiceWorker: boolean;
}

interface RunRecord {
  start: ColdStart;
  openMs?: number;
  openDomMs?: number;
  listNodes?: number;
  listRows?: number;
  heapBeforeMiB?: number;
  heapAfterMiB?: number;
  documentNodes?: number;
}

async function coldStartAndOpen(page: Page, url: string, account: SeededAccount, open = true): Promise<RunRecord> {
  await page.goto(url + '/');
  await page
    .waitForFunction(() => (window as unknown as { __bench: BenchGlobal }).__bench.marks.listPaint !== undefined, undefined, { timeout: 30_000 })
    .catch(async (error: Error) => {
      const state = await page.evaluate(() => ({
        bench: (window as unknown as { __bench?: BenchGlobal }).__bench,
        buttons: document.querySelectorAll('ul.conversation-list .conversation-button').length,
        body: document.body?.innerText.slice(0, 300),
      })).catch((e: Error) => e.message);
      throw new Error(`${error.message}\npage state: ${JSON.stringify(state)}`);
    });
  const start = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return {
      ...(window as unknown as { __bench: BenchGlobal }).__bench.marks,
      responseEnd: nav?.responseEnd ?? 0,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? 0,
      controlledByServiceWorker: navigator.serviceWorker.controller !== null,
    };
  });
  if (!open) return { start };
  // Let the socket log in and the sync settle, as a person would take a moment before clicking.
  await page.waitForTimeout(1000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async (): Promise<{ heap: number; nodes: number }> => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? 0;
    return { heap: get('JSHeapUsedSize') / 1048576, nodes: get('Nodes') };
  };
  const before = await heap();
  await page.locator(`.conversation-button[data-id="${account.longConversationId}"]`).click();
  await page.waitForFunction(() => (window as unknown as { __bench: BenchGlobal }).__bench.marks.openPaint !== undefined, undefined, { timeout: 30_000 });
  const marks = await page.evaluate(() => (window as unknown as { __bench: BenchGlobal }).__bench.marks);
  await page.waitForTimeout(500);
  const dom = await page.evaluate(() => {
    const log = document.querySelector('[role="log"]');
    return { nodes: log ? log.querySelectorAll('*').length + 1 : 0, rows: log ? log.querySelectorAll('.row-message').length : 0 };
  });
  const after = await heap();
  await cdp.detach();
  return {
    start,
    openMs: marks.openPaint! - marks.openClick!,
    openDomMs: marks.openDom! - marks.openClick!,
    listNodes: dom.nodes,
    listRows: dom.rows,
    heapBeforeMiB: before.heap,
    heapAfterMiB: after.heap,
    documentNodes: after.nodes,
  };
}

interface SendRecord {
  text: string;
  echoDomMs?: number;
  echoPaintMs?: number;
  echoStatus?: string | null;
  echoInFrame?: boolean;
  arrived: boolean;
  otherScreenMs?: number;
}

/** Sends `n` messages from `sender` one at a time; times the local echo, and their arrival on `receiver`'s screen when given. */
async function sendAndWatch(sender: Page, receiver: Page | null, n: number, tag: string): Promise<SendRecord[]> {
  const composer = new ChatPage(sender).composer;
  const out: SendRecord[] = [];
  const watch = (p: Page, text: string): Promise<void> => p.evaluate((t) => void ((window as unknown as { __bench: BenchGlobal }).__bench.watch[t] = {}), text);
  const read = (p: Page, text: string): Promise<WatchRecord | undefined> => p.evaluate((t) => (window as unknown as { __bench: BenchGlobal }).__bench.watch[t], text);
  for (let i = 0; i < n; i++) {
    // The number is bracketed: a row's text runs on into its time ("... 3" + "1:38 PM"), which must not read as "... 31".
    const text = `bench ${tag} [${i + 1}]`;
    await watch(sender, text);
    if (receiver) await watch(receiver, text);
    await composer.fill(text);
    await composer.press('Enter');
    await sender.waitForFunction((t) => (window as unknown as { __bench: BenchGlobal }).__bench.watch[t]?.paint !== undefined, text, { timeout: 10_000 }).catch(() => undefined);
    let arrived = false;
    if (receiver) {
      arrived = await receiver
        .waitForFunction((t) => (window as unknown as { __bench: BenchGlobal }).__bench.watch[t]?.wallDom !== undefined, text, { timeout: 10_000 })
        .then(() => true, () => false);
    }
    const mine = await read(sender, text);
    const theirs = receiver ? await read(receiver, text) : undefined;
    out.push({
      text,
      echoDomMs: mine?.dom !== undefined && mine.t0 !== undefined ? mine.dom - mine.t0 : undefined,
      echoPaintMs: mine?.paint !== undefined && mine.t0 !== undefined ? mine.paint - mine.t0 : undefined,
      echoStatus: mine?.status,
      echoInFrame: mine?.inFrame,
      arrived: receiver ? arrived : mine?.dom !== undefined,
      otherScreenMs: theirs?.wallDom !== undefined && mine?.wall0 !== undefined ? theirs.wallDom - mine.wall0 : undefined,
    });
    // A pause between sends, so each one is timed on its own and not behind the previous one's ack.
    await sleep(150);
  }
  return out;
}

/** Messages in the client's IndexedDB history chunks (runs in the page). */
async function countCachedMessages(userId: string): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open('tidings');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  try {
    if (!db.objectStoreNames.contains('kv')) return 0;
    const prefix = `tidings:${userId}:messages:`;
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const r = db.transaction('kv').objectStore('kv').getAll(IDBKeyRange.bound(prefix, prefix + '\uffff'));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    let n = 0;
    for (const chunk of values) {
      if (chunk && typeof chunk === 'object') for (const m of Object.values(chunk as Record<string, unknown>)) if (m && typeof m === 'object' && 'seq' in m) n++;
    }
    return n;
  } finally {
    db.close();
  }
}

/** The 1-minute load average, sampled every second while the scenario runs. */
class LoadSampler {
  private readonly samples: number[] = [os.loadavg()[0]!];
  private timer: NodeJS.Timeout | null = setInterval(() => this.samples.push(os.loadavg()[0]!), 1000);
  stop(): { min: number; max: number; mean: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const s = this.samples;
    return { min: round(Math.min(...s), 2), max: round(Math.max(...s), 2), mean: round(s.reduce((a, b) => a + b, 0) / s.length, 2) };
  }
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

function fmt(v: number | undefined): string {
  return v === undefined ? '-' : v.toFixed(1);
}

interface Collected {
  online: RunRecord[];
  offline: RunRecord[];
  echo: SendRecord[];
  other: SendRecord[];
  cached: number;
  cacheSeconds: number;
  load: { min: number; max: number; mean: number };
  driverCpuMs: number;
  url: string;
  dir: string;
}

function values<T>(rows: T[], pick: (row: T) => number | undefined): number[] {
  return rows.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
}

function buildReport(ctx: ScenarioContext, c: Collected): ScenarioReport {
  const o = ctx.options;
  const f = {
    coldOnline: describeSamples(values(c.online, (r) => r.start.listPaint)),
    coldOnlineDom: describeSamples(values(c.online, (r) => r.start.listDom)),
    coldOffline: describeSamples(values(c.offline, (r) => r.start.listPaint)),
    coldOfflineDom: describeSamples(values(c.offline, (r) => r.start.listDom)),
    responseEndOnline: describeSamples(values(c.online, (r) => r.start.responseEnd)),
    responseEndOffline: describeSamples(values(c.offline, (r) => r.start.responseEnd)),
    domContentLoadedOnline: describeSamples(values(c.online, (r) => r.start.domContentLoaded)),
    domContentLoadedOffline: describeSamples(values(c.offline, (r) => r.start.domContentLoaded)),
    open: describeSamples(values(c.online, (r) => r.openMs)),
    openDom: describeSamples(values(c.online, (r) => r.openDomMs)),
    listNodes: describeSamples(values(c.online, (r) => r.listNodes)),
    listRows: describeSamples(values(c.online, (r) => r.listRows)),
    heapBefore: describeSamples(values(c.online, (r) => r.heapBeforeMiB)),
    heapAfter: describeSamples(values(c.online, (r) => r.heapAfterMiB)),
    documentNodes: describeSamples(values(c.online, (r) => r.documentNodes)),
    echoDom: describeSamples(values(c.echo, (r) => r.echoDomMs)),
    echoPaint: describeSamples(values(c.echo, (r) => r.echoPaintMs)),
    otherEchoDom: describeSamples(values(c.other, (r) => r.echoDomMs)),
    otherScreen: describeSamples(values(c.other, (r) => r.otherScreenMs)),
  };
  const echoPending = c.echo.filter((r) => r.echoStatus === 'Pending').length;
  const arrived = c.other.filter((r) => r.arrived).length;
  const offlineControlled = c.offline.filter((r) => r.start.controlledByServiceWorker).length;
  const row = (name: string, s: SampleSummary, unit = 'ms'): (string | number)[] => [name, s.count, s.median, s.p95, s.min, s.max, unit];
  const headers = ['figure', 'n', 'median', 'p95', 'min', 'max', 'unit'];
  const verdict = (target: string, s: SampleSummary, limit: number, use: 'median' | 'p50' = 'median'): { target: string; met: boolean | null; detail: string } => ({
    target,
    met: s.count === 0 ? null : s.median < limit,
    detail: s.count === 0 ? 'no samples' : `${use} ${s.median} ms, p95 ${s.p95} ms over ${s.count}`,
  });
  const markdown = [
    `Alice's account: ${o.browserConversations} conversations, ${o.browserMessages} messages, ${o.browserLongConversation} of them in c_alice_carol, all in the client's IndexedDB before timing starts (counted in the page: ${c.cached}; catching up took ${c.cacheSeconds.toFixed(1)} s). System Chromium (${process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'}), headless, the flags of playwright.config.ts, viewport 1280x800, alice in an on-disk profile (IndexedDB on disk), bob in a second browser. Server: \`server/main.ts --mock --db <seeded temp file>\` on ${c.url}. Alice and bob log in once with their password (seeded with a cheap scrypt, N=1024: the header's note about session tokens is for the load scenarios); every later page load resumes the stored session.`,
    '',
    `Load average (1 min) during the run: min ${c.load.min}, mean ${c.load.mean}, max ${c.load.max} on ${os.availableParallelism()} CPUs. Playwright driver CPU: ${(c.driverCpuMs / 1000).toFixed(1)} s.`,
    '',
    '### Cold start from the local store to the conversation list',
    '',
    `A new tab per run in the same profile (the HTTP cache and the service worker are warm, as for a returning user), navigation start -> all ${o.browserConversations} conversation buttons in the DOM (MutationObserver) -> the next frame painted. ${o.browserRuns} runs with the server up, then ${o.browserRuns} with it stopped (${offlineControlled}/${c.offline.length} of those pages were controlled by the service worker).`,
    '',
    table(headers, [
      row('server up: list painted', f.coldOnline),
      row('server up: list in the DOM', f.coldOnlineDom),
      row('server up: document responseEnd', f.responseEndOnline),
      row('server up: DOMContentLoaded done', f.domContentLoadedOnline),
      row('server stopped: list painted', f.coldOffline),
      row('server stopped: list in the DOM', f.coldOfflineDom),
      row('server stopped: document responseEnd', f.responseEndOffline),
      row('server stopped: DOMContentLoaded done', f.domContentLoadedOffline),
    ]),
    '',
    '### Opening the long conversation',
    '',
    `After each online cold start and 1 s of settling: click on c_alice_carol (${o.browserLongConversation} messages, all cached) -> its rows in the message log -> the next frame painted. DOM nodes of the log element after 0.5 s; JS heap (CDP Performance.getMetrics JSHeapUsedSize, after HeapProfiler.collectGarbage) before the click and after.`,
    '',
    table(headers, [
      row('click -> list painted', f.open),
      row('click -> rows in the DOM', f.openDom),
      row('DOM nodes in the message log', f.listNodes, 'nodes'),
      row('message rows rendered', f.listRows, 'rows'),
      row('JS heap before opening', f.heapBefore, 'MiB'),
      row('JS heap with it open', f.heapAfter, 'MiB'),
      row('DOM nodes in the document', f.documentNodes, 'nodes'),
    ]),
    '',
    '### Local echo and a send to the other screen',
    '',
    `${o.browserSends} sends one at a time (150 ms apart, each after the previous one showed) in c_alice_carol: Enter keydown (event.timeStamp) -> the message's node in the log (MutationObserver), and -> the next frame painted; ${echoPending}/${c.echo.length} rows said "Pending" when they appeared. Then ${o.browserSends} sends in c_alice_bob with bob's browser showing it: alice's Enter keydown -> the node in bob's log, both as performance.timeOrigin + performance.now(); ${arrived}/${c.other.length} arrived.`,
    '',
    table(headers, [
      row('local echo: Enter -> node in the DOM', f.echoDom),
      row('local echo: Enter -> painted', f.echoPaint),
      row('local echo in c_alice_bob (second series)', f.otherEchoDom),
      row("Enter -> node on bob's screen", f.otherScreen),
    ]),
  ].join('\n');
  return {
    title: 'Browser: cold start, opening a long conversation, local echo, send to another screen',
    markdown,
    data: { figures: f, load: c.load, cachedMessages: c.cached, cacheSeconds: c.cacheSeconds, echoPending, arrived, sends: o.browserSends, runs: o.browserRuns, offlineControlled, online: c.online, offline: c.offline, echo: c.echo, other: c.other },
    charts: [],
    generatorCpuMs: c.driverCpuMs,
    verdicts: [
      verdict(`cold start (server up) < ${TARGETS.coldStartMs} ms`, f.coldOnline, TARGETS.coldStartMs),
      verdict(`cold start (server stopped) < ${TARGETS.coldStartMs} ms`, f.coldOffline, TARGETS.coldStartMs),
      verdict(`opening a ${o.browserLongConversation}-message conversation < ${TARGETS.openMs} ms`, f.open, TARGETS.openMs),
      { target: `local echo <= ${TARGETS.echoMs} ms (one frame)`, met: f.echoDom.count === 0 ? null : f.echoDom.median <= TARGETS.echoMs, detail: `in the DOM: median ${f.echoDom.median} ms, p95 ${f.echoDom.p95} ms; painted: median ${f.echoPaint.median} ms, p95 ${f.echoPaint.p95} ms` },
      { target: `send to the other screen p50 < ${TARGETS.otherScreenP50Ms} ms`, met: f.otherScreen.count === 0 ? null : f.otherScreen.median < TARGETS.otherScreenP50Ms && arrived === c.other.length, detail: `p50 ${f.otherScreen.median} ms, p95 ${f.otherScreen.p95} ms, ${arrived}/${c.other.length} arrived` },
    ],
  };
}
