import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TradingPartner } from '@edi/persistence';
import { OutboundPolicy } from '@edi/transport';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { oneLine855, reconcileRig, type ReconcileRig } from '../../../../test/helpers/reconcile-rig';
import { webhookSignature } from '../deliver/deliver.stage';
import { EventDelivery } from './event-delivery';
import { AckOverdueSweep } from './overdue-sweep';

let clockAt = new Date('2026-11-25T09:30:00Z');
const clock = () => clockAt;
const SECRET = 'events-secret-for-endpoint-tests';

const ACK_855 = oneLine855('PO-2001', '2026-11-25', { quantity: 3, unitPrice: 2.5, buyerPartNumber: 'SKU1' });

type Posted = { path: string; headers: IncomingMessage['headers']; body: string };

/** An endpoint that takes every post (204) and keeps what came. */
async function endpoint(): Promise<{ server: Server; url: string; got: Posted[] }> {
  const got: Posted[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

describe.each(databaseConfigs())(
  'ack events go to the partner endpoint, else the global one, on %s',
  (_, makeConfig) => {
    let rig: ReconcileRig;
    let own: Awaited<ReturnType<typeof endpoint>>;
    let global: Awaited<ReturnType<typeof endpoint>>;
    let isa = 800;

    beforeAll(async () => {
      clockAt = new Date('2026-11-25T09:30:00Z'); // the run on the other database moved it
      own = await endpoint();
      global = await endpoint();
      // DEMOPARTNER names its own endpoint; OTHERPARTNER names none
      rig = await reconcileRig(makeConfig, clock, { eventsUrl: `${own.url}/demo-events` });
    });

    afterAll(async () => {
      await rig?.close();
      for (const e of [own, global]) if (e) await new Promise((ok) => e.server.close(ok));
    });

    /** The partner's 997 rejecting one 855 we sent it. */
    const rejecting = (sender: string, gs06: string, st02: string) =>
      x12()
        .isa({ sender, receiver: 'DEMOSUPPLIER', control: String(++isa).padStart(9, '0') })
        .gs({ functionalId: 'FA' })
        .st('997', '0001')
        .seg('AK1', 'PR', gs06)
        .seg('AK2', '855', st02)
        .seg('AK5', 'R', '5')
        .seg('AK9', 'R', '1', '1', '0')
        .se()
        .ge()
        .iea()
        .build();

    it('a rejected and an overdue 855 of each partner: its own endpoint if set, else EDI_EVENTS_URL, signed alike', async () => {
      const partners = rig.ds.getRepository(TradingPartner);
      const other = await partners.save(
        partners.create({
          name: 'Other',
          isaQualifier: 'ZZ',
          isaId: 'OTHERPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
        }),
      );
      const sent: Record<string, { rejected: string; overdue: string }> = {};
      for (const p of [rig.partner, other]) {
        const toReject = await rig.pipeline.send(p, { transactionSet: '855', document: ACK_855 });
        const unanswered = await rig.pipeline.send(p, { transactionSet: '855', document: ACK_855 });
        const file = rejecting(
          p.isaId,
          toReject.transaction.groupControl,
          toReject.transaction.controlNumber,
        );
        await rig.pipeline.submit(p, file, 'http', { wait: true });
        sent[p.id] = { rejected: toReject.document.id, overdue: unanswered.document.id };
      }
      clockAt = new Date('2026-11-26T09:30:01Z'); // past the default window of a day
      const overdue = await new AckOverdueSweep(rig.ds, clock).run();
      expect(overdue).toEqual(
        expect.arrayContaining([sent[rig.partner.id]!.overdue, sent[other.id]!.overdue]),
      );

      const results = await new EventDelivery(rig.ds, {
        eventsUrl: `${global.url}/supplier-events`,
        secret: SECRET,
        outbound: OutboundPolicy.fromList('127.0.0.1'),
        clock,
      }).run();
      expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);

      /** What one endpoint got: [document, event type, partner], in document order. */
      const seen = (got: Posted[]) =>
        got
          .map(
            (g) => JSON.parse(g.body) as { type: string; partner: { id: string }; document: { id: string } },
          )
          .map((b) => [b.document.id, b.type, b.partner.id])
          .sort();
      const expected = (id: string) =>
        [
          [sent[id]!.rejected, 'ack.rejected', id],
          [sent[id]!.overdue, 'ack.overdue', id],
        ].sort();
      expect(seen(own.got)).toEqual(expected(rig.partner.id));
      expect(seen(global.got)).toEqual(expected(other.id));
      expect(own.got.map((g) => g.path)).toEqual(['/demo-events', '/demo-events']);
      expect(global.got.map((g) => g.path)).toEqual(['/supplier-events', '/supplier-events']);
      for (const g of [...own.got, ...global.got]) {
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(g.headers['x-edi-signature']))!;
        expect(v1).toBe(webhookSignature(SECRET, Number(t), g.body));
        expect(g.headers['x-edi-event-type']).toBe(JSON.parse(g.body).type);
      }
    });
  },
);
