import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Running } from '../apps/api/src/bootstrap';
import { createPartner, sendEdi } from './helpers/admin';
import { PASSWORD, SHOTS, startConsoleRig, watchedPage, type ConsoleRig } from './helpers/console-browser';

/**
 * A supplier's 856s against our PO in a real browser (the built console, the service and the
 * sandbox ERP): the order thread page says of each whether it matched the order, names the
 * mismatch of the one held, and gives the ERP's goods receipt of the one handed over.
 */
const ADMIN = 'console-inbound-admin-token-012';
const FIXTURES = join(__dirname, '../fixtures/x12/inbound');

jest.setTimeout(90_000);

describe('a supplier 856 checked against our order, in Chromium', () => {
  let rig: ConsoleRig;
  let svc: Running;
  let supplier: { id: string; key: string };

  beforeAll(async () => {
    rig = await startConsoleRig(ADMIN);
    svc = rig.svc;
    supplier = await createPartner(svc.url, ADMIN, {
      name: 'Inbound Supply',
      isaId: 'INBOUNDSUP',
      erpCustomerId: 'V-SUP',
    });
  });

  afterAll(() => rig?.close());

  it('shows each 856 as held with its mismatch, or in the ERP with its receipt', async () => {
    const r = await fetch(`${svc.url}/v1/documents/850`, {
      method: 'POST',
      headers: { 'x-api-key': supplier.key, 'content-type': 'application/json' },
      body: JSON.stringify({
        purchaseOrder: {
          purpose: '00',
          type: 'SA',
          number: 'PO-IN-1',
          date: '2026-12-01',
          lines: [
            { lineNumber: '1', quantity: 12, unitOfMeasure: 'EA', unitPrice: 9.25, buyerPartNumber: 'B-1' },
            { lineNumber: '2', quantity: 10, unitOfMeasure: 'EA', unitPrice: 31, buyerPartNumber: 'B-2' },
          ],
        },
      }),
    });
    expect(r.status).toBe(201);
    for (const name of ['856-over-shipped.x12', '856-partial.x12'])
      await sendEdi(svc.url, supplier.key, readFileSync(join(FIXTURES, name), 'utf8'));
    // both checked: the ERP has the one goods receipt
    for (const end = Date.now() + 30_000; rig.erp.state.receipts.size < 1 && Date.now() < end;)
      await new Promise((ok) => setTimeout(ok, 100));
    const receipt = [...rig.erp.state.receipts.values()][0]!.receiptNo;

    const { context, page, errors } = await watchedPage(rig.browser);
    await page.goto(`${svc.url}/console/orders/${supplier.id}/PO-IN-1`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Order PO-IN-1' }).waitFor();
    const docs = page.getByRole('table', { name: 'Documents of order PO-IN-1' });
    await docs.getByRole('row', { name: /held/ }).waitFor();
    const held = await docs.getByRole('row', { name: /held/ }).textContent();
    expect(held).toContain('Held: does not match the order');
    expect(held).toContain('line 2 (B-2): shipped 12, ordered 10');
    const accepted = await docs.getByRole('row', { name: /accepted/ }).textContent();
    expect(accepted).toContain('Matches the order, in the ERP');
    expect(accepted).toContain(receipt);
    await page.screenshot({ path: join(SHOTS, 'order-thread-inbound.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
  it('an operator releases the held 856 to the ERP with a reason, and the thread shows it let through', async () => {
    const thread = (await (
      await fetch(`${svc.url}/v1/orders/PO-IN-1`, { headers: { 'x-api-key': supplier.key } })
    ).json()) as { documents: Array<{ id: string; setId: string; status: string }> };
    const held = thread.documents.find((d) => d.setId === '856' && d.status === 'held')!;
    const { context, page, errors } = await watchedPage(rig.browser);
    await page.goto(`${svc.url}/console/transactions/${held.id}`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Release to the ERP despite the mismatches' }).click();
    await page
      .getByLabel('Why it may go to the ERP despite the mismatches')
      .fill('the buyer takes the two extra B-2');
    await page.getByRole('button', { name: 'Release to the ERP', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Released to the ERP; the mismatches are kept as warnings.' })
      .waitFor();
    for (const end = Date.now() + 30_000; rig.erp.state.receipts.size < 2 && Date.now() < end;)
      await new Promise((ok) => setTimeout(ok, 100));
    expect(rig.erp.state.receipts.size).toBe(2);

    await page.goto(`${svc.url}/console/orders/${supplier.id}/PO-IN-1`);
    const docs = page.getByRole('table', { name: 'Documents of order PO-IN-1' });
    const released = docs.getByRole('row', { name: /mismatches let through/ });
    await released.waitFor();
    // the partial 856 came after this one, so the re-check does not count it as shipped before
    expect(await released.textContent()).toContain(
      'line 2 (B-2): shipped 12, ordered 10 (let through: released to the ERP by ada despite the mismatches: the buyer takes the two extra B-2)',
    );
    expect(await docs.getByRole('row', { name: /held/ }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'order-thread-released.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a resent 856 (same BSN02, new control numbers) held as a possible duplicate, naming the first', async () => {
    const text = readFileSync(join(FIXTURES, '856-over-shipped.x12'), 'utf8')
      .replace(/000000101/g, '000000108')
      .replace(/\*101([*~])/g, '*108$1');
    const [resent] = await sendEdi(svc.url, supplier.key, text);
    expect(resent!.status).toBe('held');
    const { context, page, errors } = await watchedPage(rig.browser);
    await page.goto(`${svc.url}/console/orders/${supplier.id}/PO-IN-1`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    const docs = page.getByRole('table', { name: 'Documents of order PO-IN-1' });
    const held = docs.getByRole('row', { name: /Held: possible duplicate/ });
    await held.waitFor();
    expect(await held.textContent()).toMatch(
      /shipment id \(BSN02\) SH-1 already received in a 856 \(transaction [0-9a-f-]{36}\)/,
    );
    // the released first 856 keeps its own outcome
    expect(await docs.getByRole('row', { name: /mismatches let through/ }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
