import { parseX12 } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import type { RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startWithSandbox, waitFor, type ServiceWithSandbox } from './helpers/service';

const ADMIN = 'group-reject-admin-token-0123456789';

/**
 * One group of 850s from `sender`, each with `lines[k]` lines; `ge01` is what GE01 claims. PO
 * lines are about 60 bytes, so a few thousand put the GE past the first piece the stage reads.
 */
function group(sender: string, control: number, lines: number[], ge01?: string): string {
  const b = x12()
    .isa({ sender, receiver: 'DEMOSUPPLIER', control: String(control).padStart(9, '0') })
    .gs({ control: String(control) });
  lines.forEach((n, k) => {
    b.st('850', String(k + 1).padStart(4, '0'))
      .seg('BEG', '00', 'SA', `PO-G${control}-${k + 1}`, '', '20261125')
      .seg('N1', 'ST', 'STORE 7', '92', '0007');
    for (let l = 1; l <= n; l++)
      b.seg('PO1', String(l), '1', 'EA', '9.25', '', 'BP', 'B-1001', 'UP', '012345678905');
    b.seg('CTT', String(n)).se();
  });
  return b
    .ge(ge01 ? { count: ge01 } : {})
    .iea()
    .text();
}

/**
 * One interchange of several groups of 850s from `sender`: each group's sets as [PO number, lines],
 * and what its GE01 claims.
 */
function groups(
  sender: string,
  isa13: number,
  spec: Array<{ control: number; pos: Array<[string, number]>; ge01?: string }>,
): string {
  const b = x12().isa({ sender, receiver: 'DEMOSUPPLIER', control: String(isa13).padStart(9, '0') });
  for (const g of spec) {
    b.gs({ control: String(g.control) });
    g.pos.forEach(([po, n], k) => {
      b.st('850', String(k + 1).padStart(4, '0'))
        .seg('BEG', '00', 'SA', po, '', '20261125')
        .seg('N1', 'ST', 'STORE 7', '92', '0007');
      for (let l = 1; l <= n; l++)
        b.seg('PO1', String(l), '1', 'EA', '9.25', '', 'BP', 'B-1001', 'UP', '012345678905');
      b.seg('CTT', String(n)).se();
    });
    b.ge(g.ge01 ? { count: g.ge01 } : {});
  }
  return b.iea().text();
}

/** The 997's AK5 and AK9 segments, as lists of their elements. */
function ackCodes(x: string): { ak5: string[][]; ak9: string[][] } {
  const segs = parseX12(x).interchanges[0]!.groups[0]!.transactions[0]!.segments;
  const of = (id: string) => segs.filter((s) => s.id === id).map((s) => s.elements.map(String));
  return { ak5: of('AK5'), ak9: of('AK9') };
}

type Outcome = { acknowledgments: string; transactions: Array<{ id: string; status: string }> };

describe.each(databaseConfigs())(
  'a functional group rejected for a fault of its own, on %s',
  (_, makeConfig) => {
    let rig: ServiceWithSandbox | undefined;
    let svc: Running;
    let erp: RunningSandbox;
    let key: string;

    const call = (path: string, init: RequestInit = {}) =>
      fetch(svc.url + path, { ...init, headers: { 'x-api-key': key, ...(init.headers ?? {}) } });
    const send = async (text: string): Promise<Outcome> => {
      const r = await call('/v1/edi?wait=true', { method: 'POST', body: text });
      expect(r.status).toBeLessThan(300);
      return ((await r.json()) as { outcome: Outcome }).outcome;
    };
    const transaction = async (id: string) =>
      (await (await call(`/v1/transactions/${id}`)).json()) as {
        status: string;
        issues: Array<{ code: string; message: string }>;
        duplicateOf: string | null;
      };
    /** Waits until the set has left erp_pending (the ERP stage took it). */
    const settled = (id: string) =>
      waitFor(
        async () => (await transaction(id)).status !== 'erp_pending',
        `PO ${id} to leave erp_pending`,
        30_000,
        50,
      );

    beforeAll(async () => {
      rig = await startWithSandbox(makeConfig, { EDI_ADMIN_TOKEN: ADMIN });
      ({ svc, erp } = rig);
      ({ key } = await createPartner(svc.url, ADMIN, { isaId: 'GROUPPARTNER', erpCustomerId: 'C-DEMO' }));
    });

    afterAll(() => rig?.stop());

    it('rejects every set of the group: no AK5 for the clean sets, AK9 R with none accepted, nothing to the ERP', async () => {
      // two clean POs; GE01 says 3
      const outcome = await send(group('GROUPPARTNER', 7001, [1, 2], '3'));
      expect(ackCodes(outcome.acknowledgments)).toEqual({
        ak5: [],
        ak9: [['R', '3', '2', '0', '5']],
      });
      expect(outcome.transactions.map((t) => t.status)).toEqual(['rejected', 'rejected']);
      for (const t of outcome.transactions) {
        const row = await transaction(t.id);
        expect(row.status).toBe('rejected');
        expect(row.issues[0]).toMatchObject({
          code: 'GROUP_REJECTED',
          message: expect.stringContaining('GS06 7001 is rejected (AK9 R)'),
        });
        expect(row.issues[0]!.message).toContain('(AK905 5)');
      }

      // the same POs in a sound group go through: the ERP was there to take orders all along
      const ok = await send(group('GROUPPARTNER', 7002, [1]));
      expect(ackCodes(ok.acknowledgments).ak9).toEqual([['A', '1', '1', '1']]);
      await settled(ok.transactions[0]!.id);
      expect([...erp.state.orders.values()].map((o) => o.customerPo)).toEqual(['PO-G7002-1']);
    });

    it('also rejects a set written before its group trailer was read (a GE in a later piece)', async () => {
      erp.state.reset();
      // the first PO ends in the first 256 KB piece, the GE (claiming 1 set of 2) comes in the second
      const text = group('GROUPPARTNER', 7003, [2000, 6000], '1');
      expect(text.indexOf('CTT*2000')).toBeLessThan(256 * 1024);
      expect(text.indexOf('GE*1*7003')).toBeGreaterThan(256 * 1024);
      const outcome = await send(text);
      expect(ackCodes(outcome.acknowledgments)).toEqual({
        ak5: [],
        ak9: [['R', '1', '2', '0', '5']],
      });
      expect(outcome.transactions.map((t) => t.status)).toEqual(['rejected', 'rejected']);
      const first = await transaction(outcome.transactions[0]!.id);
      expect(first.status).toBe('rejected');
      expect(first.issues[0]!.code).toBe('GROUP_REJECTED');
      expect(erp.state.orders.size).toBe(0);
      expect(erp.state.orderCalls).toBe(0);
    });

    it('a set of a rejected group is nobody’s twin: the same PO in a later sound group goes on', async () => {
      erp.state.reset();
      const outcome = await send(
        groups('GROUPPARTNER', 7101, [
          { control: 7101, pos: [['PO-TWIN-1', 1]], ge01: '2' },
          { control: 7102, pos: [['PO-TWIN-1', 1]] },
        ]),
      );
      expect(outcome.transactions.map((t) => t.status)).toEqual(['rejected', 'erp_pending']);
      const later = await transaction(outcome.transactions[1]!.id);
      expect(later.duplicateOf).toBeNull();
      await settled(outcome.transactions[1]!.id);
      expect([...erp.state.orders.values()].map((o) => o.customerPo)).toEqual(['PO-TWIN-1']);
    });

    it('nor is a set its group rejects only when a later piece brings the GE', async () => {
      erp.state.reset();
      const text = groups('GROUPPARTNER', 7103, [
        {
          control: 7103,
          pos: [
            ['PO-TWIN-2', 2000],
            ['PO-TWIN-3', 6000],
          ],
          ge01: '1',
        },
        { control: 7104, pos: [['PO-TWIN-2', 1]] },
      ]);
      expect(text.indexOf('CTT*2000')).toBeLessThan(256 * 1024);
      expect(text.indexOf('GE*1*7103')).toBeGreaterThan(256 * 1024);
      const outcome = await send(text);
      expect(outcome.transactions.map((t) => t.status)).toEqual(['rejected', 'rejected', 'erp_pending']);
      await settled(outcome.transactions[2]!.id);
      expect([...erp.state.orders.values()].map((o) => o.customerPo)).toEqual(['PO-TWIN-2']);
    });
  },
);
