import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AckOverdueSweep, EventDelivery, webhookSignature } from '@edi/pipeline';
import { OutboundPolicy } from '@edi/transport';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import { createPartner } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startWithSandbox, waitFor, type ServiceWithSandbox } from './helpers/service';
import { StaffClient } from './helpers/staff';

const ADMIN = 'orders-admin-token-0123456789';
const PASSWORD = 'orders-password-0123';
const EVENTS_SECRET = 'orders-events-secret-0123';

type Thread = {
  poNumber: string;
  documents: Array<{
    id: string;
    setId: string;
    direction: string;
    controlNumber: string;
    status: string;
    ack: { status: string; at: string | null; reasons: Array<{ message: string }> } | null;
    answers?: string;
  }>;
  lines: Array<{
    lineNumber: string;
    ordered: number;
    acknowledged: { accepted: number; backordered: number; rejected: number };
    shipped: number;
    invoiced: number;
  }>;
};

/** A local events endpoint that takes every post (204) and keeps what came. */
async function eventsEndpoint() {
  const got: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    got,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/partner-events`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

describe.each(databaseConfigs())('order threads and needs attention on %s', (_, makeConfig) => {
  let rig: ServiceWithSandbox | undefined;
  let svc: Running;
  let partner: { id: string; key: string };
  let other: { id: string; key: string };
  const staff = () => new StaffClient(svc.url);
  let operator: StaffClient;

  const call = (path: string, key: string, body?: string) =>
    fetch(svc.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-api-key': key },
      body,
    });
  const json = async <T>(path: string, key: string): Promise<T> => {
    const r = await call(path, key);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  /** The thread, once the PO's 855, 856 and 810 exist. */
  const settled = (po: string): Promise<Thread> =>
    waitFor(async () => {
      // a connection the server closed while idle is reset: the next poll opens another
      const r = await call(`/v1/orders/${po}`, partner.key).catch(() => undefined);
      if (!r?.ok) return undefined;
      const t = (await r.json()) as Thread;
      const sets = new Set(t.documents.filter((d) => d.direction === 'out').map((d) => d.setId));
      return ['855', '856', '810'].every((s) => sets.has(s)) && t;
    }, `PO ${po} to get its 855, 856 and 810`);
  let isa = 700;
  /** The partner's 997 for one of our documents: GS06 and ST02 from the transaction we sent. */
  const ack997 = async (transactionId: string, code: 'A' | 'R') => {
    const t = await json<{ setId: string; groupControl: string; controlNumber: string }>(
      `/v1/transactions/${transactionId}`,
      partner.key,
    );
    const b = x12()
      .isa({ sender: 'THREADPARTNER', receiver: 'DEMOSUPPLIER', control: String(++isa).padStart(9, '0') })
      .gs({ functionalId: 'FA' })
      .st('997')
      .seg('AK1', t.setId === '855' ? 'PR' : t.setId === '856' ? 'SH' : 'IN', t.groupControl)
      .seg('AK2', t.setId, t.controlNumber);
    if (code === 'R') b.seg('AK3', 'BSN', '2', '', '8').seg('AK4', '2', '396', '1');
    const text = b
      .seg('AK5', code, ...(code === 'R' ? ['5'] : []))
      .seg('AK9', code, '1', '1', code === 'A' ? '1' : '0')
      .se()
      .ge()
      .iea()
      .text();
    const r = await call('/v1/edi?wait=true', partner.key, text);
    expect(r.status).toBeLessThan(300);
  };

  /**
   * The overdue sweep at `later`, with the partner's own events endpoint set through the admin API
   * (the service has no EDI_EVENTS_URL): its overdue event reaches that endpoint, signed.
   */
  const sweepPostingToPartner = async (later: Date) => {
    const events = await eventsEndpoint();
    try {
      const patched = await fetch(`${svc.url}/v1/admin/partners/${partner.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ eventsUrl: events.url }),
      });
      expect(patched.status).toBe(200);
      await new AckOverdueSweep(svc.dataSource, () => later).run();
      const delivery = new EventDelivery(svc.dataSource, {
        secret: EVENTS_SECRET,
        outbound: OutboundPolicy.fromList('127.0.0.1'),
      });
      // the service's own timer may post it first; either way it reaches the partner's endpoint
      const posted = await waitFor(async () => {
        await delivery.run();
        return events.got.find((g) => JSON.parse(g.body).type === 'ack.overdue');
      }, 'the overdue event at the partner endpoint');
      expect(JSON.parse(posted.body)).toMatchObject({
        partner: { id: partner.id },
        document: { setId: '856', poNumber: 'PO-THREAD-1' },
      });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(posted.headers['x-edi-signature']))!;
      expect(v1).toBe(webhookSignature(EVENTS_SECRET, Number(t), posted.body));
    } finally {
      await events.close();
    }
  };

  beforeAll(async () => {
    rig = await startWithSandbox(makeConfig, {
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_ADMIN_USER: 'Otto',
      EDI_ADMIN_PASSWORD: PASSWORD,
      EDI_EVENTS_SECRET: EVENTS_SECRET,
      // the partner's own events endpoint below is on this machine
      EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    });
    ({ svc } = rig);
    partner = await createPartner(svc.url, ADMIN, {
      isaId: 'THREADPARTNER',
      erpCustomerId: 'C-DEMO',
      rules: { crossReference: { 'B-1002': 'GAD-CASE' }, autoShip: true },
      ackOverdueSecondsBySet: { '856': 14_400 },
    });
    other = await createPartner(svc.url, ADMIN, { isaId: 'OTHERPARTNER' });
    operator = staff();
    expect((await operator.signIn('otto', PASSWORD)).status).toBe(200);
  });

  afterAll(() => rig?.stop());

  it('puts the 850, our 997, 855, 856, 810 and the partner 997s in one thread, with per-line quantities', async () => {
    const po = x12()
      .isa({ sender: 'THREADPARTNER', receiver: 'DEMOSUPPLIER', control: String(++isa).padStart(9, '0') })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-THREAD-1', '', '20261125')
      .seg('N1', 'ST', 'STORE 7', '92', '0007')
      .seg('PO1', '1', '30', 'EA', '9.25', '', 'BP', 'B-1001', 'UP', '012345678905')
      .seg('PO1', '2', '4', 'CA', '31', '', 'BP', 'B-1002')
      .seg('CTT', '2')
      .se()
      .ge()
      .iea()
      .text();
    expect((await call('/v1/edi?wait=true', partner.key, po)).status).toBeLessThan(300);
    const before = await settled('PO-THREAD-1');
    const sent = (set: string) => before.documents.find((d) => d.setId === set && d.direction === 'out')!;
    expect(sent('855').ack).toEqual({ status: 'pending', at: null, reasons: [] });

    await ack997(sent('855').id, 'A');
    const thread = await json<Thread>('/v1/orders/PO-THREAD-1', partner.key);
    const by = (set: string, direction: string) =>
      thread.documents.filter((d) => d.setId === set && d.direction === direction);
    expect(by('850', 'in')).toHaveLength(1);
    expect(by('997', 'out')).toHaveLength(1); // our 997 for their 850
    expect(by('855', 'out')[0]!.ack!.status).toBe('accepted');
    expect(by('856', 'out')[0]!.ack!.status).toBe('pending');
    expect(by('997', 'in')).toEqual([expect.objectContaining({ answers: sent('855').id })]);
    // time order: the 850 first, our 997 of it next, their 997 after the 855 it answers
    expect(thread.documents.slice(0, 2).map((d) => [d.setId, d.direction])).toEqual([
      ['850', 'in'],
      ['997', 'out'],
    ]);
    const at = (d: { setId: string; direction: string }) =>
      thread.documents.findIndex((x) => x.setId === d.setId && x.direction === d.direction);
    expect(at({ setId: '997', direction: 'in' })).toBeGreaterThan(at({ setId: '855', direction: 'out' }));
    expect(thread.lines).toEqual([
      {
        lineNumber: '1',
        unitOfMeasure: 'EA',
        product: 'B-1001',
        ordered: 30,
        acknowledged: { accepted: 30, backordered: 0, rejected: 0 },
        shipped: 30,
        invoiced: 30,
        mismatches: [],
      },
      {
        lineNumber: '2',
        unitOfMeasure: 'CA',
        product: 'B-1002',
        ordered: 4,
        acknowledged: { accepted: 4, backordered: 0, rejected: 0 },
        shipped: 4,
        invoiced: 4,
        mismatches: [],
      },
    ]);
    // the outbox and the transaction show the same state
    const tx = await json<{ outbound: Array<{ id: string; ack: { status: string } | null }> }>(
      `/v1/transactions/${sent('855').id}`,
      partner.key,
    );
    expect(tx.outbound[0]!.ack!.status).toBe('accepted');
    type Outbox = {
      items: Array<{ id: string; kind: string; transactionId: string; ack: Thread['documents'][0]['ack'] }>;
    };
    const outbox = await json<Outbox>('/v1/outbox', partner.key);
    // nothing fetched them yet: the 855 the 997 answered, and the 856 still waiting for its own
    const item = (set: string) =>
      outbox.items.filter((i) => i.kind === set && i.transactionId === sent(set).id);
    expect(item('855')).toEqual([expect.objectContaining({ id: tx.outbound[0]!.id })]);
    expect(item('855')[0]!.ack).toEqual({
      status: 'accepted',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reasons: [],
    });
    expect(item('856')).toHaveLength(1);
    expect(item('856')[0]!.ack).toEqual({ status: 'pending', at: null, reasons: [] });
    // the outbox is the partner's own: another key sees none of these
    const theirs = await json<Outbox>('/v1/outbox', other.key);
    expect(theirs.items.map((i) => i.id)).not.toContain(tx.outbound[0]!.id);
  });

  it('finds the thread by invoice number, shipment id, SSCC and ERP order; never another partner’s', async () => {
    const thread = await json<Thread>('/v1/orders/PO-THREAD-1', partner.key);
    const asn = await json<{
      document: {
        shipment: { id: string; orders: Array<{ packs: Array<{ marks: Array<{ number: string }> }> }> };
      };
    }>(`/v1/transactions/${thread.documents.find((d) => d.setId === '856')!.id}`, partner.key);
    const inv = await json<{ document: { invoice: { number: string } } }>(
      `/v1/transactions/${thread.documents.find((d) => d.setId === '810')!.id}`,
      partner.key,
    );
    const order = thread.documents.find((d) => d.setId === '850') as unknown as { erpRef: string };
    const sscc = asn.document.shipment.orders[0]!.packs[0]!.marks[0]!.number.slice(2);
    for (const q of [
      `invoice=${inv.document.invoice.number}`,
      `shipment=${asn.document.shipment.id}`,
      `sscc=${sscc}`,
      `erpOrder=${order.erpRef}`,
      'po=PO-THREAD-1',
    ])
      expect(await json(`/v1/orders?${q}`, partner.key)).toEqual({ items: [{ poNumber: 'PO-THREAD-1' }] });
    expect(await json(`/v1/orders?sscc=${sscc}`, other.key)).toEqual({ items: [] });
    expect((await call('/v1/orders/PO-THREAD-1', other.key)).status).toBe(404);
    expect((await call('/v1/orders', partner.key)).status).toBe(400);
    const found = await operator.json<{ items: Array<{ partnerName: string; poNumber: string }> }>(
      'GET',
      `/v1/console/orders?sscc=${sscc}`,
    );
    expect(found.items).toEqual([
      expect.objectContaining({ partnerName: 'THREADPARTNER', poNumber: 'PO-THREAD-1' }),
    ]);
  });

  it('an 856 the partner never acknowledges turns overdue after its window and needs attention; a resend keeps the lineage', async () => {
    const thread = await json<Thread>('/v1/orders/PO-THREAD-1', partner.key);
    const asn = thread.documents.find((d) => d.setId === '856')!;
    const later = new Date(Date.now() + 4 * 3600_000 + 60_000);
    await sweepPostingToPartner(later);
    const now = await json<Thread>('/v1/orders/PO-THREAD-1', partner.key);
    expect(now.documents.find((d) => d.id === asn.id)!.ack).toMatchObject({ status: 'overdue' });
    expect(now.documents.find((d) => d.setId === '855')!.ack).toMatchObject({ status: 'accepted' });

    const list = await operator.json<{
      items: Array<{
        id: string;
        type: string;
        documentId: string;
        event: { document: { poNumber: string } };
      }>;
    }>('GET', '/v1/console/attention');
    const entry = list.items.find((i) => i.type === 'ack.overdue')!;
    expect(entry.event.document.poNumber).toBe('PO-THREAD-1');
    const resent = await operator.json<{ id: string; resentFrom: string; controlNumber: string }>(
      'POST',
      `/v1/console/documents/${entry.documentId}/resend`,
    );
    expect(resent.resentFrom).toBe(entry.documentId);
    const after = await operator.json<{ items: Array<{ id: string }> }>('GET', '/v1/console/attention');
    expect(after.items.map((i) => i.id)).not.toContain(entry.id); // resolved by the resend
    const consoleThread = await operator.json<{
      documents: Array<{
        setId: string;
        documentId: string | null;
        resentAs: string | null;
        ack: { status: string } | null;
      }>;
    }>('GET', `/v1/console/orders/${partner.id}/PO-THREAD-1`);
    const asns = consoleThread.documents.filter((d) => d.setId === '856');
    // SQLite keeps whole seconds: a resend in the same second as the original may list either first
    expect(asns.map((d) => d.ack?.status).sort()).toEqual(['overdue', 'pending']);
    expect(asns.find((d) => d.ack?.status === 'overdue')!.resentAs).toBe(resent.id);
  });

  it('a rejecting 997 names our segment in words and is on the needs-attention list until resolved', async () => {
    const thread = await json<Thread>('/v1/orders/PO-THREAD-1', partner.key);
    const asns = thread.documents.filter((d) => d.setId === '856');
    await ack997(asns.at(-1)!.id, 'R');
    const now = await json<Thread>('/v1/orders/PO-THREAD-1', partner.key);
    const ack = now.documents.find((d) => d.id === asns.at(-1)!.id)!.ack!;
    expect(ack.status).toBe('rejected');
    expect(ack.reasons.map((r) => r.message)).toEqual([
      'BSN02: Mandatory data element missing, in BSN (segment 2 of the set)',
      'One or more segments in error',
    ]);
    const list = await operator.json<{ items: Array<{ id: string; type: string }> }>(
      'GET',
      '/v1/console/attention',
    );
    const entry = list.items.find((i) => i.type === 'ack.rejected')!;
    expect(
      (await operator.call('POST', `/v1/console/attention/${entry.id}/resolve`, { note: 'called them' }))
        .status,
    ).toBe(200);
    const after = await operator.json<{ items: Array<{ id: string }> }>('GET', '/v1/console/attention');
    expect(after.items.map((i) => i.id)).not.toContain(entry.id);
  });
});
