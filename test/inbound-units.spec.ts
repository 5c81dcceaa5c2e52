import type { Running } from '../apps/api/src/bootstrap';
import type { RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner, sendEdi, sendPurchaseOrder } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startWithSandbox, waitFor, type ServiceWithSandbox } from './helpers/service';

const ADMIN = 'inbound-units-admin-token-0123456789';

type Tx = {
  id: string;
  status: string;
  erpRef: string | null;
  duplicateOf: string | null;
  issues: Array<{ code: string; message: string }>;
};
/** One order level of a ship notice: its PO (PRF01), its carton's SSCC and its items (LIN, SN1). */
type Order = { po: string; sscc: string; items: Array<[line: string, part: string, qty: number]> };

/** A supplier's 856 (SOPI: a carton per order level), in its own interchange and group. */
function asn(sender: string, control: number, bsn02: string, orders: Order[], usage = 'P'): string {
  const sets: string[][] = [];
  const body: string[] = [`BSN*00*${bsn02}*20261202*0930`, 'HL*1**S', `TD1*CTN25*${orders.length}`];
  let hl = 1;
  for (const o of orders) {
    const order = ++hl;
    body.push(`HL*${order}*1*O`, `PRF*${o.po}`, `HL*${++hl}*${order}*P`, `MAN*GM*${o.sscc}`);
    const pack = hl;
    for (const [line, part, qty] of o.items)
      body.push(`HL*${++hl}*${pack}*I`, `LIN*${line}*BP*${part}`, `SN1**${qty}*EA`);
  }
  body.push(`CTT*${hl}`);
  sets.push(['ST*856*0001', ...body, `SE*${body.length + 2}*0001`]);
  const isa13 = String(control).padStart(9, '0');
  return [
    `ISA*00*          *00*          *ZZ*${sender.padEnd(15)}*ZZ*DEMOSUPPLIER   *261201*0930*U*00401*${isa13}*0*${usage}*>`,
    `GS*SH*${sender}*DEMOSUPPLIER*20261201*0930*${control}*X*004010`,
    ...sets.flat(),
    `GE*${sets.length}*${control}`,
    `IEA*1*${isa13}`,
    '',
  ].join('~');
}

/** The fixes of the receive stage: each PO of a ship notice received on its own. */
describe.each(databaseConfigs())('inbound 856s received per PO on %s', (_, makeConfig) => {
  let rig: ServiceWithSandbox | undefined;
  let svc: Running;
  let erp: RunningSandbox;
  let supplier: { id: string; key: string };

  const settled = (key: string, id: string): Promise<Tx> =>
    waitFor(async () => {
      const r = await fetch(`${svc.url}/v1/transactions/${id}`, { headers: { 'x-api-key': key } });
      const tx = (await r.json()) as Tx;
      return tx.status !== 'receiving' && tx;
    }, `transaction ${id} to leave receiving`);
  const order = (key: string, number: string, lines: Array<[string, string, number]>) =>
    sendPurchaseOrder(
      svc.url,
      key,
      number,
      lines.map(([lineNumber, part, quantity]) => ({
        lineNumber,
        quantity,
        unitPrice: 2,
        buyerPartNumber: part,
      })),
    );

  beforeAll(async () => {
    rig = await startWithSandbox(makeConfig, { EDI_ADMIN_TOKEN: ADMIN });
    ({ svc, erp } = rig);
    supplier = await createPartner(svc.url, ADMIN, { isaId: 'UNITSSUP', erpCustomerId: 'V-UNITS' });
    await order(supplier.key, 'PO-A', [['1', 'A-1', 5]]);
    await order(supplier.key, 'PO-B', [['1', 'B-1', 3]]);
    await order(supplier.key, 'PO-C', [['1', 'C-1', 3]]);
  });

  afterAll(() => rig?.stop());

  it('hands a ship notice of two POs over as a goods receipt per PO, each with its own lines and carton', async () => {
    const [set] = await sendEdi(
      svc.url,
      supplier.key,
      asn('UNITSSUP', 201, 'SH-M1', [
        { po: 'PO-A', sscc: '00000123450000000100', items: [['1', 'A-1', 2]] },
        { po: 'PO-B', sscc: '00000123450000000117', items: [['1', 'B-1', 3]] },
      ]),
    );
    const tx = await settled(supplier.key, set!.id);
    const a = erp.state.receipts.get(`${supplier.id}:SH-M1:PO-A`);
    const b = erp.state.receipts.get(`${supplier.id}:SH-M1:PO-B`);
    expect([tx.status, tx.erpRef]).toEqual(['accepted', `${a?.receiptNo} ${b?.receiptNo}`]);
    expect(
      [a!, b!].map((r) => [r.poNumber, r.ssccs, r.lines.map((l) => [l.lineNo, l.itemNo, l.qty])]),
    ).toEqual([
      ['PO-A', ['000123450000000100'], [['1', 'A-1', 2]]],
      ['PO-B', ['000123450000000117'], [['1', 'B-1', 3]]],
    ]);
  });

  it('holds a ship notice whose second PO is over-shipped, naming that PO; none of its POs is handed over', async () => {
    const before = erp.state.receipts.size;
    const [set] = await sendEdi(
      svc.url,
      supplier.key,
      asn('UNITSSUP', 202, 'SH-M2', [
        { po: 'PO-A', sscc: '00000123450000000124', items: [['1', 'A-1', 1]] },
        { po: 'PO-C', sscc: '00000123450000000131', items: [['1', 'C-1', 4]] },
      ]),
    );
    const tx = await settled(supplier.key, set!.id);
    expect([tx.status, tx.erpRef, tx.issues.map((i) => [i.code, i.message])]).toEqual([
      'held',
      null,
      [['INBOUND_MISMATCH', 'PO PO-C: line 1 (C-1): shipped 4, ordered 3']],
    ]);
    expect(erp.state.receipts.size).toBe(before);
    // each PO's thread names its own mismatches only: PO-A's lines agreed, it is held with PO-C
    const matchIn = async (po: string) => {
      const r = await fetch(`${svc.url}/v1/orders/${po}`, { headers: { 'x-api-key': supplier.key } });
      const thread = (await r.json()) as { documents: Array<{ id: string; match?: object }> };
      return thread.documents.find((d) => d.id === set!.id)?.match;
    };
    expect(await matchIn('PO-C')).toEqual({
      outcome: 'mismatched',
      mismatches: ['PO PO-C: line 1 (C-1): shipped 4, ordered 3'],
    });
    expect(await matchIn('PO-A')).toEqual({ outcome: 'mismatched', mismatches: [] });
  });

  it("holds a test partner's resent 856 (the same BSN02) as a possible duplicate: no second dry-run receipt", async () => {
    const tester = await createPartner(svc.url, ADMIN, {
      isaId: 'UNITSTEST',
      erpCustomerId: 'V-T',
      mode: 'test',
    });
    await order(tester.key, 'PO-T', [['1', 'T-1', 5]]);
    const ship = (control: number) =>
      asn(
        'UNITSTEST',
        control,
        'SH-T1',
        [{ po: 'PO-T', sscc: '00000123450000000148', items: [['1', 'T-1', 2]] }],
        'T',
      );
    const [first] = await sendEdi(svc.url, tester.key, ship(301));
    const received = await settled(tester.key, first!.id);
    expect([received.status, received.erpRef?.startsWith('DRYRUN-')]).toEqual(['accepted', true]);
    // the same ship notice again under new control numbers: nothing is received twice
    const [again] = await sendEdi(svc.url, tester.key, ship(302));
    // held at translation, before the receive stage (and the dry-run ERP) sees it
    expect(again!.status).toBe('held');
    const resent = await settled(tester.key, again!.id);
    expect([resent.status, resent.erpRef, resent.duplicateOf]).toEqual([
      'held',
      null,
      `shipment id (BSN02) SH-T1 already received in a 856 (transaction ${received.id})`,
    ]);
    expect([...erp.state.receipts.keys()].filter((k) => k.startsWith(tester.id))).toEqual([]);
  });
});
