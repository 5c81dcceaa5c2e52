import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { StaffAccounts } from '@edi/auth';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { createPartner, sendEdi } from './helpers/admin';
import { PASSWORD, SHOTS, startConsoleRig, watchedPage, type ConsoleRig } from './helpers/console-browser';
import { CORPUS_PARTNER, damagedCorpus850 } from './helpers/staff';

/**
 * The staff console in a real browser (Debian's Chromium, driven by playwright-core), against the
 * built console and the real service with the sandbox ERP: a rejected corpus 850 found, read,
 * fixed and resubmitted until its 855 is there; what a viewer may not do; a session that expires.
 * Screenshots of the main pages go to test-artifacts/console/.
 */
const ADMIN_TOKEN = 'console-browser-admin-token-0123';

jest.setTimeout(60_000);

describe('staff console in Chromium', () => {
  let rig: ConsoleRig;
  let svc: Running;
  let partner: { id: string; key: string };
  let isa13 = 900;

  /** Posts a file as the partner and returns its first transaction. */
  const post = async (text: string) => (await sendEdi(svc.url, partner.key, text))[0]!;

  /** A fresh browser profile; axe-core is injected later, so the page's CSP is bypassed for the test only. */
  const newPage = () => watchedPage(rig.browser, { bypassCSP: true });

  /** Signs in with the keyboard only: Tab between the fields, Enter to submit. */
  const signIn = async (page: Page, username: string, url = svc.url) => {
    await page.goto(`${url}/console/`);
    await page.getByLabel('Username').focus();
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    expect(
      await page.getByLabel('Password').evaluate((el) => el === (globalThis as any).document.activeElement),
    ).toBe(true);
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  };

  /** axe-core's serious and critical findings on the page as it is now. */
  const accessibility = async (page: Page) => {
    await page.addScriptTag({ path: require.resolve('axe-core') });
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(o?: object): Promise<any> } }).axe;
      const r = await axe.run({ resultTypes: ['violations'] });
      return r.violations
        .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
        .map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
    });
    return result as string[];
  };

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    rig = await startConsoleRig(ADMIN_TOKEN);
    svc = rig.svc;
    await new StaffAccounts(svc.dataSource).create({
      username: 'vic',
      name: 'Vic Viewer',
      role: 'viewer',
      password: PASSWORD,
    });
    partner = await createPartner(svc.url, ADMIN_TOKEN, CORPUS_PARTNER);
  });

  afterAll(() => rig?.close());

  it('finds a rejected corpus 850, shows the bad element, and a fixed resubmission is accepted with its 855', async () => {
    // some history for the dashboard: accepted POs and the broken one
    for (const po of ['OK-1', 'OK-2']) await post(damagedCorpus850(isa13++, po).good);
    const rejected = await post(damagedCorpus850(isa13++, 'BROKEN-1').bad);
    expect(rejected.status).toBe('rejected');

    const { context, page, errors: pageErrors } = await newPage();
    await signIn(page, 'ada');
    await page.getByText('rejected').first().waitFor();
    const byPartner = page.locator('section', {
      has: page.getByRole('heading', { name: 'Documents by partner' }),
    });
    expect(await byPartner.getByRole('row', { name: /Peps Ridgefield/ }).textContent()).toMatch(
      /^Peps Ridgefield\s*[3-5]\s*1$/,
    );
    expect(await accessibility(page)).toEqual([]);
    await shot(page, '1-dashboard');
    // one partner's figures, chosen from the dashboard; its problems link lists what needs review
    await page.getByRole('combobox', { name: 'Partner' }).selectOption({ label: 'Peps Ridgefield' });
    await page.waitForURL(/\/console\/\?partner=/);
    const errors = page.locator('section', {
      has: page.getByRole('heading', { name: 'Partners with errors' }),
    });
    await errors.getByRole('link', { name: 'Peps Ridgefield' }).click();
    await page.getByRole('heading', { level: 1, name: 'Transactions' }).waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('rejected,failed,held');
    await page.getByRole('link', { name: '850 4567' }).waitFor();
    expect(await page.getByRole('row').count()).toBe(2);

    // the list, filtered by keyboard: Status = rejected, Enter
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Transactions' }).waitFor();
    await page.getByLabel('Status').selectOption('rejected');
    await page.getByLabel('PO number').focus();
    await page.keyboard.type('BROKEN-1');
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: '850 4567' });
    await link.waitFor();
    expect(await page.getByRole('row').count()).toBe(2); // the header and the one match
    expect(await accessibility(page)).toEqual([]);
    await shot(page, '2-transactions');

    await link.click();
    await page.getByRole('heading', { level: 1, name: /850 4567/ }).waitFor();
    // the failing element is highlighted inside its segment, and the reason is in words
    const mark = page.locator('.segment--error mark.element-error');
    await mark.waitFor();
    expect(await mark.textContent()).toBe('SIX');
    expect(await page.locator('.segment--error').count()).toBe(1);
    expect(await page.locator('.segment--error').textContent()).toContain('PO1**SIX*EA*12**CB*17920108');
    const problems = page.locator('section', { has: page.getByRole('heading', { name: 'Problems' }) });
    expect(await problems.textContent()).toContain("element PO102 'SIX' must be a decimal number");
    expect(await accessibility(page)).toEqual([]);
    await shot(page, '3-transaction-rejected');
    // the first screenful, as the README shows it (docs/console-transaction.png)
    await page.screenshot({ path: join(SHOTS, 'readme-transaction.png') });

    // fix it in the X12 editor and resubmit
    await page.getByRole('button', { name: 'Edit X12' }).click();
    const editor = page.getByLabel('X12', { exact: true });
    const x12 = await editor.inputValue();
    expect(x12).toContain('PO1**SIX*EA');
    await editor.fill(x12.replace('PO1**SIX*', 'PO1**6*'));
    await shot(page, '4-transaction-editing');
    await page.getByRole('button', { name: 'Resubmit' }).click();
    await page.getByRole('status').filter({ hasText: 'Resubmitted as a new version' }).waitFor();
    expect(await page.locator('.timeline').textContent()).toMatch(/ada\s*resubmitted as a new version/);
    await page.getByRole('heading', { level: 1, name: /850 4567/ }).waitFor();
    expect(page.url()).not.toContain(rejected.id);

    // the new version goes through the ERP by itself; the page follows until the 855 is there
    const answers = page.locator('section', {
      has: page.getByRole('heading', { name: 'Acknowledgments and answers' }),
    });
    await answers.getByText('855').first().waitFor({ timeout: 20_000 });
    await page.getByRole('heading', { level: 1 }).getByText('accepted').waitFor({ timeout: 20_000 });
    expect(await page.locator('.segment--error').count()).toBe(0);
    expect(await answers.textContent()).toMatch(/Resubmitted from/);
    await shot(page, '5-transaction-accepted');

    // the original is kept, superseded, and says who did it
    await answers.getByRole('link', { name: /Resubmitted from/ }).click();
    await page.getByRole('heading', { level: 1 }).getByText('superseded').waitFor();
    const timeline = page.locator('section', { has: page.getByRole('heading', { name: 'Timeline' }) });
    expect(await timeline.textContent()).toMatch(/ada/);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('a viewer sees a rejected transaction but is offered nothing to change', async () => {
    const tx = await post(damagedCorpus850(isa13++, 'VIEWER-1').bad);
    const { context, page } = await newPage();
    await signIn(page, 'vic');
    await page.goto(`${svc.url}/console/transactions/${tx.id}`);
    await page.getByRole('heading', { level: 1, name: /850 4567/ }).waitFor();
    await page.locator('mark.element-error').waitFor();
    await page.getByText(/your role \(viewer\) cannot change it/).waitFor();
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).count(),
    ).toBe(0);
    for (const name of ['Reprocess', 'Edit X12', 'Edit JSON', 'Resolve'])
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    // and the API behind it says no as well, with the browser's own session and CSRF token
    const status = await page.evaluate(async (id) => {
      const me = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
      const r = await fetch(`/v1/console/transactions/${id}/reprocess`, {
        method: 'POST',
        headers: { 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' },
        body: '{}',
      });
      return r.status;
    }, tx.id);
    expect(status).toBe(403);
    await context.close();
  });

  it('an admin issues a partner key, shown once, and adds a staff member', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'ada');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' }).click();
    await page.getByRole('link', { name: 'Peps Ridgefield' }).click();
    await page.getByRole('heading', { level: 1, name: 'Peps Ridgefield' }).waitFor();
    await page.getByLabel('Key label').fill('warehouse system');
    await page.getByRole('button', { name: 'Issue key' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'New API key' });
    await shown.waitFor();
    const key = (await shown.locator('code').textContent())!.trim();
    expect(key).toMatch(/^edi_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
    const use = await fetch(`${svc.url}/v1/transactions`, { headers: { 'x-api-key': key } });
    expect(use.status).toBe(200);
    expect(await accessibility(page)).toEqual([]);
    await shot(page, '6-partner');

    // and staff: a new operator, who can sign in; then made a viewer
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await page.getByLabel('Username').fill('otto');
    await page.getByLabel('Name', { exact: true }).fill('Otto Operator');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByLabel('First password').fill('a first password to hand over');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('status').filter({ hasText: 'otto added as operator' }).waitFor();
    const otto = await fetch(`${svc.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'otto', password: 'a first password to hand over' }),
    });
    expect(otto.status).toBe(200);
    await page.getByLabel('Role of otto').selectOption('viewer');
    // it ends otto's sessions, so it is asked for first
    const dialog = page.getByRole('dialog', { name: 'Make otto a viewer?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').filter({ hasText: 'otto is now viewer' }).waitFor();
    expect(await accessibility(page)).toEqual([]);
    await shot(page, '8-staff');
    await context.close();
  });

  it('a session that sits idle expires, and the console asks to sign in again', async () => {
    const short = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-console-idle-')),
        EDI_ADMIN_USER: 'ada',
        EDI_ADMIN_PASSWORD: PASSWORD,
        EDI_SESSION_IDLE_SECONDS: '2',
        EDI_ERP_SANDBOX_PORT: '0',
      }),
      { logger: false },
    );
    try {
      const { context, page } = await newPage();
      await signIn(page, 'ada', short.url);
      await new Promise((r) => setTimeout(r, 3_000));
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Transactions' })
        .click();
      await page.getByText(/session has expired/).waitFor();
      await page.getByLabel('Username').waitFor();
      await shot(page, '7-session-expired');
      // the cookie is gone for the server too: nothing opens with it
      const cookies = await context.cookies();
      const r = await fetch(`${short.url}/v1/console/transactions`, {
        headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      });
      expect(r.status).toBe(401);
      await context.close();
    } finally {
      await short.close();
    }
  });
});
