import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Running } from '../apps/api/src/bootstrap';
import type { RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner, sendEdi, sendPurchaseOrder, type OrderLine } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startWithSandbox, waitFor, type ServiceWithSandbox } from './helpers/service';
import { StaffClient } from './helpers/staff';

const ADMIN = 'inbound-admin-token-0123456789';
const STAFF_PASSWORD = 'inbound-staff-password-0123';
const FIXTURES = join(__dirname, '../fixtures/x12/inbound');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
/** Our PO-IN-1: line 1 twelve B-1 at 9.25, line 2 ten B-2 at 31. */
const PO_IN_1: OrderLine[] = [
  { lineNumber: '1', quantity: 12, unitPrice: 9.25, buyerPartNumber: 'B-1' },
  { lineNumber: '2', quantity: 10, unitPrice: 31, buyerPartNumber: 'B-2' },
];

type Issue = { code: string; severity: string; message: string };
type Tx = {
  id: string;
  setId: string;
  status: string;
  poNumber: string | null;
  erpRef: string | null;
  issues: Issue[];
};
type Thread = {
  documents: Array<{
    id: string;
    setId: string;
    direction: string;
    status: string;
    match?: { outcome: string; mismatches: string[]; receiptId?: string };
  }>;
  lines: Array<{ lineNumber: string; ordered: number; shipped: number; invoiced: number }>;
};

/**
 * We buy: our 850 goes to a supplier, whose 856s and 810s come back. Each is linked to the PO's
 * thread, checked against the PO and handed to the sandbox ERP, or held with its mismatches named.
 */
describe.each(databaseConfigs())('inbound 856 and 810 against our PO on %s', (_, makeConfig) => {
  let rig: ServiceWithSandbox | undefined;
  let svc: Running;
  let erp: RunningSandbox;
  let supplier: { id: string; key: string };
  /** Each fixture's transaction, as the receive stage left it. */
  const received: Record<string, Tx> = {};

  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(svc.url + path, { headers: { 'x-api-key': supplier.key } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  /** Posts one of our fixtures as the supplier; the transaction once the receive stage is done with it. */
  const receive = async (name: string): Promise<Tx> => {
    const [set] = await sendEdi(svc.url, supplier.key, fixture(name));
    expect(set!.status).toBe('receiving');
    return (received[name] = await leftReceiving(set!.id, supplier.key, name));
  };
  /** The transaction once it has left receiving. */
  const leftReceiving = (id: string, key: string, what: string): Promise<Tx> =>
    waitFor(async () => {
      const r = await fetch(`${svc.url}/v1/transactions/${id}`, { headers: { 'x-api-key': key } });
      if (!r.ok) throw new Error(`transaction ${id}: ${r.status} ${await r.text()}`);
      const tx = (await r.json()) as Tx;
      return tx.status !== 'receiving' && tx;
    }, `${what} to leave receiving`);

  beforeAll(async () => {
    rig = await startWithSandbox(makeConfig, {
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_ADMIN_USER: 'ada',
      EDI_ADMIN_PASSWORD: STAFF_PASSWORD,
    });
    ({ svc, erp } = rig);
    // the supplier's number in our ERP is its erpCustomerId (the vendor of its goods receipts)
    supplier = await createPartner(svc.url, ADMIN, { isaId: 'INBOUNDSUP', erpCustomerId: 'V-SUP' });
    // our PO to the supplier
    await sendPurchaseOrder(svc.url, supplier.key, 'PO-IN-1', PO_IN_1);
  });

  afterAll(() => rig?.stop());

  it('holds an 856 that ships more than was ordered, naming the line; nothing reaches the ERP', async () => {
    const tx = await receive('856-over-shipped.x12');
    expect([tx.status, tx.poNumber, tx.erpRef]).toEqual(['held', 'PO-IN-1', null]);
    expect(tx.issues).toEqual([
      { code: 'INBOUND_MISMATCH', severity: 'error', message: 'line 2 (B-2): shipped 12, ordered 10' },
    ]);
    expect(erp.state.receipts.size).toBe(0);
  });

  it('hands a correct 856 to the ERP once, retried after the sandbox spoils its first answer', async () => {
    await fetch(`${erp.url}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ answer: { mode: 'garbage', on: ['receipts'], times: 1 } }),
    });
    const tx = await receive('856-partial.x12');
    const receipts = [...erp.state.receipts.values()];
    expect(receipts).toHaveLength(1);
    expect(erp.state.receiptCalls).toBe(2); // the spoiled answer, then the retry that found it booked
    expect([tx.status, tx.erpRef]).toEqual(['accepted', receipts[0]!.receiptNo]);
    expect(receipts[0]).toMatchObject({
      vendorNo: 'V-SUP',
      poNumber: 'PO-IN-1',
      asnNo: 'SH-2',
      ssccs: ['000123450000000025'],
      lines: [
        { lineNo: '1', itemNo: 'B-1', qty: 12, uom: 'EA' },
        { lineNo: '2', itemNo: 'B-2', qty: 6, uom: 'EA' },
      ],
    });
  });

  it('holds an 810 that bills more than was shipped, naming the mismatch', async () => {
    const tx = await receive('810-over-shipment.x12');
    expect(tx.status).toBe('held');
    expect(tx.issues.map((i) => i.message)).toEqual(['line 2 (B-2): invoiced 10, shipped 6']);
    expect(erp.state.apInvoices.size).toBe(0);
  });

  it('hands a matching 810 to accounts payable, and the thread shows both ways and each outcome', async () => {
    const tx = await receive('810-matching.x12');
    const booked = [...erp.state.apInvoices.values()];
    expect(booked.map((b) => [b.vendorInvoiceNo, b.total, b.lines.map((l) => [l.qty, l.price])])).toEqual([
      [
        'INV-2',
        297,
        [
          [12, 9.25],
          [6, 31],
        ],
      ],
    ]);
    expect([tx.status, tx.erpRef]).toEqual(['accepted', booked[0]!.apInvoiceNo]);

    const thread = await get<Thread>('/v1/orders/PO-IN-1');
    const doc = (name: string) => thread.documents.find((d) => d.id === received[name]!.id)!;
    expect(thread.documents.filter((d) => d.setId === '850').map((d) => d.direction)).toEqual(['out']);
    expect(
      ['856-over-shipped', '856-partial', '810-over-shipment', '810-matching'].map((n) => {
        const d = doc(`${n}.x12`);
        return [d.setId, d.direction, d.status, d.match?.outcome];
      }),
    ).toEqual([
      ['856', 'in', 'held', 'mismatched'],
      ['856', 'in', 'accepted', 'matched'],
      ['810', 'in', 'held', 'mismatched'],
      ['810', 'in', 'accepted', 'matched'],
    ]);
    expect(doc('856-over-shipped.x12').match!.mismatches).toEqual(['line 2 (B-2): shipped 12, ordered 10']);
    expect(doc('810-matching.x12').match!.receiptId).toBe(booked[0]!.apInvoiceNo);
    // what was held does not count: shipped and invoiced are the accepted 856 and 810
    expect(thread.lines.map((l) => [l.lineNumber, l.ordered, l.shipped, l.invoiced])).toEqual([
      ['1', 12, 12, 12],
      ['2', 10, 6, 6],
    ]);
    // found by the 856's shipment id and the 810's invoice number too
    for (const q of ['invoice=INV-2', 'shipment=SH-1', 'sscc=000123450000000025', 'po=PO-IN-1'])
      expect(await get(`/v1/orders?${q}`)).toEqual({ items: [{ poNumber: 'PO-IN-1' }] });
  });

  it('holds an 810 for a PO this partner has no thread of, saying so', async () => {
    // a new interchange: another ISA13 and GS06, another PO and invoice number
    const text = fixture('810-matching.x12')
      .replace(/000000104/g, '000000199')
      .replace(/\*104([*~])/g, '*199$1')
      .replace(/PO-IN-1/g, 'PO-NONE')
      .replace(/INV-2/g, 'INV-9');
    const [set] = await sendEdi(svc.url, supplier.key, text);
    const tx = await leftReceiving(set!.id, supplier.key, 'the 810 for PO-NONE');
    expect([tx.status, tx.poNumber, tx.issues.map((i) => [i.code, i.message])]).toEqual([
      'held',
      'PO-NONE',
      [
        [
          'INBOUND_NO_PO',
          "no purchase order PO-NONE in this partner's threads: nothing to check the 810 against",
        ],
      ],
    ]);
    const thread = await get<Thread>('/v1/orders/PO-NONE');
    expect(thread.documents.map((d) => [d.setId, d.match?.outcome])).toContainEqual(['810', 'no_po']);
  });

  it('holds a second 810 with the same BIG02 (new control numbers) as a possible duplicate: the ERP is not called', async () => {
    const first = received['810-matching.x12']!;
    const calls = erp.state.receiptCalls;
    // the same invoice INV-2 in a new interchange: another ISA13, GS06 and ST02
    const text = fixture('810-matching.x12')
      .replace(/000000104/g, '000000105')
      .replace(/\*104([*~])/g, '*105$1')
      .replace(/ST\*810\*0001/, 'ST*810*0002')
      .replace(/SE\*8\*0001/, 'SE*8*0002');
    const [set] = await sendEdi(svc.url, supplier.key, text);
    const reason = `invoice number (BIG02) INV-2 already received in a 810 (transaction ${first.id})`;
    expect(set!.status).toBe('held');
    const tx = await get<Tx & { duplicateOf: string | null }>(`/v1/transactions/${set!.id}`);
    expect([tx.status, tx.erpRef, tx.duplicateOf]).toEqual(['held', null, reason]);
    received['810-resent'] = tx;
    const thread = await get<Thread>('/v1/orders/PO-IN-1');
    expect(thread.documents.find((d) => d.id === set!.id)!.match).toEqual({
      outcome: 'duplicate',
      mismatches: [],
      duplicateOf: reason,
    });
    // held does not count: still invoiced once
    expect(thread.lines.map((l) => [l.lineNumber, l.invoiced])).toEqual([
      ['1', 12],
      ['2', 6],
    ]);
    // held at translation: the receive stage never runs for it
    await new Promise((ok) => setTimeout(ok, 300));
    expect(erp.state.receiptCalls).toBe(calls);
    expect(erp.state.apInvoices.size).toBe(1);
  });

  it('staff reprocess the held resent 810 as genuine: it reaches the ERP, which books INV-2 only once', async () => {
    const staff = new StaffClient(svc.url);
    expect((await staff.signIn('ada', STAFF_PASSWORD)).status).toBe(200);
    const held = received['810-resent']!;
    const done = await staff.json<{ transactions: Array<{ id: string; status: string }> }>(
      'POST',
      `/v1/console/transactions/${held.id}/reprocess`,
      {},
    );
    // released: the new version skips the duplicate rules and goes to the receive stage
    expect(done.transactions.map((t) => t.status)).toEqual(['receiving']);
    const version = await leftReceiving(done.transactions[0]!.id, supplier.key, 'the released 810');
    const first = received['810-matching.x12']!;
    expect([version.status, (version as Tx & { duplicateOf: string }).duplicateOf]).toEqual([
      'held',
      `the ERP has this 810 already as ${first.erpRef} (transaction ${first.id}); nothing was handed over twice`,
    ]);
    expect(erp.state.apInvoices.size).toBe(1);
  });

  it('holds a second 856 with the same BSN02 as a possible duplicate, even of one held for its mismatches', async () => {
    const first = received['856-over-shipped.x12']!;
    const text = fixture('856-over-shipped.x12')
      .replace(/000000101/g, '000000106')
      .replace(/\*101([*~])/g, '*106$1');
    expect(text).not.toBe(fixture('856-over-shipped.x12'));
    const [set] = await sendEdi(svc.url, supplier.key, text);
    const tx = await get<Tx & { duplicateOf: string | null }>(`/v1/transactions/${set!.id}`);
    expect([tx.status, tx.duplicateOf]).toEqual([
      'held',
      `shipment id (BSN02) SH-1 already received in a 856 (transaction ${first.id})`,
    ]);
  });

  it('holds the second of two 810s with the same BIG02 in one file, naming the first', async () => {
    const [isa, gs, ...rest] = fixture('810-matching.x12')
      .replace(/000000104/g, '000000107')
      .replace(/\*104([*~])/g, '*107$1')
      .replace(/INV-2/g, 'INV-7')
      .split('~');
    const set = rest.slice(0, 8).join('~');
    const text = [isa, gs, set, set.replace(/\*0001/g, '*0002'), 'GE*2*107', 'IEA*1*000000107', ''].join('~');
    const [first, second] = await sendEdi(svc.url, supplier.key, text);
    expect(first!.status).toBe('receiving');
    const twin = await get<Tx & { duplicateOf: string | null }>(`/v1/transactions/${second!.id}`);
    expect([twin.status, twin.duplicateOf]).toEqual([
      'held',
      `invoice number (BIG02) INV-7 appears twice in this interchange (transaction ${first!.id})`,
    ]);
    await leftReceiving(first!.id, supplier.key, 'the first INV-7');
  });

  it('hands an over-shipping 856 over all the same for a partner whose rule accepts mismatches, noting them', async () => {
    const lenient = await createPartner(svc.url, ADMIN, {
      isaId: 'LENIENTSUP',
      erpCustomerId: 'V-LEN',
      rules: { onInboundMismatch: 'accept' },
    });
    await sendPurchaseOrder(svc.url, lenient.key, 'PO-IN-1', PO_IN_1);
    // the same fixture from another sender: its own thread of PO-IN-1
    const text = fixture('856-over-shipped.x12').replace(
      /INBOUNDSUP( *)/g,
      (_, pad: string) => `LENIENTSUP${pad}`,
    );
    const [set] = await sendEdi(svc.url, lenient.key, text);
    const tx = await leftReceiving(set!.id, lenient.key, "the lenient partner's 856");
    expect(tx.status).toBe('accepted');
    expect(erp.state.receipts.get(`${lenient.id}:SH-1:PO-IN-1`)?.receiptNo).toBe(tx.erpRef);
    expect(tx.issues).toEqual([
      {
        code: 'INBOUND_MISMATCH',
        severity: 'warning',
        message:
          "line 2 (B-2): shipped 12, ordered 10 (let through: the partner's onInboundMismatch is accept)",
      },
    ]);
  });
  it('staff release the held over-shipping 856 to the ERP, with a reason: received once, audited, in the thread', async () => {
    const staff = new StaffClient(svc.url);
    expect((await staff.signIn('ada', STAFF_PASSWORD)).status).toBe(200);
    const held = received['856-over-shipped.x12']!;
    const before = await staff.json<{ can: { release: boolean } }>(
      'GET',
      `/v1/console/transactions/${held.id}`,
    );
    expect(before.can.release).toBe(true);
    // a reason is required
    expect(
      (await staff.call('POST', `/v1/console/transactions/${held.id}/release`, { reason: ' ' })).status,
    ).toBe(400);
    const calls = erp.state.receiptCalls;
    const r = await staff.call('POST', `/v1/console/transactions/${held.id}/release`, {
      reason: 'the buyer agreed to take the two extra B-2',
    });
    expect([r.status, await r.json()]).toEqual([200, { id: held.id, status: 'receiving' }]);
    const tx = await leftReceiving(held.id, supplier.key, 'the released 856');
    const receipt = erp.state.receipts.get(`${supplier.id}:SH-1:PO-IN-1`);
    expect([tx.status, tx.erpRef]).toEqual(['accepted', receipt?.receiptNo]);
    expect(erp.state.receiptCalls - calls).toBe(1);
    expect(receipt!.lines.map((l) => [l.lineNo, l.qty])).toEqual([
      ['1', 12],
      ['2', 12],
    ]);
    const note =
      'released to the ERP by ada despite the mismatches: the buyer agreed to take the two extra B-2';
    // checked again when released: every mismatch found then is a warning naming the release (what
    // counts as shipped before it is the ship check's, not the release's, so only the line is asserted)
    expect(tx.issues[0]).toEqual({ code: 'STAFF_RELEASED', severity: 'warning', message: note });
    const warned = tx.issues.slice(1);
    expect(warned.map((i) => [i.code, i.severity, i.message.endsWith(` (let through: ${note})`)])).toEqual(
      warned.map(() => ['INBOUND_MISMATCH', 'warning', true]),
    );
    expect(warned.map((i) => i.message)).toContainEqual(
      expect.stringMatching(/^line 2 \(B-2\): shipped 1\d, ordered 10 /),
    );
    const detail = await staff.json<{
      can: { release: boolean };
      timeline: Array<{ action: string; actor: string; detail: Record<string, unknown> | null }>;
    }>('GET', `/v1/console/transactions/${held.id}`);
    expect(detail.can.release).toBe(false);
    expect(detail.timeline.filter((e) => e.action === 'console.released')).toEqual([
      {
        at: expect.any(String),
        action: 'console.released',
        actor: 'ada',
        detail: {
          reason: 'the buyer agreed to take the two extra B-2',
          mismatches: ['line 2 (B-2): shipped 12, ordered 10'],
        },
      },
    ]);
    const thread = await get<Thread>('/v1/orders/PO-IN-1');
    expect(thread.documents.find((d) => d.id === held.id)!.match).toEqual({
      outcome: 'accepted',
      mismatches: warned.map((i) => i.message),
      receiptId: receipt!.receiptNo,
      released: note,
    });

    // released once: a second click, or one not held at all, is refused and hands nothing over
    for (const id of [held.id, received['856-partial.x12']!.id]) {
      const again = await staff.call('POST', `/v1/console/transactions/${id}/release`, { reason: 'again' });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { message: string }).message).toBe(
        `transaction ${id} is accepted, not held: only a partner's 856 or 810 held for mismatches with its PO can be released to the ERP`,
      );
    }
    await new Promise((ok) => setTimeout(ok, 300));
    expect(erp.state.receiptCalls - calls).toBe(1);
  });
});
