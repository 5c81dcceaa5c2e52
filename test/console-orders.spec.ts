import { join } from 'node:path';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import { createPartner } from './helpers/admin';
import { PASSWORD, SHOTS, startConsoleRig, watchedPage, type ConsoleRig } from './helpers/console-browser';

/**
 * The needs-attention list and an order thread in a real browser (Debian's Chromium through
 * playwright-core), against the built console and the service with the sandbox ERP: a PO goes
 * 850 → 855 → 856 → 810, the partner rejects our 855 with a 997, the list says why, and the
 * thread page shows each document's acknowledgment and the line quantities.
 */
const ADMIN = 'console-orders-admin-token-0123';

jest.setTimeout(90_000);

describe('order thread and needs attention in Chromium', () => {
  let rig: ConsoleRig;
  let svc: Running;
  let partner: { id: string; key: string };

  const call = (path: string, body?: string) =>
    fetch(svc.url + path, { method: body ? 'POST' : 'GET', headers: { 'x-api-key': partner.key }, body });

  beforeAll(async () => {
    rig = await startConsoleRig(ADMIN);
    svc = rig.svc;
    partner = await createPartner(svc.url, ADMIN, {
      name: 'Thread Retail',
      isaId: 'BROWSERPART',
      erpCustomerId: 'C-DEMO',
      rules: { autoShip: true },
    });
  });

  afterAll(() => rig?.close());

  it('lists the rejected 855 with its reason and opens its order thread', async () => {
    const po = x12()
      .isa({ sender: 'BROWSERPART', receiver: 'DEMOSUPPLIER', control: '000000801' })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-BROWSER-1', '', '20261125')
      .seg('N1', 'ST', 'STORE 7', '92', '0007')
      .seg('PO1', '1', '12', 'EA', '9.25', '', 'BP', 'B-1001', 'UP', '012345678905')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    expect((await call('/v1/edi?wait=true', po)).status).toBeLessThan(300);
    type Thread = { documents: Array<{ id: string; setId: string; direction: string }> };
    let thread: Thread | undefined;
    for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((ok) => setTimeout(ok, 100))) {
      const r = await call('/v1/orders/PO-BROWSER-1').catch(() => undefined);
      if (r?.ok) thread = (await r.json()) as Thread;
      if (['855', '856', '810'].every((s) => thread?.documents.some((d) => d.setId === s))) break;
    }
    const ack = thread!.documents.find((d) => d.setId === '855')!;
    const sent = (await (await call(`/v1/transactions/${ack.id}`)).json()) as {
      groupControl: string;
      controlNumber: string;
    };
    const reject = x12()
      .isa({ sender: 'BROWSERPART', receiver: 'DEMOSUPPLIER', control: '000000802' })
      .gs({ functionalId: 'FA' })
      .st('997')
      .seg('AK1', 'PR', sent.groupControl)
      .seg('AK2', '855', sent.controlNumber)
      .seg('AK3', 'BAK', '2', '', '8')
      .seg('AK4', '2', '587', '7', 'AD')
      .seg('AK5', 'R', '5')
      .seg('AK9', 'R', '1', '1', '0')
      .se()
      .ge()
      .iea()
      .text();
    expect((await call('/v1/edi?wait=true', reject)).status).toBeLessThan(300);

    const { context, page, errors } = await watchedPage(rig.browser);
    await page.goto(`${svc.url}/console/attention`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Needs attention' }).waitFor();
    const row = page.getByRole('row', { name: /Rejected/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(
      "BAK02: Invalid code value ('AD'), in BAK (segment 2 of the set)",
    );
    expect(await row.textContent()).toContain('Thread Retail');
    await page.screenshot({ path: join(SHOTS, 'needs-attention.png'), fullPage: true });

    await row.getByRole('link', { name: 'PO-BROWSER-1' }).click();
    await page.getByRole('heading', { level: 1, name: 'Order PO-BROWSER-1' }).waitFor();
    const docs = page.getByRole('table', { name: 'Documents of order PO-BROWSER-1' });
    await docs.waitFor();
    expect(await docs.getByRole('row', { name: /^.*855/ }).textContent()).toMatch(/Rejected/);
    expect(await docs.getByRole('row', { name: /856/ }).first().textContent()).toMatch(/Pending/);
    const lines = page.getByRole('table', { name: 'Lines of order PO-BROWSER-1' });
    // line 1: 12 ordered, 12 accepted, none back-ordered or rejected, 12 shipped, 12 invoiced
    expect(await lines.getByRole('row').nth(1).locator('th, td').allTextContents()).toEqual([
      '1',
      'B-1001',
      '12',
      '12',
      '0',
      '0',
      '12',
      '12',
    ]);
    await page.screenshot({ path: join(SHOTS, 'order-thread.png'), fullPage: true });

    // resending from the list: the entry leaves it, the thread shows the new 855 pending
    await page.goto(`${svc.url}/console/attention`);
    await page
      .getByRole('row', { name: /Rejected/ })
      .getByRole('button', { name: 'Resend' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Resent under new control numbers.' }).waitFor();
    await page.getByText('Nothing needs attention.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
  it("marks a test-mode partner's PO TEST on the transaction list and its order thread, and a production one not", async () => {
    const tester = await createPartner(svc.url, ADMIN, {
      name: 'Trial Retail',
      isaId: 'BROWSERTEST',
      erpCustomerId: 'C-DEMO',
      mode: 'test',
    });
    const po = x12()
      .isa({ sender: 'BROWSERTEST', receiver: 'DEMOSUPPLIER', control: '000000901', usage: 'T' })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-BROWSER-T', '', '20261125')
      .seg('PO1', '1', '3', 'EA', '9.25', '', 'BP', 'B-1001', 'UP', '012345678905')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    const sent = await fetch(`${svc.url}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'x-api-key': tester.key },
      body: po,
    });
    expect(sent.status).toBeLessThan(300);

    const { context, page, errors } = await watchedPage(rig.browser);
    await page.goto(`${svc.url}/console/transactions`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    const list = page.getByRole('table', { name: 'Transactions' });
    const testRow = list.getByRole('row', { name: /850 .*PO-BROWSER-T/ });
    await testRow.waitFor();
    expect(await testRow.locator('.badge--test').textContent()).toBe('test');
    // the production partner's PO of the other test carries none
    const production = list.getByRole('row', { name: /850 .*PO-BROWSER-1/ });
    await production.waitFor();
    expect(await production.locator('.badge--test').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'transactions-test-badge.png'), fullPage: true });

    await page.goto(`${svc.url}/console/orders/${tester.id}/PO-BROWSER-T`);
    const title = page.getByRole('heading', { level: 1, name: /Order PO-BROWSER-T/ });
    await title.waitFor();
    await title.locator('.badge--test').waitFor();
    const docs = page.getByRole('table', { name: 'Documents of order PO-BROWSER-T' });
    const row850 = docs.getByRole('row', { name: /850/ });
    await row850.waitFor();
    expect(await row850.locator('.badge--test').textContent()).toBe('test');
    await page.screenshot({ path: join(SHOTS, 'order-thread-test-badge.png'), fullPage: true });

    await page.goto(`${svc.url}/console/orders/${partner.id}/PO-BROWSER-1`);
    await page.getByRole('heading', { level: 1, name: /Order PO-BROWSER-1/ }).waitFor();
    await page.getByRole('table', { name: 'Documents of order PO-BROWSER-1' }).waitFor();
    expect(await page.locator('.badge--test').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
