import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErpError, HttpErpAdapter, sandboxJsonConfig, sandboxXmlConfig } from '@edi/erp';
import { startSandbox, type RunningSandbox } from './sandbox';

const asn = {
  externalRef: 'p1:SH-9:PO-9',
  partnerRef: 'V-ACME',
  poNumber: 'PO-9',
  shipmentId: 'SH-9',
  shippedAt: '2026-12-01',
  lines: [{ lineNumber: '1', product: 'WID-BLUE', quantity: 4, unitOfMeasure: 'EA' }],
  ssccs: ['000123456789012347'],
};
const invoice = {
  externalRef: 'p1:INV-9',
  partnerRef: 'V-ACME',
  poNumber: 'PO-9',
  invoiceNumber: 'INV-9',
  date: '2026-12-02',
  lines: [{ lineNumber: '1', product: 'WID-BLUE', quantity: 4, unitPrice: 9.25, unitOfMeasure: 'EA' }],
  total: 37,
};

/** A supplier's ship notice and invoice, through the http adapter's JSON and XML presets, into the sandbox. */
describe.each([
  ['json', sandboxJsonConfig],
  ['xml', sandboxXmlConfig],
])('goods receipts and AP invoices in the sandbox ERP (%s)', (_, preset) => {
  let sandbox: RunningSandbox;
  let erp: HttpErpAdapter;

  beforeAll(async () => {
    sandbox = await startSandbox({ stateFile: join(mkdtempSync(join(tmpdir(), 'erp-receipts-')), 's.json') });
    erp = new HttpErpAdapter(preset(sandbox.url));
  });
  afterAll(() => sandbox.close());

  it('books each once by its external reference, and keeps them across a restart', async () => {
    const first = await erp.receiveShipment(asn);
    expect(first).toEqual({ id: expect.stringMatching(/^GR-\d+$/), created: true });
    expect(await erp.receiveShipment(asn)).toEqual({ id: first.id, created: false });
    const ap = await erp.receiveInvoice(invoice);
    expect(ap).toEqual({ id: expect.stringMatching(/^AP-\d+$/), created: true });
    const booked = sandbox.state.apInvoices.get('p1:INV-9')!;
    expect([booked.vendorInvoiceNo, booked.lines[0]!.qty, booked.lines[0]!.price]).toEqual([
      'INV-9',
      4,
      9.25,
    ]);
    const file = sandbox.options.stateFile;
    await sandbox.close();
    sandbox = await startSandbox({ stateFile: file });
    erp = new HttpErpAdapter(preset(sandbox.url));
    expect(await erp.receiveInvoice(invoice)).toEqual({ id: ap.id, created: false });
    expect(sandbox.state.receipts.get('p1:SH-9:PO-9')?.lines[0]?.qty).toBe(4);
  });

  it('names the field when a receipt answer has no id (a fault), and refuses an ERP configured without the endpoint', async () => {
    await fetch(`${sandbox.url}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ answer: { mode: 'missingField', on: ['receipts'], times: 1 } }),
    });
    await expect(erp.receiveShipment({ ...asn, externalRef: 'p1:SH-10:PO-9' })).rejects.toThrow(
      /ERP receiveShipment answer: id: missing \(expected text\)/,
    );
    const config = preset(sandbox.url);
    delete config.endpoints.receiveInvoice;
    const e = await new HttpErpAdapter(config).receiveInvoice(invoice).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ErpError);
    expect([(e as ErpError).kind, (e as ErpError).message]).toEqual([
      'refused',
      'ERP receiveInvoice: the ERP configuration has no receiveInvoice endpoint',
    ]);
  });
});
