import { parseX12 } from '@edi/x12';
import type { Running } from '../apps/api/src/bootstrap';
import { sendEdi } from './helpers/admin';
import {
  CONSOLE_ADMIN_TOKEN as ADMIN_TOKEN,
  consoleApiSuite,
  postAsPartner,
  untilTransaction,
} from './helpers/console-api';
import { databaseConfigs } from './helpers/databases';
import { StaffClient, damagedCorpus850 } from './helpers/staff';

// Sessions, staff, lists, partners, the dashboard and the rate limit are in console-api.spec.ts.
describe.each(databaseConfigs())('staff console API on %s', (_dbName, makeConfig) => {
  const api = consoleApiSuite(makeConfig);
  let svc: Running;
  let partner: { id: string; key: string };
  let operator: StaffClient;
  let viewer: StaffClient;
  let isa13 = 700;

  beforeAll(() => {
    svc = api.rig.svc;
    ({ partner, operator, viewer } = api);
  });
  /** Posts a file as the partner and returns its first transaction. */
  const post = (text: string) => postAsPartner(api, text);
  /** Polls the console's view of a transaction until `done` holds. */
  const until = (id: string, done: (t: any) => boolean) => untilTransaction(api, id, done);

  describe('review', () => {
    it('shows a rejected corpus 850 with the bad element placed and explained, and the 997 that went out', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'SHOW-1').bad);
      expect(tx.status).toBe('rejected');
      const t = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(t.transaction).toEqual(
        expect.objectContaining({ status: 'rejected', setId: '850', poNumber: 'SHOW-1' }),
      );
      expect(t.partner.name).toBe('Peps Ridgefield');
      const issue = t.issues.find((i: any) => i.severity === 'error');
      expect(issue).toEqual(expect.objectContaining({ segmentId: 'PO1', element: 2, value: 'SIX' }));
      expect(issue.plain).toMatch(/^Line \d+ \(PO1\): element PO102 'SIX' must be a decimal number\.$/);
      // the segment the issue points at is the one holding SIX
      const seg = t.segments[issue.position - 1];
      expect(seg.id).toBe('PO1');
      expect(seg.elements[1]).toBe('SIX');
      expect(t.segments[0].id).toBe('ST');
      expect(t.segments.at(-1).id).toBe('SE');
      // the set alone in its envelopes, readable as X12
      const alone = parseX12(t.x12);
      expect(alone.interchanges[0]!.groups[0]!.transactions).toHaveLength(1);
      const ack = t.outbound.find((d: any) => d.kind.includes('997'));
      expect(ack.x12).toContain('AK5*R');
      expect(t.can).toEqual({ reprocess: true, resubmit: true, resolve: true, release: false });
      const list = await operator.json('GET', `/v1/console/transactions?status=rejected&po=SHOW-1`);
      expect(list.items).toHaveLength(1);
      expect(list.items[0].problem).toBe(issue.plain);
    });

    it('resubmits a fixed X12: the original is kept and superseded, the new version is accepted with a 997 and an 855', async () => {
      const { bad, good } = damagedCorpus850(isa13++, 'FIX-1');
      const tx = await post(bad);
      const source = await operator.json('GET', `/v1/console/transactions/${tx.id}`);

      // still wrong: 422 in plain words, and nothing is stored or superseded
      const still = await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, {
        x12: source.x12.replace('PO1**SIX*', 'PO1**SEVEN*'),
      });
      expect(still.status).toBe(422);
      const why: any = await still.json();
      expect(why.message).toMatch(/still has 1 error/);
      expect(why.problems[0].plain).toMatch(/PO102.*SEVEN/);
      expect((await operator.json('GET', `/v1/console/transactions/${tx.id}`)).transaction.status).toBe(
        'rejected',
      );

      const fixed = source.x12.replace('PO1**SIX*', 'PO1**6*');
      const done = await operator.json('POST', `/v1/console/transactions/${tx.id}/resubmit`, {
        x12: fixed,
        note: 'quantity was spelled out',
      });
      expect(done.acknowledgments).toContain('AK5*A');
      const [version] = done.transactions;
      expect(version.setId).toBe('850');

      const original = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(original.transaction.status).toBe('superseded');
      expect(original.resubmissions.map((r: any) => r.id)).toEqual([version.id]);
      const event = original.timeline.find((e: any) => e.action === 'console.resubmitted');
      expect(event).toEqual(expect.objectContaining({ actor: 'olly' }));
      expect(event.detail.note).toBe('quantity was spelled out');
      expect(original.can).toEqual({ reprocess: false, resubmit: false, resolve: false, release: false });

      const answered = await until(
        version.id,
        (t) => t.transaction.status !== 'erp_pending' && t.answers.some((a: any) => a.setId === '855'),
      );
      expect(answered.transaction.status).toBe('accepted');
      expect(answered.transaction.resubmittedFrom).toBe(tx.id);
      expect(answered.timeline).toContainEqual(
        expect.objectContaining({
          action: 'resubmitted as a new version',
          actor: 'olly',
          detail: expect.objectContaining({ note: 'quantity was spelled out' }),
        }),
      );
      expect(answered.outbound.map((d: any) => d.kind)).toEqual(expect.arrayContaining(['TA1+997', '855']));
      const po855 = answered.outbound.find((d: any) => d.kind === '855').x12 as string;
      expect(po855).toMatch(/BAK\*00\*A[CD]\*FIX-1\*/);
      expect(po855).toContain('ACK*IA*6*EA');
      // the partner's own bytes are what went through: the same as the corpus file with 6 restored
      expect(answered.x12.replace(/\r?\n/g, '')).toBe(good.replace(/\r?\n/g, ''));
      // one new version only: a second resubmit of the original is a conflict
      expect(
        (await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, { x12: fixed })).status,
      ).toBe(409);
    });

    it('resubmits edited JSON, made into the set through the maps', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'JSON-1').bad);
      const t = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      const document = structuredClone(t.document);
      document.purchaseOrder.lines[0].quantity = 6;
      const done = await operator.json('POST', `/v1/console/transactions/${tx.id}/resubmit`, { document });
      const answered = await until(done.transactions[0].id, (x) => x.transaction.status === 'accepted');
      expect(answered.segments.find((s: any) => s.id === 'PO1').elements.slice(0, 3)).toEqual([
        '',
        '6',
        'EA',
      ]);
      expect(answered.document.purchaseOrder.number).toBe('JSON-1');
    });

    it('reprocesses a held duplicate into a new version that is not held again', async () => {
      const { good } = damagedCorpus850(isa13++, 'DUP-1');
      const first = await post(good);
      expect(first.status).toBe('erp_pending');
      const again = await post(damagedCorpus850(isa13++, 'DUP-1').good);
      expect(again.status).toBe('held');
      const done = await operator.json('POST', `/v1/console/transactions/${again.id}/reprocess`, {});
      expect(done.transactions[0].status).toBe('erp_pending');
      // the ERP knows orders by partner and PO number: the released PO is the order DUP-1 already
      // has, so nothing is ordered or answered twice, and it waits for a person again, saying why
      const version = await until(done.transactions[0].id, (t) => t.transaction.status !== 'erp_pending');
      expect(version.transaction.status).toBe('held');
      expect(version.transaction.problem).toMatch(
        /the ERP already has this PO as order SO-\d+ \(transaction [0-9a-f-]{36}\)/,
      );
      expect(version.answers).toEqual([]);
      const old = await operator.json('GET', `/v1/console/transactions/${again.id}`);
      expect(old.timeline.map((e: any) => e.action)).toContain('console.reprocessed');
    });

    it('resolves with a note, and a viewer may look but not change anything', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'VIEW-1').bad);
      const seen = await viewer.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(seen.can).toEqual({ reprocess: false, resubmit: false, resolve: false, release: false });
      for (const [path, body] of [
        [`/v1/console/transactions/${tx.id}/reprocess`, {}],
        [`/v1/console/transactions/${tx.id}/resubmit`, { x12: seen.x12 }],
        [`/v1/console/transactions/${tx.id}/resolve`, { note: 'no' }],
        ['/v1/console/transactions/reprocess', {}],
      ] as const) {
        const r = await viewer.call('POST', path, body);
        expect(r.status).toBe(403);
        expect(((await r.json()) as any).message).toMatch(/needs the operator role; you are viewer/);
      }
      expect((await operator.call('POST', `/v1/console/transactions/${tx.id}/resolve`, {})).status).toBe(400);
      await operator.json('POST', `/v1/console/transactions/${tx.id}/resolve`, {
        note: 'partner will resend',
      });
      const t = await viewer.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(t.transaction.status).toBe('resolved');
      expect(t.timeline.find((e: any) => e.action === 'console.resolved')).toEqual(
        expect.objectContaining({
          actor: 'olly',
          detail: expect.objectContaining({ note: 'partner will resend' }),
        }),
      );
    });

    it('bulk-reprocesses a filtered set: after a fix the failed ones go on, the still-wrong are skipped, the held are left alone', async () => {
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
      const setCustomer = (erpCustomerId: string) =>
        fetch(`${svc.url}/v1/admin/partners/${partner.id}`, {
          method: 'PATCH',
          headers: admin,
          body: JSON.stringify({ erpCustomerId }),
        }).then((r) => expect(r.status).toBe(200));
      // the partner was set up with a customer the ERP does not know: its POs fail for good
      await setCustomer('C-NOPE');
      const failed = [];
      for (const n of [1, 2]) {
        const tx = await post(damagedCorpus850(isa13++, `BULK-${n}`).good);
        failed.push((await until(tx.id, (t) => t.transaction.status !== 'erp_pending')).transaction);
      }
      expect(failed.map((t) => t.status)).toEqual(['failed', 'failed']);
      expect(failed[0].problem).toMatch(/no customer C-NOPE/);
      await setCustomer('C-TEST');
      const stillBad = await post(damagedCorpus850(isa13++, 'BULK-3').bad);
      await post(damagedCorpus850(isa13++, 'BULK-4').good);
      const held = await post(damagedCorpus850(isa13++, 'BULK-4').good);
      expect(held.status).toBe('held');

      const result = await operator.json('POST', '/v1/console/transactions/reprocess', { q: 'BULK-' });
      expect(result).toEqual({ matched: 3, reprocessed: 2, skipped: 1 });
      for (const f of failed) {
        const old = await operator.json('GET', `/v1/console/transactions/${f.id}`);
        expect(old.transaction.status).toBe('superseded');
        const version = await until(old.resubmissions[0].id, (t) => t.transaction.status !== 'erp_pending');
        expect(version.transaction.status).toBe('accepted');
      }
      expect((await operator.json('GET', `/v1/console/transactions/${stillBad.id}`)).transaction.status).toBe(
        'rejected',
      );
      expect((await operator.json('GET', `/v1/console/transactions/${held.id}`)).transaction.status).toBe(
        'held',
      );
    });

    it('takes a resubmitted file as large as a partner may send, not only 1 MB', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'BIG-1').bad);
      const { x12 } = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      // 1.5 MB: the same set, with long PID descriptions the partner might well send, and
      // thousands of segments no standard knows
      const big = (x12 as string)
        .replace('PO1**SIX*', 'PO1**6*')
        .replace(/PID\*F\*08\*\*\*COTTON TEE PRINT/g, `PID*F*08***${'X'.repeat(80)}`)
        .replace(/\nCTT\*8/, `${`\nZZX*${'LONG NOTE '.repeat(25)}`.repeat(6000)}\nCTT*8`);
      expect(big.length).toBeGreaterThan(1_500_000);
      const r = await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, { x12: big });
      // past the body limit of other JSON routes; what answers is the check of its content
      expect(r.status).not.toBe(413);
      expect(r.status).toBe(422);
      const why: any = await r.json();
      // thousands of findings: the message names the first ten, the list holds the first hundred
      expect(why.message).toMatch(
        /^the new version still has 6001 errors: Line 6039 \(SE\): SE01 says 39 segments/,
      );
      expect(why.message).toMatch(/… and 5991 more$/);
      expect(why.problems).toHaveLength(100);
    });

    it('keeps a new version to the same PO and the same envelope', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'SAME-1').bad);
      const { x12 } = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      const fixed = (x12 as string).replace('PO1**SIX*', 'PO1**6*');
      for (const [edit, why] of [
        [
          fixed.replace('BEG*00*SA*SAME-1*', 'BEG*00*SA*OTHER-9*'),
          /keeps the PO number SAME-1 \(this one has OTHER-9\)/,
        ],
        [
          fixed.replace('*ZZ*test22222      *', '*ZZ*someoneelse    *'),
          /ISA07\/ISA08 ZZ\/someoneelse is not us/,
        ],
        [
          fixed.replace('*08*AAAAAAAAAA     *', '*08*BBBBBBBBBB     *'),
          /ISA05\/ISA06 08\/BBBBBBBBBB is not Peps Ridgefield/,
        ],
      ] as const) {
        const r = await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, { x12: edit });
        expect(r.status).toBe(422);
        expect(((await r.json()) as any).message).toMatch(why);
      }
      expect((await operator.json('GET', `/v1/console/transactions/${tx.id}`)).transaction.status).toBe(
        'rejected',
      );
    });

    it('shows and resubmits the right set when a file repeats its control numbers', async () => {
      // the corpus PO three times in one group, all as ST02 4567, told apart only by their PO numbers
      const lines = damagedCorpus850(isa13++, 'FILE-A').good.split('\n');
      const st = lines.findIndex((l) => l.startsWith('ST*'));
      const se = lines.findIndex((l) => l.startsWith('SE*'));
      const set = lines.slice(st, se + 1);
      const many = [
        ...lines.slice(0, st),
        ...['FILE-A', 'FILE-B', 'FILE-C'].flatMap((po) =>
          set.map((l) => (l.startsWith('BEG*') ? l.replace(/BEG\*00\*SA\*[^*]*\*/, `BEG*00*SA*${po}*`) : l)),
        ),
        ...lines.slice(se + 1).map((l) => l.replace(/^GE\*1\*/, 'GE*3*')),
      ].join('\n');
      const sets = await sendEdi(svc.url, partner.key, many);
      expect(sets).toHaveLength(3);
      for (const [k, po] of ['FILE-A', 'FILE-B', 'FILE-C'].entries()) {
        const t = await operator.json('GET', `/v1/console/transactions/${sets[k]!.id}`);
        expect(t.transaction.poNumber).toBe(po);
        // its own segments, not its twins': the BEG in the editor is its own PO
        expect(t.segments.find((x: any) => x.id === 'BEG').elements[2]).toBe(po);
        expect(t.x12).toContain(`BEG*00*SA*${po}*`);
        expect(t.x12).not.toContain(`BEG*00*SA*${po === 'FILE-A' ? 'FILE-B' : 'FILE-A'}*`);
      }
    });
  });
});
