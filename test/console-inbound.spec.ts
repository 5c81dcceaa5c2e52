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
});
