import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner } from './helpers/admin';
import { purchaseOrder } from './helpers/po-stream';

const ADMIN = 'erp-recovery-admin-token-0123456789';
const OUTAGE_MS = 15_000;
/** The circuit's half-open wait (5 s) and the work itself: not the 15–45 s backoff a PO has grown by then. */
const BACK_WITHIN_MS = 8_000;

jest.setTimeout(90_000);

/**
 * While the ERP is down its circuit is open and each PO's try fails at once, so its backoff
 * doubles up to 30 s (±50%). Once the ERP is back the POs must not sit that out: seen as POs left
 * in erp_pending for a minute after a restart whose ERP came up late.
 */
describe('POs waiting on a downed ERP, embedded', () => {
  let erp: RunningSandbox;
  let svc: Running;

  beforeAll(async () => {
    erp = await startSandbox({});
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-erp-recovery-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_ERP_URL: erp.url,
      }),
      { logger: false },
    );
  });

  afterAll(async () => {
    await svc?.close();
    await erp?.close();
  });

  const pending = async (key: string) => {
    const r = await fetch(`${svc.url}/v1/transactions?set=850&direction=in&status=erp_pending&limit=500`, {
      headers: { 'x-api-key': key },
    });
    return ((await r.json()) as { items: unknown[] }).items.length;
  };

  it('go on within the half-open wait of the ERP coming back, not after their grown backoff', async () => {
    const p = await createPartner(svc.url, ADMIN, { isaId: 'DEMOPARTNER', erpCustomerId: 'C-TEST' });
    erp.state.faults.down = true;
    for (let n = 1; n <= 12; n++) {
      const r = await fetch(`${svc.url}/v1/edi?wait=true`, {
        method: 'POST',
        headers: { 'x-api-key': p.key },
        body: purchaseOrder(n),
      });
      expect(r.status).toBe(202);
    }
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    expect(await pending(p.key)).toBe(12);
    erp.state.faults.down = false;
    const back = Date.now();
    while ((await pending(p.key)) > 0 && Date.now() - back < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(await pending(p.key)).toBe(0);
    expect(Date.now() - back).toBeLessThan(BACK_WITHIN_MS);
    expect(erp.state.orders.size).toBe(12);
  });
});
