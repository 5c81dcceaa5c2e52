/**
 * Every query the stages run per document must find its rows by an index that fits it: one that
 * reads the whole table (or the whole of a partner's rows) gets slower as history grows, and the
 * service with it (a duplicate check with an OR fell from 74 to 3-5 documents/s at 28k stored
 * transactions). The real repositories run on the real databases with the real migrations; each
 * statement they send is captured and explained: SQLite's EXPLAIN QUERY PLAN must not SCAN, and
 * Postgres (told to avoid sequential scans, so a small table does not hide a missing index) must
 * neither read a table sequentially nor walk a whole index.
 */
import {
  AuditTrail,
  ControlNumbers,
  DuplicateLookups,
  Interchanges,
  Outbox,
  PartnerChannels,
  AuditEvent,
  BusinessKey,
  Interchange,
  OutboundDocument,
  Transactions,
  TradingPartner,
  dataSourceOptions,
} from '@edi/persistence';
import { DataSource, type Logger } from 'typeorm';
import { databaseConfigs } from './helpers/databases';

interface Statement {
  sql: string;
  params: unknown[];
}

/** Keeps every statement sent while `recording` is on. */
class Recorder implements Logger {
  recording = false;
  statements: Statement[] = [];
  logQuery(sql: string, params?: unknown[]): void {
    if (this.recording) this.statements.push({ sql, params: params ?? [] });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** What the stages ask per interchange, transaction and outbound document (not schedules nor metrics). */
const HOT: Record<string, (ds: DataSource, ids: Ids) => Promise<unknown>> = {
  'ingest: interchange by Idempotency-Key': (ds, x) =>
    new Interchanges(ds.manager).byIdempotencyKey(x.partner, 'key-1'),
  'translate: interchange, payload, claim and finish': async (ds, x) => {
    const ics = new Interchanges(ds.manager);
    await ics.byId(x.interchange);
    await ics.payload(x.interchange);
    await ics.move(x.interchange, 'received', 'processing');
    await ics.finish(x.interchange, 'processed', []);
  },
  'translate: partner': (ds, x) => new PartnerChannels(ds.manager).byId(x.partner),
  'translate: ISA13 accepted before': async (ds, x) => {
    const d = new DuplicateLookups(ds.manager);
    await d.acceptIsa13(x.partner, '000000001', x.interchange);
    await d.isa13Holder(x.partner, '000000001');
  },
  'translate: same bytes received before': (ds, x) =>
    new DuplicateLookups(ds.manager).sameContent(x.partner, 'a'.repeat(64), x.interchange),
  'translate: same PO number received before': (ds, x) =>
    new DuplicateLookups(ds.manager).earlierByPoNumber(x.partner, x.interchange, ['850'], ['PO-1', 'PO-2']),
  'translate: same GS06 and ST02 received before': (ds, x) =>
    new DuplicateLookups(ds.manager).earlierByControlNumber(
      x.partner,
      x.interchange,
      ['850'],
      ['0001', '0002'],
      ['1', '2'],
    ),
  'translate: same BSN02 / BIG02 received before (business keys)': async (ds, x) => {
    const d = new DuplicateLookups(ds.manager);
    await d.earlierByNumber(x.partner, x.interchange, 'shipment', ['SH-1', 'SH-2']);
    await d.earlierByNumber(x.partner, x.interchange, 'invoice', ['INV-1']);
  },
  'translate: sets of a refused interchange taken back': (ds) =>
    new Transactions(ds.manager).deleteMany(['t-1', 't-2']),
  'translate: control numbers for the acks': (ds, x) =>
    new ControlNumbers(ds).nextMany(x.partner, { ISA: 1, GS: 2 }),
  'translate: outcome (sets and acks of an interchange)': async (ds, x) => {
    await new Transactions(ds.manager).summariesOf(x.interchange);
    await new Outbox(ds.manager).ofInterchange(x.interchange);
  },
  'erp: the PO, its claim, earlier decisions and unusable answers': async (ds, x) => {
    const txs = new Transactions(ds.manager);
    await txs.byId(x.transaction);
    await txs.inStatus(x.transaction, 'erp_pending');
    await txs.move(x.transaction, 'erp_pending', { status: 'accepted', erpRef: 'SO-1' });
    const audit = new AuditTrail(ds.manager);
    await audit.latest(x.transaction, 'erp.decided');
    await audit.count(x.transaction, 'erp.answer_unusable');
  },
  'erp: the transaction holding an ERP order': (ds, x) =>
    new Transactions(ds.manager).orderHolder(x.partner, '850', 'SO-1'),
  'erp: the PO an 855 answers, of this partner': async (ds, x) => {
    await new Transactions(ds.manager).ofPartner(x.transaction, x.partner);
    await new Transactions(ds.manager).partnersTestFlag(x.transaction, x.partner);
  },
  'ship: shipments and invoices sent, and the request cleared': async (ds, x) => {
    const txs = new Transactions(ds.manager);
    await txs.sentRefs(x.partner, ['SH-1', 'IN-1']);
    await txs.clearShipRequest(x.transaction, '2026-01-01T00:00:00.000Z');
  },
  'deliver: the document, the partner with its secret, the outcome': async (ds, x) => {
    const outbox = new Outbox(ds.manager);
    await outbox.find(x.document);
    await outbox.forDelivery(x.document);
    await outbox.ofPartner(x.document, x.partner);
    await new PartnerChannels(ds.manager).withWebhookSecret(x.partner);
    await outbox.delivered(x.document, 1, '2026-01-01T00:00:00.000Z');
    await outbox.attemptFailed(x.document, 1, 'HTTP 500');
    await outbox.giveUp(x.document, 'HTTP 500');
    await new Transactions(ds.manager).delivered(x.transaction);
  },
  'sftp: a partner poll (lease, settings, health)': async (ds, x) => {
    const partners = new PartnerChannels(ds.manager);
    await partners.takePollLease(x.partner, 'token', new Date());
    await partners.withSftp(x.partner);
    await partners.setSftpHealth(x.partner, { ok: true, at: '2026-01-01T00:00:00.000Z', failures: 0 });
    await partners.releasePollLease(x.partner, 'token');
  },
};

interface Ids {
  partner: string;
  interchange: string;
  transaction: string;
  document: string;
}

/** The tables whose size grows with traffic (partners, counters and staff stay small). */
const GROWING = [
  'interchanges',
  'interchange_payloads',
  'interchange_control_numbers',
  'transactions',
  'outbound_documents',
  'deliveries',
  'audit_events',
  'business_keys',
];

/**
 * Columns that pick out a few rows. An index searched by none of them (only by partner, status,
 * direction, set or time) still reads all of a partner's rows: the OR the duplicate rule had was
 * such a SEARCH, by partner_id alone, not a SCAN.
 */
const SELECTIVE = new Set([
  'id',
  'interchange_id',
  'transaction_id',
  'document_id',
  'subject_id',
  'in_reply_to',
  'resubmitted_from',
  'po_number',
  'control_number',
  'erp_ref',
  'sha256',
  'idempotency_key',
  'kind',
]);

// partial indexes holding only open work (an order waiting for its shipments), not history: a
// planner may well pick one for any query on its column, and it stays small however history grows
const OPEN_WORK_INDEXES = new Set(['ix_tx_ship_requested']);

function selective(condition: string): boolean {
  return [...condition.matchAll(/[a-z_0-9]+/g)].some((m) => SELECTIVE.has(m[0]));
}

/** SQLite: a SCAN reads a whole table (or index); a SEARCH by no selective column reads a partner's rows. */
async function sqliteScans(ds: DataSource, s: Statement): Promise<string[]> {
  const plan = await ds.query<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params);
  return plan
    .map((p) => p.detail)
    .filter((d) => {
      // a VALUES list or a constant row is not a table
      if (/^SCAN (CONSTANT ROW|\d+-ROW VALUES CLAUSE)/.test(d)) return false;
      if (/^SCAN /.test(d)) return true;
      const by = /^SEARCH \S+ USING .*\((.*)\)$/.exec(d);
      const index = /USING (?:COVERING )?INDEX (\S+)/.exec(d)?.[1] ?? '';
      return !!by && !selective(by[1]!) && !OPEN_WORK_INDEXES.has(index);
    });
}

interface PgPlan {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlan[];
}

/** The table of one of our indexes, by its name (ix_tx_… is transactions'). */
function tableOf(index: string | undefined): string | undefined {
  if (!index) return undefined;
  if (/^(ix|ux)_tx_/.test(index)) return 'transactions';
  if (/^ix_business_keys_/.test(index)) return 'business_keys';
  return undefined;
}

/** Postgres: a sequential scan, or an index walked end to end (no Index Cond), of a growing table. */
async function postgresScans(ds: DataSource, s: Statement): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    await runner.query('SET enable_seqscan = off');
    const [row] = (await runner.query(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.params)) as Array<{
      'QUERY PLAN': Array<{ Plan: PgPlan }>;
    }>;
    const found: string[] = [];
    const walk = (p: PgPlan) => {
      // a bitmap index scan names its index, its heap scan above it names the table
      const table = p['Relation Name'] ?? tableOf(p['Index Name']);
      if (table && GROWING.includes(table)) {
        if (p['Node Type'] === 'Seq Scan') found.push(`Seq Scan on ${table}`);
        if (
          /Index/.test(p['Node Type']) &&
          !selective(p['Index Cond'] ?? '') &&
          !OPEN_WORK_INDEXES.has(p['Index Name'] ?? '')
        )
          found.push(
            `${p['Node Type']} of ${p['Index Name']} on ${table} by ${p['Index Cond'] ?? 'nothing'}`,
          );
      }
      for (const child of p.Plans ?? []) walk(child);
    };
    walk(row!['QUERY PLAN'][0]!.Plan);
    return found;
  } finally {
    await runner.query('RESET enable_seqscan');
    await runner.release();
  }
}

/** The statements worth explaining: reads, updates, deletes and upserts (a plain insert finds no rows). */
function explainable(s: Statement): boolean {
  return /^\s*(SELECT|UPDATE|DELETE)\b/i.test(s.sql) || /\bON CONFLICT\b/i.test(s.sql);
}

/**
 * A history like a partner's after a while: a planner that knows the tables (Postgres analyses
 * them as they grow) picks by what is selective; on empty tables it picks any index at all.
 */
async function seed(ds: DataSource, partnerId: string): Promise<void> {
  const n = 3000;
  const at = (k: number) => `k${String(k).padStart(6, '0')}`;
  const txs = new Transactions(ds.manager);
  const interchanges = Array.from({ length: n }, (_, k) => ({
    id: `seed-i-${at(k)}`,
    partnerId,
    source: 'http' as const,
    sha256: at(k).padEnd(64, '0'),
    size: 100,
    idempotencyKey: k % 2 ? null : `seed-${at(k)}`,
    controlNumbers: String(k).padStart(9, '0'),
    status: 'processed' as const,
    issues: null,
  }));
  for (let k = 0; k < n; k += 200) await ds.getRepository(Interchange).insert(interchanges.slice(k, k + 200));
  await txs.insertMany(
    Array.from({ length: n * 2 }, (_, k) =>
      txs.create({
        id: `seed-t-${at(k)}`,
        interchangeId: k % 2 ? null : `seed-i-${at(k >> 1)}`,
        partnerId,
        direction: k % 2 ? 'out' : 'in',
        setId: k % 2 ? ['855', '856', '810'][k % 3]! : '850',
        version: '004010',
        controlNumber: String(k % 9999).padStart(4, '0'),
        groupControl: String(k),
        poNumber: `SEED-${at(k >> 1)}`,
        erpRef: k % 2 ? `seed-ref-${at(k)}` : `SO-${at(k)}`,
        status: k % 2 ? 'delivered' : 'accepted',
        document: {},
        issues: [],
        duplicateOf: null,
      }),
    ),
  );
  const docs = Array.from({ length: n }, (_, k) => ({
    id: `seed-d-${at(k)}`,
    partnerId,
    interchangeId: `seed-i-${at(k)}`,
    transactionId: `seed-t-${at(k * 2 + 1)}`,
    kind: '997',
    controlNumber: String(k).padStart(9, '0'),
    x12: '',
    channel: 'outbox' as const,
    status: 'delivered' as const,
  }));
  const events = Array.from({ length: n }, (_, k) => ({
    id: `seed-a-${at(k)}`,
    subjectId: `seed-t-${at(k)}`,
    action: 'erp.decided',
    actor: 'seed',
    detail: { decisions: [] },
  }));
  // the shipment ids and invoice numbers of the seeded 856s and 810s (both ways), as translation records them
  const keys = Array.from({ length: n }, (_, k) => ({
    transactionId: `seed-t-${at(k * 2 + 1)}`,
    kind: k % 2 ? ('shipment' as const) : ('invoice' as const),
    value: `SEED-N-${at(k)}`,
    partnerId,
  }));
  for (let k = 0; k < n; k += 200) {
    await ds.getRepository(BusinessKey).insert(keys.slice(k, k + 200));
    await ds.getRepository(OutboundDocument).insert(docs.slice(k, k + 200));
    await ds.getRepository(AuditEvent).insert(events.slice(k, k + 200));
  }
  if (ds.options.type === 'postgres') for (const table of GROWING) await ds.query(`ANALYZE ${table}`);
}

describe.each(databaseConfigs())('the hot queries on %s use an index that fits', (kind, config) => {
  const recorder = new Recorder();
  let ds: DataSource;
  const ids: Ids = { partner: '', interchange: 'i-1', transaction: 't-1', document: 'd-1' };

  beforeAll(async () => {
    const c = config();
    ds = new DataSource({ ...dataSourceOptions(c), logger: recorder });
    await ds.initialize();
    if (c.schema) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${c.schema}"`);
    await ds.runMigrations({ transaction: 'all' });
    const partner = await ds.getRepository(TradingPartner).save(
      ds.getRepository(TradingPartner).create({
        name: 'Plans',
        isaQualifier: 'ZZ',
        isaId: 'PLANS',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'US',
      }),
    );
    ids.partner = partner.id;
    await seed(ds, partner.id);
  });

  afterAll(async () => {
    if (ds?.options.type === 'postgres')
      await ds.query(`DROP SCHEMA IF EXISTS "${ds.options.schema}" CASCADE`);
    await ds?.destroy();
  });

  // the check bites: the duplicate rule's old OR over two indexed columns can use neither index
  // on SQLite, which then reads every row of the partner (Postgres ORs two bitmap index scans)
  if (kind === 'sqlite')
    it('finds the partner-wide read in the OR the duplicate rule had', async () => {
      const scans = await sqliteScans(ds, {
        sql: "SELECT id FROM transactions WHERE partner_id = ? AND interchange_id <> ? AND set_id IN (?) AND status NOT IN ('rejected', 'superseded') AND (po_number IN (?) OR control_number IN (?))",
        params: [ids.partner, ids.interchange, '850', 'PO-1', '0001'],
      });
      expect(scans).not.toEqual([]);
    });

  // most partners number every set 0001: by ST02 alone the lookup reads all their earlier sets
  if (kind === 'sqlite')
    it('looks the same GS06 and ST02 up by both, not by the ST02 every set shares', async () => {
      recorder.statements = [];
      recorder.recording = true;
      try {
        await new DuplicateLookups(ds.manager).earlierByControlNumber(
          ids.partner,
          ids.interchange,
          ['850'],
          ['0001'],
          ['7'],
        );
      } finally {
        recorder.recording = false;
      }
      const [s] = recorder.statements;
      const plan = await ds.query<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${s!.sql}`, s!.params);
      expect(plan.map((p) => p.detail).join('\n')).toContain('ix_tx_partner_group_control');
    });

  it.each(Object.keys(HOT))('%s', async (name) => {
    recorder.statements = [];
    recorder.recording = true;
    try {
      await HOT[name]!(ds, ids).catch((e: Error) => {
        // rows the lookups find are not the point: a missing one (findOneByOrFail) is fine here
        if (!/Could not find any entity/.test(e.message)) throw e;
      });
    } finally {
      recorder.recording = false;
    }
    const statements = recorder.statements.filter(explainable);
    expect(statements.length).toBeGreaterThan(0);
    const scans: string[] = [];
    for (const s of statements) {
      const found = kind === 'postgres' ? await postgresScans(ds, s) : await sqliteScans(ds, s);
      for (const f of found) scans.push(`${f}\n    in ${s.sql}`);
    }
    expect(scans).toEqual([]);
  });
});
