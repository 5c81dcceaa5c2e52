import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EdiEvent, OutboundDocument, TradingPartner } from '@edi/persistence';
import { OutboundPolicy } from '@edi/transport';
import type { DataSource } from 'typeorm';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { webhookSignature } from '../deliver/deliver.stage';
import { Metrics } from '../metrics';
import type { Pipeline } from '../pipeline';
import { shipNotice } from '../ship/ship.stage';
import { EventDelivery } from './event-delivery';
import { AckOverdueSweep } from './overdue-sweep';
import { reconcileRig, reconciledOf, type ReconcileRig } from '../../../../test/helpers/reconcile-rig';
let clockAt = new Date('2026-11-25T09:30:00Z');
const clock = () => clockAt;

/** An 855 as the ERP stage writes it: two lines, the second one back-ordered. */
const ACK_855 = {
  purpose: '00',
  type: 'AC',
  purchaseOrderNumber: 'PO-1001',
  purchaseOrderDate: '2026-11-25',
  date: '2026-11-25',
  lines: [
    { lineNumber: '1', quantity: 10, unitOfMeasure: 'EA', unitPrice: 9.25, buyerPartNumber: 'SKU1' },
    { lineNumber: '2', quantity: 5, unitOfMeasure: 'EA', unitPrice: 4.5, buyerPartNumber: 'SKU2' },
  ],
  totals: { lineCount: 2 },
};

/** What the partner sends back: a functional group of one 997 (or 999) about our group. */
function functionalAck(
  isa13: string,
  body: (b: ReturnType<typeof x12>) => ReturnType<typeof x12>,
  set: '997' | '999' = '997',
): Buffer {
  const version = set === '999' ? '005010X231' : '004010';
  const b = x12({ version: set === '999' ? '00501' : '00401' })
    .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: isa13 })
    .gs({ functionalId: 'FA', version })
    .st(set, '0001', ...(set === '999' ? ['005010X231'] : []));
  return body(b).se().ge().iea().build();
}

/** The end of a 997 that accepts its one set, and of one that rejects it. */
const ACCEPTED = ['AK5*A', 'AK9*A*1*1*1'];
const REJECTED = ['AK5*R*5', 'AK9*R*1*1*0'];

describe.each(databaseConfigs())('acknowledgment reconciliation on %s', (_, makeConfig) => {
  let rig: ReconcileRig;
  let ds: DataSource;
  let pipeline: Pipeline;
  let partner: TradingPartner;
  let isa = 500;
  const nextIsa = () => String(++isa).padStart(9, '0');

  beforeAll(async () => {
    clockAt = new Date('2026-11-25T09:30:00Z');
    rig = await reconcileRig(makeConfig, clock, { ackOverdueSecondsBySet: { '856': 14_400 } });
    ({ ds, pipeline, partner } = rig);
  });

  afterAll(() => rig?.close());

  /** Sends an 855 and returns its outbound row with the numbers a 997 names it by. */
  async function send855() {
    const { document, transaction } = await pipeline.send(partner, {
      transactionSet: '855',
      document: ACK_855,
    });
    return { document, gs06: transaction.groupControl, st02: transaction.controlNumber };
  }
  type Sent = Awaited<ReturnType<typeof send855>>;

  /** The partner's file, posted and waited for: translated, and matched to what we sent. */
  const answer = (file: Buffer) => pipeline.submit(partner, file, 'http', { wait: true });

  /** A 997 about one 855 we sent: AK1 and AK2 name it, then `segments` as X12 (AK3/AK4, AK5, AK9). */
  const ackOf = (sent: Sent, ...segments: string[]) =>
    functionalAck(nextIsa(), (b) =>
      segments.reduce(
        (x, text) => {
          const [id, ...elements] = text.split('*');
          return x.seg(id!, ...elements);
        },
        b.seg('AK1', 'PR', sent.gs06).seg('AK2', '855', sent.st02),
      ),
    );

  const docOf = (id: string) => ds.getRepository(OutboundDocument).findOneByOrFail({ id });
  const eventsOf = (id: string) => ds.getRepository(EdiEvent).findBy({ documentId: id });

  it('starts each business document pending, due at the end of its window', async () => {
    const { document } = await send855();
    expect(await docOf(document.id)).toMatchObject({
      ackStatus: 'pending',
      ackDueAt: '2026-11-26T09:30:00.000Z', // a day: the default window
    });
  });

  it('a 997 accepting our 855 (AK2, AK5 A) makes it accepted', async () => {
    const sent = await send855();
    const r = await answer(ackOf(sent, ...ACCEPTED));
    expect(reconciledOf(r)).toEqual([
      { kind: '997', answers: sent.document.controlNumber, documentId: sent.document.id, status: 'accepted' },
    ]);
    expect(await docOf(sent.document.id)).toMatchObject({
      ackStatus: 'accepted',
      ackAt: '2026-11-25T09:30:00.000Z',
      ackReasons: null,
    });
  });

  it('a 997 with only AK1 and AK9 A answers every set of the group', async () => {
    const sent = await send855();
    await answer(
      functionalAck(nextIsa(), (b) => b.seg('AK1', 'PR', `00000${sent.gs06}`).seg('AK9', 'A', '1', '1', '1')),
    );
    expect((await docOf(sent.document.id)).ackStatus).toBe('accepted');
  });

  it('a 997 partly accepting (AK5 E) keeps the errors it noted, in words, at our segment', async () => {
    const sent = await send855();
    await answer(ackOf(sent, 'AK3*PO1*4**8', 'AK4*4*212*4*4.5', 'AK5*E', 'AK9*E*1*1*1'));
    const doc = await docOf(sent.document.id);
    expect(doc.ackStatus).toBe('accepted_with_errors');
    expect(doc.ackReasons).toEqual([
      {
        code: '4',
        message: "PO104: Data element too short ('4.5'), in PO1 (segment 4 of the set)",
        segmentId: 'PO1',
        position: 4,
        element: 4,
        badValue: '4.5',
        segment: expect.stringMatching(/^PO1\*2\*5\*EA\*4\.5\*/),
      },
    ]);
  });

  it('a 997 rejecting our 855 says why and raises a rejected event', async () => {
    const sent = await send855();
    await answer(ackOf(sent, 'AK3*BAK*2**8', 'AK4*2*587*7*AC', 'AK3*ZZZ*5**1', ...REJECTED));
    const doc = await docOf(sent.document.id);
    expect(doc.ackStatus).toBe('rejected');
    expect(doc.ackReasons!.map((x) => x.message)).toEqual([
      "BAK02: Invalid code value ('AC'), in BAK (segment 2 of the set)",
      'ZZZ (segment 5 of the set): Unrecognized segment ID',
      'One or more segments in error',
    ]);
    expect(doc.ackReasons![0]!.segment).toMatch(/^BAK\*00\*AC\*PO-1001\*/);
    const [event] = await eventsOf(sent.document.id);
    expect(event).toMatchObject({ type: 'ack.rejected', status: 'pending' });
    expect(JSON.parse(event!.payload)).toMatchObject({
      type: 'ack.rejected',
      partner: { id: partner.id, name: 'Demo' },
      document: { id: sent.document.id, setId: '855', poNumber: 'PO-1001', test: false },
      ack: { status: 'rejected', reasons: expect.arrayContaining([expect.objectContaining({ code: '7' })]) },
    });
  });

  it('a 999 for a 5010 partner: IK3/IK4 reasons in words, IK5 R rejects', async () => {
    await ds.getRepository(TradingPartner).update({ id: partner.id }, { x12Version: '005010' });
    partner.x12Version = '005010';
    try {
      const sent = await send855();
      await answer(
        functionalAck(
          nextIsa(),
          (b) =>
            b
              .seg('AK1', 'PR', sent.gs06, '005010')
              .seg('AK2', '855', sent.st02)
              .seg('IK3', 'PO1', '4', '', '8')
              .seg('IK4', '3', '355', 'I6', 'EA')
              .seg('IK5', 'R', 'I5')
              .seg('AK9', 'R', '1', '1', '0'),
          '999',
        ),
      );
      const doc = await docOf(sent.document.id);
      expect(doc.ackStatus).toBe('rejected');
      expect(doc.ackReasons!.map((x) => x.message)).toEqual([
        "PO103: Code value not used in implementation ('EA'), in PO1 (segment 4 of the set)",
        'Implementation one or more segments in error',
      ]);
      expect(doc.ackAnswers).toEqual([expect.objectContaining({ kind: '999', status: 'rejected' })]);
    } finally {
      await ds.getRepository(TradingPartner).update({ id: partner.id }, { x12Version: '004010' });
      partner.x12Version = '004010';
    }
  });

  it('a TA1 for our interchange: TA104 R rejects the document with the note in words', async () => {
    const sent = await send855();
    const ta1 = x12()
      .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: nextIsa() })
      .raw('TA1', sent.document.controlNumber, '261125', '0930', 'R', '006')
      .iea({ count: '0' })
      .build();
    const r = await answer(ta1);
    expect(reconciledOf(r)).toEqual([
      expect.objectContaining({ kind: 'TA1', documentId: sent.document.id, status: 'rejected' }),
    ]);
    const doc = await docOf(sent.document.id);
    expect(doc).toMatchObject({
      ackStatus: 'rejected',
      ackReasons: [
        { code: '006', message: 'interchange: Invalid interchange sender ID (ISA06)', segmentId: 'ISA' },
      ],
    });
  });

  it('a TA1 accepting, then a 997: the 997 decides; a TA1 after it changes nothing', async () => {
    const sent = await send855();
    const ta1 = (code: string) =>
      x12()
        .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: nextIsa() })
        .raw('TA1', sent.document.controlNumber, '261125', '0930', code, '000')
        .iea({ count: '0' })
        .build();
    await answer(ta1('A'));
    expect((await docOf(sent.document.id)).ackStatus).toBe('accepted');
    await answer(ackOf(sent, ...REJECTED));
    await answer(ta1('A'));
    const doc = await docOf(sent.document.id);
    expect(doc.ackStatus).toBe('rejected');
    expect(doc.ackAnswers!.map((a) => [a.kind, a.status, a.note])).toEqual([
      ['TA1', 'accepted', undefined],
      ['997', 'rejected', undefined],
      ['TA1', 'accepted', 'superseded'],
    ]);
  });

  it('a duplicate 997 is recorded and changes nothing; the event is raised once', async () => {
    const sent = await send855();
    await answer(ackOf(sent, ...REJECTED));
    const first = await docOf(sent.document.id);
    clockAt = new Date('2026-11-25T10:00:00Z');
    const r = await answer(ackOf(sent, ...REJECTED));
    expect(reconciledOf(r)).toEqual([expect.objectContaining({ note: 'duplicate' })]);
    const doc = await docOf(sent.document.id);
    expect(doc).toMatchObject({ ackStatus: 'rejected', ackAt: first.ackAt });
    expect(doc.ackAnswers!.map((a) => a.note)).toEqual([undefined, 'duplicate']);
    expect(await eventsOf(sent.document.id)).toHaveLength(1);
  });

  it('an 856 turns overdue after its own window (4 h), the 855 only after a day; the event is posted, signed', async () => {
    const got: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.writeHead(got.length === 1 ? 503 : 204).end(); // the first try fails: retried
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      clockAt = new Date('2026-12-01T08:00:00Z');
      const asn = await pipeline.send(partner, {
        transactionSet: '856',
        document: ASN_856,
      });
      const po = await send855();
      expect((await docOf(asn.document.id)).ackDueAt).toBe('2026-12-01T12:00:00.000Z');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/edi-events`;
      const sweep = new AckOverdueSweep(ds, clock);
      clockAt = new Date('2026-12-01T11:59:59Z');
      expect(await sweep.run()).not.toContain(asn.document.id);
      clockAt = new Date('2026-12-01T12:00:01Z');
      expect(await sweep.run()).toContain(asn.document.id);
      expect(await sweep.run()).not.toContain(asn.document.id); // once
      const overdue = await docOf(asn.document.id);
      expect(overdue).toMatchObject({ ackStatus: 'overdue', ackAt: '2026-12-01T12:00:01.000Z' });
      expect(overdue.ackReasons![0]!.message).toMatch(/no TA1, 997 or 999 came by 2026-12-01T12:00:00.000Z/);
      expect((await docOf(po.document.id)).ackStatus).toBe('pending');

      const delivery = new EventDelivery(ds, {
        eventsUrl: url,
        secret: 'events-secret-for-tests',
        outbound: OutboundPolicy.fromList('127.0.0.1'),
        clock,
        backoffMs: 1_000,
      });
      const first = await delivery.run();
      expect(first).toEqual(
        expect.arrayContaining([expect.objectContaining({ status: 'pending', attempts: 1 })]),
      );
      clockAt = new Date('2026-12-01T12:10:00Z');
      const second = await delivery.run();
      expect(second).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'delivered' })]));
      const posted = got.find((g) => JSON.parse(g.body).document.id === asn.document.id && g !== got[0])!;
      expect(JSON.parse(posted.body)).toMatchObject({
        type: 'ack.overdue',
        document: { id: asn.document.id, setId: '856' },
        ack: { status: 'overdue' },
      });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(posted.headers['x-edi-signature']))!;
      expect(v1).toBe(webhookSignature('events-secret-for-tests', Number(t), posted.body));
      expect(posted.headers['x-edi-event-type']).toBe('ack.overdue');
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it('a late 997 after overdue still sets the state, marked late', async () => {
    clockAt = new Date('2026-12-02T08:00:00Z');
    const sent = await send855();
    clockAt = new Date('2026-12-03T09:00:00Z');
    expect(await new AckOverdueSweep(ds, clock).run()).toContain(sent.document.id);
    const r = await answer(ackOf(sent, ...ACCEPTED));
    expect(reconciledOf(r)).toEqual([expect.objectContaining({ status: 'accepted', note: 'late' })]);
    const doc = await docOf(sent.document.id);
    expect(doc.ackStatus).toBe('accepted');
    expect(doc.ackAnswers).toEqual([expect.objectContaining({ kind: '997', note: 'late' })]);
  });

  it('Prometheus reports the documents by partner, set and acknowledgment state', async () => {
    const text = await new Metrics(ds, () => ({})).registry.metrics();
    expect(text).toMatch(/edi_acknowledgments\{partner="Demo",set="855",state="accepted"\} [1-9]/);
    expect(text).toMatch(/edi_acknowledgments\{partner="Demo",set="855",state="rejected"\} [1-9]/);
    expect(text).toMatch(/edi_acknowledgments\{partner="Demo",set="856",state="overdue"\} 1/);
  });

  it('a 997 naming no group of ours matches nothing and changes nothing', async () => {
    const r = await answer(
      functionalAck(nextIsa(), (b) => b.seg('AK1', 'PR', '987654').seg('AK9', 'A', '1', '1', '1')),
    );
    expect(reconciledOf(r)).toEqual([{ kind: '997', answers: '987654' }]);
  });

  it("an event says test as the document was sent (ISA15), not by the partner's mode since", async () => {
    clockAt = new Date('2026-12-03T08:00:00Z');
    // sent while the partner was in test mode; the stored partner is live now
    const asTest = await pipeline.send(
      { ...partner, mode: 'test' },
      { transactionSet: '856', document: ASN_856 },
    );
    expect(await docOf(asTest.document.id)).toMatchObject({ test: true });
    expect(asTest.document.x12.split('*')[15]).toBe('T');
    clockAt = new Date('2026-12-03T12:00:01Z');
    expect(await new AckOverdueSweep(ds, clock).run()).toContain(asTest.document.id);
    const [event] = await eventsOf(asTest.document.id);
    expect(JSON.parse(event!.payload).document).toMatchObject({ id: asTest.document.id, test: true });
  });
});

/** An 856 as the ship stage writes it, for one carton of line 1 of PO-1001. */
const ASN_856 = shipNotice(
  {
    id: 'SH-1',
    orderId: 'SO-1',
    shippedAt: '2026-12-01T08:00:00Z',
    carrierScac: 'UPSN',
    cartons: [
      { sscc: '001234560000000018', weightLb: 12, lines: [{ lineNumber: '1', sku: 'SKU1', quantity: 10 }] },
    ],
  },
  {
    number: 'PO-1001',
    date: '2026-11-25',
    lines: [{ lineNumber: '1', quantity: 10, unitOfMeasure: 'EA', buyerPartNumber: 'SKU1' }],
    parties: [{ type: 'ST', name: 'Store 12', idQualifier: '92', id: '0012' }],
  },
  new Date('2026-12-01T08:00:00Z'),
);
