// The web console (/console) in a real browser: Debian's headless Chromium driven by playwright-core,
// against the engine started in this process. A fleet is built over HTTP (a tenant shredded and
// verified with its certificate, one active, one with a shred scheduled); then, as a person would:
// the login screen without a token, a wrong token and a wrong role refused with a clear message, the
// ops-reader token accepted, the fleet page, the shredded tenant's page (its shred against the
// working-day calendar, its key versions with the backups that hold them, its certificate, its
// events), and a tenant whose shred was cancelled and whose old key version a backup keeps until 2126
// (shown as cancelled, without a plan or deadline; the chart clamped, the far retention labelled).
// The header shows the engine clock as last read, never ticking. Screenshots go to test-artifacts/console/. Throughout, the browser must ask nothing of any
// origin but the engine's, break no rule of the Content-Security-Policy and raise no page error.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_CSP } from '../../apps/engine/src/console/index.js';
import { waitUntil } from '../support/engine-process.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const INSTALL_HINT = "install Debian's chromium package (apt-get install chromium) for the console test";
if (!CHROMIUM) console.warn(`test/e2e/console.int-spec.ts: chromium not found, SKIPPED: ${INSTALL_HINT}`);
// Without chromium these tests show as skipped in the summary, never as passed.
const describeWithChromium = CHROMIUM ? describe : describe.skip;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console');

describeWithChromium('the web console in headless Chromium', () => {
  let e: InProcessEngine;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const requested: string[] = [];
  const problems: string[] = [];
  const failed: string[] = [];

  const reader = () => e.tokens['ops-reader'];
  const op = () => e.tokens.operator;

  async function waitForEvents(sql: string, params: unknown[], what: string): Promise<void> {
    await waitUntil(async () => (await e.pool.query(sql, params)).rowCount! > 0, 20_000, what);
  }

  beforeAll(async () => {
    // A Monday. GB-ENG: Christmas Day (Fri 25 Dec), the Boxing Day substitute (Mon 28 Dec) and New
    // Year's Day (Fri 1 Jan) are holidays, so a termination effective Wed 23 Dec is due Mon 4 Jan.
    // delta keeps a backup for a century (below): past the default maximum retention, so raised here.
    e = await startInProcessEngine('2026-12-21T09:00:00Z', { LETHE_BACKUP_RETENTION_MAX_DAYS: '36525' });
    origin = new URL(e.engine.url).origin;
    const onboard = (tenantId: string, databases: string[], extra: Record<string, unknown> = {}) =>
      e.api('POST', '/v1/tenants', op(), { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: databases.map((databaseId) => ({ databaseId })), ...extra });
    expect((await onboard('acme', ['orders', 'billing'])).status).toBe(201);
    expect((await onboard('beta', ['main'], { pitrRetentionDays: 1 })).status).toBe(201);
    expect((await onboard('gamma', ['main'])).status).toBe(201);
    // acme: a backup under its first key version, then a second version, so the chart has two rows.
    const backup = { backupId: 'b-full-1', databaseId: 'orders', kind: 'full', coveredFrom: '2026-12-20T00:00:00Z', takenAt: '2026-12-21T08:00:00Z', expiresAt: '2027-03-01T00:00:00Z' };
    expect((await e.api('POST', '/v1/tenants/acme/backups', op(), backup)).status).toBe(201);
    // delta: a backup under its first version kept for a century, then a second version.
    expect((await onboard('delta', ['main'])).status).toBe(201);
    const century = { backupId: 'b-century', databaseId: 'main', kind: 'full', coveredFrom: '2026-12-20T00:00:00Z', takenAt: '2026-12-21T08:00:00Z', expiresAt: '2126-12-01T00:00:00Z' };
    expect((await e.api('POST', '/v1/tenants/delta/backups', op(), century)).status).toBe(201);
    expect((await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: '2026-12-22T10:00:00Z' })).status).toBe(200);
    expect((await e.api('POST', '/v1/tenants/acme/keys/rotate', op())).status).toBe(202);
    expect((await e.api('POST', '/v1/tenants/beta/keys/rotate', op())).status).toBe(202);
    expect((await e.api('POST', '/v1/tenants/delta/keys/rotate', op())).status).toBe(202);
    const reprotected = (tenantId: string) => e.pool.query(`select 1 from lethe_events where stream_id = $1 and event_type = 'DatabaseReprotected'`, [`keys-${tenantId}`]);
    await waitUntil(
      async () => (await reprotected('acme')).rowCount === 2 && (await reprotected('beta')).rowCount === 1 && (await reprotected('delta')).rowCount === 1,
      20_000,
      'every database re-protected',
    );
    // delta's termination is cancelled by an operator before it executes.
    expect((await e.api('POST', '/v1/tenants/delta/terminations', e.tokens['contract-system'], { terminationId: 't-delta', contractId: 'c-delta', effectiveAt: '2026-12-23T17:00:00Z' })).status).toBe(202);
    expect((await e.api('POST', '/v1/tenants/delta/shred/cancel', op(), { reason: 'contract renewed' })).status).toBe(200);
    const terminated = await e.api('POST', '/v1/tenants/acme/terminations', e.tokens['contract-system'], { terminationId: 't-acme', contractId: 'c-acme', effectiveAt: '2026-12-23T17:00:00Z' });
    expect(terminated.body).toMatchObject({ deadline: '2027-01-04T23:59:59.999Z', executeAt: '2026-12-29T23:59:59.999Z' });
    await waitForEvents(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = $1`, ['acme'], 'acme’s shred timer');
    // Past executeAt: the shred runs, the probe finds every database unreadable, the certificate is issued.
    expect((await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: '2026-12-30T12:00:00Z' })).status).toBe(200);
    await waitUntil(async () => (await e.api('GET', '/v1/tenants/acme/deletion-certificate', reader())).status === 200, 20_000, 'acme’s certificate');
    // beta's first version was retired a day after the rotation (pitrRetentionDays 1); a backup
    // registered since that needs it breaks P3 (a live backup needs a retired version).
    await waitForEvents(`select 1 from lethe_events where stream_id = 'keys-beta' and event_type = 'KeyVersionRetired'`, [], 'beta’s first version retired');
    const late = { backupId: 'b-late-1', databaseId: 'main', kind: 'full', coveredFrom: '2026-12-21T10:00:00Z', takenAt: '2026-12-22T09:00:00Z', expiresAt: '2027-06-01T00:00:00Z' };
    const lateAnswer = await e.api('POST', '/v1/tenants/beta/backups', op(), late);
    expect(lateAnswer.body.unrestorable).toMatchObject({ reason: 'key-version-retired' });
    // gamma: a shred still ahead, for the countdown.
    const scheduled = await e.api('POST', '/v1/tenants/gamma/terminations', e.tokens['contract-system'], { terminationId: 't-gamma', contractId: 'c-gamma', effectiveAt: '2027-01-05T17:00:00Z' });
    expect(scheduled.status).toBe(202);
    await waitUntil(async () => (await e.api('GET', '/v1/tenants/gamma', reader())).body?.status === 'shred-scheduled', 20_000, 'gamma’s shred in the read model');

    mkdirSync(ARTIFACTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('console', (message) => {
      // A failed load is in `failed`, with its URL; anything else logged as an error is a problem.
      if (/^Failed to load resource/.test(message.text())) return;
      if (message.type() === 'error' || /Content[- ]Security[- ]Policy|Trusted Type/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await e?.stop();
  });

  it('serves the console files to anyone, under a strict Content-Security-Policy, and the data only with a token', async () => {
    const redirect = await fetch(`${origin}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
    for (const [path, type] of [
      ['/console/', /^text\/html/],
      ['/console/app.js', /^(text|application)\/javascript/],
      ['/console/styles.css', /^text\/css/],
      ['/console/vendor/preact/preact.mjs', /^(text|application)\/javascript/],
      ['/console/vendor/htm/htm.mjs', /^(text|application)\/javascript/],
    ] as const) {
      const res = await fetch(`${origin}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(await res.text()).not.toContain(reader());
    }
    expect(CONSOLE_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // No inline script: every <script> of the page has a src.
    const index = await (await fetch(`${origin}/console/`)).text();
    expect(index.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="app.js">']);
    expect((await fetch(`${origin}/console/no-such-file.js`)).status).toBe(404);
    expect((await fetch(`${origin}/v1/tenants`)).status).toBe(401);
  });

  it('shows the login screen without a token, and says why a wrong token or a role that may not read is refused', async () => {
    await page.goto(`${origin}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.locator('#token').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Lethe console');
    expect(await page.locator('#login-error').count()).toBe(0);

    await page.fill('#token', 'not-a-token-the-engine-knows-0123456789');
    await page.click('button[type=submit]');
    await page.locator('#login-error').waitFor();
    expect(await page.locator('#login-error').textContent()).toMatch(/did not accept this token \(401 unauthorized\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });

    await page.fill('#token', e.tokens['contract-system']);
    await page.click('button[type=submit]');
    await page.locator('#login-error', { hasText: '403' }).waitFor();
    expect(await page.locator('#login-error').textContent()).toMatch(/may not read .*403 forbidden.*ops-reader/);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
  });

  it('signs in with the ops-reader token and shows the fleet: tenants by status, shreds with a live countdown, compliance', async () => {
    await page.fill('#token', reader());
    await page.click('button[type=submit]');
    await page.locator('h1', { hasText: 'Fleet' }).waitFor();
    // The token is kept for this tab only: sessionStorage, no cookie, nothing in localStorage or the URL.
    expect(await page.evaluate<string[]>('Object.keys(sessionStorage)')).toEqual(['lethe.console.token']);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(reader());

    const count = async (status: string) => Number(await page.locator(`.count[data-status="${status}"] .count-n`).textContent());
    await page.locator('.count[data-status="verified"]').waitFor();
    expect(await count('active')).toBe(2);
    expect(await count('verified')).toBe(1);
    expect(await count('shred-scheduled')).toBe(1);
    expect(await count('breached')).toBe(0);

    // gamma's shred is due Tue 12 Jan 2027 (5 working days after Tue 5 Jan), counted on the engine's clock.
    const gamma = page.locator('#shreds tr[data-tenant="gamma"]');
    expect(await gamma.locator('.countdown').getAttribute('data-deadline')).toBe('2027-01-12T23:59:59.999Z');
    const first = await gamma.locator('.countdown').textContent();
    expect(first).toMatch(/^13d \d\d:\d\d:\d\d left$/);
    // It ticks (polled from here: the page's CSP forbids the string evaluation waitForFunction uses).
    await waitUntil(async () => (await gamma.locator('.countdown').textContent()) !== first, 5_000, 'the countdown to tick');

    expect(await page.locator('#finished-shreds tr[data-tenant="acme"] .badge').textContent()).toBe('verified');
    expect(await page.locator('#compliance li[data-promise]').allTextContents()).toEqual([expect.stringMatching(/^P1kept/), expect.stringMatching(/^P2kept/), expect.stringMatching(/^P31 violation/)]);
    expect(await page.locator('#compliance tr.violation').allTextContents()).toEqual([expect.stringMatching(/^P3beta.*backup b-late-1 needs retired key version/)]);
    expect(await page.locator('#tenants tr[data-tenant]').count()).toBe(4);
    // The header shows the engine's (manual, frozen) clock as last read, and does not tick from the browser's.
    const clock = page.locator('header .clock');
    expect(await clock.textContent()).toBe('engine clock at last refresh: 2026-12-30 12:00:00 UTC');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await clock.textContent()).toBe('engine clock at last refresh: 2026-12-30 12:00:00 UTC');
    await page.screenshot({ path: join(ARTIFACTS, 'fleet.png'), fullPage: true });
  });

  it('opens the shredded tenant: its shred against the working-day calendar, key versions with their backups, certificate and events', async () => {
    await page.click('#tenants tr[data-tenant="acme"] a');
    await page.locator('.page.tenant[data-tenant="acme"]').waitFor();
    expect(new URL(page.url()).hash).toBe('#/tenants/acme');
    expect(await page.locator('.title-row .badge').textContent()).toBe('verified');

    // Wed 23 Dec is the trigger's day; Thu 24, Tue 29, Wed 30, Thu 31 Dec and Mon 4 Jan are counted;
    // Christmas, the weekends, the Boxing Day substitute and New Year's Day are skipped.
    await page.locator('.shred-timeline .day').first().waitFor();
    const days = await page.locator('.shred-timeline .day').evaluateAll((cells) => cells.map((c) => `${c.getAttribute('data-date')} ${c.getAttribute('data-role')}`));
    expect(days).toEqual([
      '2026-12-23 start',
      '2026-12-24 counted',
      '2026-12-25 skipped',
      '2026-12-26 skipped',
      '2026-12-27 skipped',
      '2026-12-28 skipped',
      '2026-12-29 counted',
      '2026-12-30 counted',
      '2026-12-31 counted',
      '2027-01-01 skipped',
      '2027-01-02 skipped',
      '2027-01-03 skipped',
      '2027-01-04 counted',
    ]);
    expect(await page.locator('.day[data-date="2026-12-25"] .day-note').textContent()).toBe('Christmas Day');
    expect(await page.locator('.day[data-date="2027-01-04"] .day-count').textContent()).toBe('5');
    const marks = async (date: string) => page.locator(`.day[data-date="${date}"] .mark`).evaluateAll((m) => m.map((x) => x.getAttribute('data-mark')));
    expect(await marks('2026-12-23')).toEqual(['effective']);
    expect(await marks('2026-12-29')).toEqual(['execute-at']);
    expect(await marks('2026-12-30')).toEqual(expect.arrayContaining(['executed', 'keys-destroyed', 'verified']));
    expect(await marks('2027-01-04')).toEqual(['deadline']);
    expect(await page.locator('.shred-timeline .note').count()).toBe(0);

    // Two key versions, both destroyed by the shred; the first is held by the full backup.
    await page.locator('#keys svg g.version').first().waitFor();
    expect(await page.locator('#keys svg g.version').count()).toBe(2);
    expect(await page.locator('#keys svg .mark-destroyed').count()).toBe(2);
    expect(await page.locator('#keys svg .protects').count()).toBeGreaterThanOrEqual(4);
    const rows = page.locator('#keys table.versions tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('.backup').allTextContents()).toEqual([expect.stringContaining('b-full-1')]);

    const certificate = (await e.api('GET', '/v1/tenants/acme/deletion-certificate', reader())).body;
    await page.locator('#certificate .verdict').waitFor();
    expect(await page.locator('#certificate .verdict').getAttribute('data-within-deadline')).toBe('true');
    expect(await page.locator('#certificate .facts').textContent()).toContain(certificate.certificate.certificateId);

    await page.locator('#events tr[data-type="ShredVerified"]').waitFor();
    const types = await page.locator('#events tr[data-type]').evaluateAll((r) => r.map((x) => x.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['TenantOnboarded', 'KeyRingOpened', 'BackupRecorded', 'ShredScheduled', 'KeyDestroyed', 'ShredVerified', 'DeletionCertificateIssued']));
    await page.screenshot({ path: join(ARTIFACTS, 'tenant.png'), fullPage: true });
  });

  it('shows a cancelled shred as cancelled (when, by whom), with no plan or deadline; a century of retention does not squeeze the key chart', async () => {
    await page.goto(`${origin}/console/#/tenants/delta`);
    await page.locator('.page.tenant[data-tenant="delta"]').waitFor();
    await page.locator('#shred .cancelled-by').waitFor();
    const facts = await page.locator('#shred .facts').textContent();
    expect(facts).toMatch(/Cancelled2026-12-22 10:00:00 UTC · by an operator/);
    expect(facts).not.toMatch(/planned|Deadline|left|overdue/);
    expect(await page.locator('#shred .countdown').count()).toBe(0);
    await page.locator('.shred-timeline .day').first().waitFor();
    const marks = await page.locator('.shred-timeline .mark').evaluateAll((m) => m.map((x) => x.getAttribute('data-mark')));
    // Cancelled on Tue 22 Dec, before the termination took effect (Wed 23 Dec): nothing was counted.
    const days = await page.locator('.shred-timeline .day').evaluateAll((cells) => cells.map((c) => `${c.getAttribute('data-date')} ${c.getAttribute('data-role')}`));
    expect(days).toEqual(['2026-12-22 before', '2026-12-23 start']);
    expect(marks).toContain('cancelled');
    expect(marks).not.toContain('execute-at');
    expect(marks).not.toContain('deadline');
    expect(await page.locator('.shred-timeline .note').count()).toBe(0);

    // The old version is retained until 2126: the chart stops at a horizon and says how far it goes.
    await page.locator('#keys svg g.version').first().waitFor();
    const beyond = page.locator('#keys svg .beyond');
    expect(await beyond.count()).toBe(1);
    expect(await beyond.locator('text').textContent()).toBe('until 2126-12-01 →');
    // The history (created 21 Dec, superseded 22 Dec) takes a visible share of the width, not a pixel.
    const active = await page.locator('#keys svg g.version').first().locator('rect.seg-active').boundingBox();
    expect(active!.width).toBeGreaterThan(20);
    // No two axis labels overlap, and none is cut at the edges.
    const labels = await page.locator('#keys svg .tick text').evaluateAll((t) => t.map((x) => { const r = x.getBoundingClientRect(); return { left: r.left, right: r.right, text: x.textContent }; }));
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < labels.length; i++) expect([labels[i - 1].text, labels[i].text, labels[i].left - labels[i - 1].right > 0]).toEqual([labels[i - 1].text, labels[i].text, true]);
    const chart = (await page.locator('#keys svg').boundingBox())!;
    expect(labels.every((l) => l.left >= chart.x && l.right <= chart.x + chart.width)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'tenant-cancelled.png'), fullPage: true });
  });

  it('shows the login screen again, saying why, once the engine refuses the kept token', async () => {
    await page.evaluate("sessionStorage.setItem('lethe.console.token', 'a-token-that-was-revoked-0123456789')");
    await page.goto(`${origin}/console/#/`);
    await page.locator('#login-error').waitFor();
    expect(await page.locator('#login-error').textContent()).toMatch(/401 unauthorized/);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
  });

  it('asked nothing of any other origin, broke no rule of its Content-Security-Policy, raised no page error', () => {
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(problems).toEqual([]);
    // The only refusals: the wrong token and role at the login, and the revoked token.
    // (The fleet page's reads run side by side, so their order varies.)
    expect(failed.slice(0, 2)).toEqual(['401 /v1/tenants', '403 /v1/tenants']);
    expect(failed.slice(2).sort()).toEqual(['401 /v1/compliance', '401 /v1/rejected-events', '401 /v1/shreds', '401 /v1/tenants']);
  });
});
