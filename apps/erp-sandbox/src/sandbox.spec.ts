import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from './sandbox';

/** The sandbox ERP on a state file: closed and started again, it still has what it had. */
describe('the sandbox ERP keeps its state in a file', () => {
  let dir: string;
  let file: string;
  let sandbox: RunningSandbox | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'erp-sandbox-state-'));
    file = join(dir, 'erp-sandbox.json');
  });

  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  const reopen = async () => {
    await sandbox?.close();
    sandbox = await startSandbox({ stateFile: file });
    return sandbox.url;
  };

  /** C-TEST does not ship by itself: the shipment is asked for, as the ship test wants. */
  const order = async (url: string, ref: string, qty: number) => {
    const r = await fetch(`${url}/api/sales-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerNo: 'C-TEST',
        externalReference: ref,
        customerPo: ref,
        lines: [{ lineNo: '1', itemNo: 'WID-BLUE', qty, price: 9.5 }],
      }),
    });
    return { status: r.status, ...((await r.json()) as { orderNo: string; created: boolean }) };
  };

  const stock = async (url: string) => {
    const r = await fetch(`${url}/api/stock?items=WID-BLUE`);
    const { stock: rows } = (await r.json()) as { stock: Array<{ qtyAvailable: number }> };
    return rows.reduce((n, s) => n + s.qtyAvailable, 0);
  };

  it('the same external ref gives back the same order, the next number is new, stock stays taken', async () => {
    let url = await reopen();
    const before = await stock(url);
    const first = await order(url, 'P1:PO-1', 30);
    expect(first).toMatchObject({ status: 201, created: true });
    // on disk before the answer: a kill -9 right after it loses nothing
    expect(readFileSync(file, 'utf8')).toContain(first.orderNo);

    url = await reopen();
    expect(await order(url, 'P1:PO-1', 30)).toEqual({ status: 200, orderNo: first.orderNo, created: false });
    const second = await order(url, 'P1:PO-2', 5);
    expect(second.created).toBe(true);
    expect(second.orderNo).not.toBe(first.orderNo);
    expect(Number(second.orderNo.slice(3))).toBeGreaterThan(Number(first.orderNo.slice(3)));
    expect(await stock(url)).toBe(before - 35);
  });

  it('keeps shipments and invoices: a shipment read after a restart is the one made before', async () => {
    let url = await reopen();
    const { orderNo } = await order(url, 'P1:PO-3', 2);
    const shipped = await fetch(`${url}/api/sales-orders/${orderNo}/ship`, { method: 'POST' });
    const { shipment } = (await shipped.json()) as { shipment: { shipmentNo: string } };

    url = await reopen();
    const read = await fetch(`${url}/api/sales-orders/${orderNo}/shipments`);
    expect(read.status).toBe(200);
    const { shipments } = (await read.json()) as { shipments: Array<{ shipmentNo: string }> };
    expect(shipments.map((s) => s.shipmentNo)).toEqual([shipment.shipmentNo]);
    const invoices = await fetch(`${url}/api/sales-orders/${orderNo}/invoices`);
    expect(((await invoices.json()) as { invoices: unknown[] }).invoices).toHaveLength(1);
    const next = await order(url, 'P1:PO-4', 2);
    const again = await fetch(`${url}/api/sales-orders/${next.orderNo}/ship`, { method: 'POST' });
    const { shipment: later } = (await again.json()) as { shipment: { shipmentNo: string } };
    expect(later.shipmentNo).not.toBe(shipment.shipmentNo);
  });

  it('/admin/reset empties the file too, and numbers still go on', async () => {
    let url = await reopen();
    const before = await stock(url);
    const { orderNo } = await order(url, 'P1:PO-5', 10);
    await fetch(`${url}/admin/reset`, { method: 'POST' });

    url = await reopen();
    expect(await stock(url)).toBe(before);
    expect((await fetch(`${url}/api/sales-orders/${orderNo}`)).status).toBe(404);
    const fresh = await order(url, 'P1:PO-5', 10);
    expect(fresh.created).toBe(true);
    expect(fresh.orderNo).not.toBe(orderNo);
  });

  it('orders after the first go to the journal beside the file, and come back after a restart; a line cut short by a kill is passed over', async () => {
    let url = await reopen();
    const before = await stock(url);
    const made = [];
    for (let k = 1; k <= 5; k++) made.push(await order(url, `P1:PO-J${k}`, 2));
    // the file whole once (the first order), then a line per order, each before its answer
    const journal = readFileSync(`${file}.journal`, 'utf8');
    expect(journal.trim().split('\n')).toHaveLength(4);
    for (const m of made.slice(1)) expect(journal).toContain(m.orderNo);
    writeFileSync(`${file}.journal`, journal + '{"generation":1,"order":{"orderNo":"SO-99');
    url = await reopen();
    for (const m of made)
      expect(await order(url, m.orderNo.replace(/.*/, `P1:PO-J${made.indexOf(m) + 1}`), 2)).toEqual({
        status: 200,
        orderNo: m.orderNo,
        created: false,
      });
    expect(await stock(url)).toBe(before - 10);
    // the next number follows the journal's last order, not the file's
    const next = await order(url, 'P1:PO-J6', 1);
    expect(Number(next.orderNo.slice(3))).toBe(Number(made[4]!.orderNo.slice(3)) + 1);
  });

  it('journal lines older than the file (a kill between its rename and the truncation) are not applied again', async () => {
    let url = await reopen();
    await order(url, 'P1:PO-G1', 1);
    await order(url, 'P1:PO-G2', 1);
    const stale = readFileSync(`${file}.journal`, 'utf8');
    url = await reopen(); // the restart's first order writes the file whole: generation + 1
    await order(url, 'P1:PO-G3', 1);
    const after = await stock(url);
    // were it applied, its stock would say 999,999 of every item the order took from
    const inflated = stale.replace(/"stock":\{[^}]*\}/, (m) => m.replace(/:-?\d+(\.\d+)?/g, ':999999'));
    expect(inflated).not.toBe(stale);
    writeFileSync(`${file}.journal`, inflated);
    url = await reopen();
    expect(await stock(url)).toBe(after);
  });

  it('a corrupt state file is an error naming the file, not an empty ERP', async () => {
    writeFileSync(file, '{"version":1,"stock":{');
    await expect(startSandbox({ stateFile: file })).rejects.toThrow(
      `${file} is not a readable sandbox state file`,
    );
    writeFileSync(file, JSON.stringify({ version: 1, stock: {}, orders: [{ orderNo: 7 }] }));
    await expect(startSandbox({ stateFile: file })).rejects.toThrow(
      `${file} is not a sandbox state file: orders.0.orderNo`,
    );
  });
});
