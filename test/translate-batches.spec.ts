import { resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';
import {
  TradingPartner,
  TranslationClaims,
  UnfinishedWork,
  openDatabase,
  type PersistenceConfig,
} from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { IngestService } from '../libs/pipeline/src/ingest/ingest.service';
import { CLAIM_MS, TranslateStage } from '../libs/pipeline/src/translate/translate.stage';
import { databaseConfigs, saveDemoPartner } from './helpers/databases';

const maps = new MapRegistry(resolve(__dirname, '../edi-maps'));
const BATCH = 100;
const T0 = Date.parse('2026-12-01T10:00:00Z');

jest.setTimeout(120_000);

/** A 20-line 850 (about 1 KB), ST02 n, PO number `po`. */
function po(n: number, number: string): string {
  const st = String(n).padStart(4, '0');
  const segs = [`ST*850*${st}`, `BEG*00*SA*${number}**20261125`, 'N1*ST*STORE 42*92*0042'];
  for (let l = 1; l <= 20; l++) segs.push(`PO1*${l}*2*EA*9.25**VP*V-${77 + (l % 3)}`);
  segs.push('CTT*20', `SE*${segs.length + 2}*${st}`);
  return segs.join('~\n') + '~\n';
}

/** A supplier's 856 for PO-IN-1 (its shipment, PO and SSCC are thread keys). */
function asn(n: number, shipment = `SH-${n}`): string {
  const st = String(n).padStart(4, '0');
  const segs = [
    `ST*856*${st}`,
    `BSN*00*${shipment}*20261202*0930`,
    'HL*1**S',
    'TD1*CTN25*1',
    'HL*2*1*O',
    'PRF*PO-IN-1',
    'HL*3*2*P',
    `MAN*GM*${String(n).padStart(20, '0')}`,
    'HL*4*3*I',
    'LIN*1*BP*B-1',
    'SN1**12*EA',
    'CTT*1',
  ];
  segs.push(`SE*${segs.length + 1}*${st}`);
  return segs.join('~\n') + '~\n';
}

const ISA = (control: string) =>
  `ISA*00*          *00*          *ZZ*DEMOPARTNER    *ZZ*DEMOSUPPLIER   *261201*1000*U*00401*${control}*0*P*>~\n`;

/** One group of `count` 850s; the PO of set `twinAt` repeats set `twinOf`'s. */
function orders(count: number, twin: { at: number; of: number }): Buffer {
  const sets: string[] = [];
  for (let n = 1; n <= count; n++) sets.push(po(n, `PO-${n === twin.at ? twin.of : n}`));
  const body = `GS*PO*DEMOPARTNER*DEMOSUPPLIER*20261201*1000*1*X*004010~\n${sets.join('')}GE*${count}*1~\n`;
  return Buffer.from(`${ISA('000000001')}${body}IEA*1*000000001~\n`, 'latin1');
}

/**
 * Group 1: `rejected` 856s whose GE01 is wrong (the group is rejected at its GE, after earlier
 * batches committed its first sets); group 2: 100 850s; group 3: five good 856s.
 */
function rejectedGroup(rejected: number): Buffer {
  const ships = (from: number, count: number) =>
    Array.from({ length: count }, (_, k) => asn(from + k)).join('');
  const orderSets = Array.from({ length: 100 }, (_, k) => po(k + 1, `PO-G-${k + 1}`)).join('');
  return Buffer.from(
    `${ISA('000000002')}` +
      `GS*SH*DEMOPARTNER*DEMOSUPPLIER*20261201*1000*11*X*004010~\n${ships(1, rejected)}GE*${rejected - 1}*11~\n` +
      `GS*PO*DEMOPARTNER*DEMOSUPPLIER*20261201*1000*12*X*004010~\n${orderSets}GE*100*12~\n` +
      `GS*SH*DEMOPARTNER*DEMOSUPPLIER*20261201*1000*13*X*004010~\n${ships(rejected + 1, 5)}GE*5*13~\n` +
      'IEA*3*000000002~\n',
    'latin1',
  );
}

interface Rig {
  ds: DataSource;
  partner: TradingPartner;
  close(): Promise<void>;
}

async function rig(config: PersistenceConfig): Promise<Rig> {
  const ds = await openDatabase(config);
  const partner = await saveDemoPartner(ds, { erpCustomerId: 'C-1' });
  return {
    ds,
    partner,
    close: async () => {
      if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
      await ds.destroy();
    },
  };
}

/** The stage on `rig`'s database, its POs bound for the ERP, committing BATCH sets a transaction. */
function stageOf(r: Rig, clock: () => Date): TranslateStage {
  return new TranslateStage(r.ds, maps, clock, () => true, undefined, BATCH);
}

async function store(r: Rig, raw: Buffer): Promise<string> {
  return (await new IngestService(r.ds).accept(r.partner, raw, 'http')).interchange.id;
}

/** A statement's one parameter, as each database spells it. */
const mark = (r: Rig) => (r.ds.options.type === 'postgres' ? '$1' : '?');

async function rowsOf(r: Rig, id: string) {
  const rows = await r.ds.query<
    Array<{ id: string; set_index: number; status: string; duplicate_of: string | null; po_number: string }>
  >(
    `SELECT id, set_index, status, duplicate_of, po_number FROM transactions WHERE interchange_id = ${mark(r)} ORDER BY set_index`,
    [id],
  );
  return rows.map((t) => ({ ...t, set_index: Number(t.set_index) }));
}

/** The claim's renew() spied on: the sets each batch committed, and a way to fail one batch. */
function batches(failAt?: number): { done: number[]; restore(): void } {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the instance as this
  const original = TranslationClaims.prototype.renew;
  const done: number[] = [];
  const spy = jest.spyOn(TranslationClaims.prototype, 'renew').mockImplementation(async function (
    this: TranslationClaims,
    ...args
  ) {
    done.push(args[3]);
    if (done.length === failAt) throw new Error('killed between two batches');
    return original.apply(this, args);
  });
  return { done, restore: () => spy.mockRestore() };
}

describe.each(databaseConfigs())('translation in batches (%s)', (_name, config) => {
  const SETS = 1500;
  const file = orders(SETS, { at: 651, of: 6 });
  let r: Rig;
  let reference: Rig;
  beforeAll(async () => {
    r = await rig(config());
    reference = await rig(config());
  });
  afterAll(async () => {
    await r.close();
    await reference.close();
  });

  it('resumes after the last committed batch when killed between two: no set lost or doubled, the 997 whole', async () => {
    let now = T0;
    const clock = () => new Date(now);
    const id = await store(r, file);

    // killed at its second batch: the first is committed, the interchange still received
    const killed = batches(2);
    await expect(stageOf(r, clock).run(id)).rejects.toThrow('killed between two batches');
    killed.restore();
    const first = killed.done[0]!;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(SETS);
    const before = await rowsOf(r, id);
    expect(before.map((t) => t.set_index)).toEqual([...Array(first).keys()]);
    // nothing of it is handed on meanwhile, not even by the start-up sweep
    expect(await new UnfinishedWork(r.ds).erpPending()).toEqual([]);
    expect((await new UnfinishedWork(r.ds).received()).map((u) => u.id)).toEqual([id]);

    // the dead run's claim, as a process killed outright leaves it: the next run waits it out
    expect(await new TranslationClaims(r.ds).take(id, 'dead-worker', now + CLAIM_MS, now)).toBe(first);
    const waiting = stageOf(r, clock).run(id);
    await new Promise((done) => setTimeout(done, 500));
    expect((await rowsOf(r, id)).length).toBe(first);
    now += CLAIM_MS + 1;
    const resumed = await waiting;
    expect(resumed.status).toBe('processed');
    const rows = await rowsOf(r, id);
    expect(rows.map((t) => t.set_index)).toEqual([...Array(SETS).keys()]);
    expect(new Set(rows.map((t) => t.id)).size).toBe(SETS);
    // the rows the first run wrote are the same rows, not written again
    expect(rows.slice(0, first).map((t) => t.id)).toEqual(before.map((t) => t.id));
    // set 651 repeats set 6's PO: held as its twin, though set 6 was written by the run before
    const twin = rows[650]!;
    expect(twin.status).toBe('held');
    expect(twin.duplicate_of).toContain(rows[5]!.id);
    expect(rows.filter((t) => t.status === 'erp_pending')).toHaveLength(SETS - 1);
    expect(new Set(resumed.erp)).toEqual(
      new Set(rows.filter((t) => t.status === 'erp_pending').map((t) => t.id)),
    );
    expect(resumed.transactions).toHaveLength(SETS);

    // the 997 answers every set once, as a run that was never stopped answers the same file
    const ack = resumed.acknowledgments;
    expect(ack.match(/~\s*AK2\*850\*/g)).toHaveLength(SETS);
    expect(ack).toContain(`AK9*A*${SETS}*${SETS}*${SETS}~`);
    const whole = await stageOf(reference, () => new Date(T0 + CLAIM_MS + 1)).run(
      await store(reference, file),
    );
    expect(ack).toBe(whole.acknowledgments);
    expect(await new UnfinishedWork(r.ds).received()).toEqual([]);
  });

  it('a group rejected at its GE after its first sets were committed: none of them goes on, and none keeps its thread keys', async () => {
    const REJECTED = 1000;
    const id = await store(r, rejectedGroup(REJECTED));
    const seen = batches();
    const outcome = await stageOf(r, () => new Date(T0)).run(id);
    seen.restore();
    // sets of group 1 were committed by a batch before its GE was read
    expect(seen.done.some((n) => n > 0 && n < REJECTED)).toBe(true);
    const rows = await rowsOf(r, id);
    expect(rows).toHaveLength(REJECTED + 105);
    const group = rows.slice(0, REJECTED);
    expect(group.filter((t) => t.status !== 'rejected')).toEqual([]);
    const issues = await r.ds.query<Array<{ issues: string }>>(
      `SELECT issues FROM transactions WHERE interchange_id = ${mark(r)} ORDER BY set_index`,
      [id],
    );
    expect(
      issues.slice(0, REJECTED).filter((t) => JSON.parse(t.issues)[0]?.code !== 'GROUP_REJECTED'),
    ).toEqual([]);
    // the good groups go on: the 850s to the ERP, the last five 856s to be checked against their PO
    const good = rows.slice(REJECTED);
    expect(new Set(outcome.erp)).toEqual(new Set(good.slice(0, 100).map((t) => t.id)));
    expect(new Set(outcome.receive)).toEqual(new Set(good.slice(100).map((t) => t.id)));
    // thread keys: the five good 856s keep theirs (shipment, PO, SSCC), the rejected ones none
    const keys = await r.ds.query<Array<{ transaction_id: string }>>(
      'SELECT DISTINCT transaction_id FROM business_keys',
    );
    expect(new Set(keys.map((k) => k.transaction_id))).toEqual(new Set(good.slice(100).map((t) => t.id)));
    expect(outcome.acknowledgments).toContain('AK1*SH*11~');
    expect(outcome.acknowledgments).toMatch(/AK9\*R\*999\*/);
  });

  it('giving up on an interchange leaves alone one that another run holds, and marks it failed once nobody does', async () => {
    const file = orders(3, { at: 0, of: 0 })
      .toString('latin1')
      .replace(/000000001/g, '000000003');
    const id = await store(r, Buffer.from(file, 'latin1'));
    const claims = new TranslationClaims(r.ds);
    expect(await claims.take(id, 'live-worker', T0 + CLAIM_MS, T0)).toBe(0);
    const stage = stageOf(r, () => new Date(T0));
    expect((await stage.markFailed(id, new Error('boom'))).status).toBe('received');
    const later = stageOf(r, () => new Date(T0 + CLAIM_MS + 1));
    expect((await later.markFailed(id, new Error('boom'))).status).toBe('failed');
  });

  it('holds an 856 repeating an earlier BSN02 of the file across the resume point (the key is in the document, not a column)', async () => {
    let now = T0;
    const clock = () => new Date(now);
    const ships = Array.from({ length: SETS }, (_, k) => asn(k + 1, `SH-R-${k + 1 === 651 ? 6 : k + 1}`));
    const raw = Buffer.from(
      `${ISA('000000004')}GS*SH*DEMOPARTNER*DEMOSUPPLIER*20261201*1000*21*X*004010~\n${ships.join('')}` +
        `GE*${SETS}*21~\nIEA*1*000000004~\n`,
      'latin1',
    );
    const id = await store(r, raw);
    const killed = batches(2);
    await expect(stageOf(r, clock).run(id)).rejects.toThrow('killed between two batches');
    killed.restore();
    expect(killed.done[0]!).toBeLessThan(651);
    now += CLAIM_MS + 1;
    expect((await stageOf(r, clock).run(id)).status).toBe('processed');
    const rows = await rowsOf(r, id);
    expect(rows).toHaveLength(SETS);
    expect([rows[650]!.status, rows[650]!.duplicate_of]).toEqual([
      'held',
      expect.stringContaining(rows[5]!.id),
    ]);
    expect(rows.filter((t) => t.status === 'held')).toHaveLength(1);
  });
});
