import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { createPartner } from './helpers/admin';
import { POSTGRES_URL } from './helpers/databases';
import { API_MAIN, Processes, freePort, healthy } from './helpers/processes';

/** The little of better-sqlite3 read here (it comes without types). */
interface Sqlite {
  prepare(sql: string): { get(...params: unknown[]): unknown };
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string, options: object) => Sqlite;

const ADMIN = 'large-batch-admin-token-0123456789';
const SETS = 5_000;
/** The global limit of the service under test: the batch (about 4.8 MB) is well over it. */
const GLOBAL_LIMIT = '1mb';
const PARTNER_LIMIT = 10 * 1024 * 1024;
/**
 * The server's resident set may grow by at most this much over its size once started and idle:
 * holding the body, every set's document or the 997's tree of 10,000 segments would pass it.
 */
const RSS_GROWTH_MB = 120;

jest.setTimeout(120_000);

/** One 850 of 20 lines; SE01 counts ST, BEG, REF, N1, the PO1s, CTT and SE. */
function po(n: number): string {
  const st = String(n).padStart(4, '0');
  const segs = [`ST*850*${st}`, `BEG*00*SA*LB-${n}**20261125`, 'REF*DP*042', 'N1*ST*STORE 42*92*0042'];
  for (let l = 1; l <= 20; l++)
    segs.push(`PO1*${l}*${(l % 3) + 1}*EA*9.25**VP*V-${77 + (l % 5)}*UP*01234567890${l % 10}`);
  segs.push('CTT*20');
  segs.push(`SE*${segs.length + 1}*${st}`);
  return segs.join('~\n') + '~\n';
}

function batch(isaId: string): Buffer {
  const sender = isaId.padEnd(15);
  const parts = [
    `ISA*00*          *00*          *ZZ*${sender}*ZZ*DEMOSUPPLIER   *261125*1200*U*00401*000000001*0*P*>~\n`,
    `GS*PO*${isaId}*DEMOSUPPLIER*20261125*1200*1*X*004010~\n`,
  ];
  for (let n = 1; n <= SETS; n++) parts.push(po(n));
  parts.push(`GE*${SETS}*1~\nIEA*1*000000001~\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

/** VmRSS of a process, in MB, from /proc. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** How many chunks the interchange's bytes were stored in, read from the service's own database. */
type ChunkCount = (interchangeId: string) => Promise<number>;

const databases: Array<
  [string, () => Promise<{ env: Record<string, string>; chunks: ChunkCount; close(): Promise<void> }>]
> = [
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'edi-large-'));
      let db: Sqlite | undefined;
      return Promise.resolve({
        env: { EDI_DATA_DIR: dir },
        chunks: (id: string) => {
          db ??= new Database(join(dir, 'edi.sqlite'), { readonly: true, fileMustExist: true });
          const row = db
            .prepare('SELECT COUNT(*) AS n FROM interchange_payload_chunks WHERE interchange_id = ?')
            .get(id) as { n: number };
          return Promise.resolve(row.n);
        },
        close: () => Promise.resolve(db?.close()),
      });
    },
  ],
  [
    'postgres',
    async () => {
      const schema = `t_large_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const client = new Client({ connectionString: POSTGRES_URL });
      await client.connect();
      return {
        env: {
          EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-large-')),
          DATABASE_URL: POSTGRES_URL,
          EDI_DB_SCHEMA: schema,
        },
        chunks: async (id: string) => {
          const r = await client.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM "${schema}".interchange_payload_chunks WHERE interchange_id = $1`,
            [id],
          );
          return Number(r.rows[0]!.n);
        },
        close: async () => {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  ],
];

/**
 * A nightly batch of 5,000 850s posted by a partner allowed a larger body, against the built
 * service in its own process: stored in chunks as it streams in, one 997 with an AK2 per set,
 * and the server's memory sampled from /proc all the while.
 */
describe.each(databases)('a large batch (%s)', (_name, database) => {
  const procs = new Processes();
  let url: string;
  let pid: number;
  let db: Awaited<ReturnType<typeof database>>;

  beforeAll(async () => {
    db = await database();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const service = procs.start('api', API_MAIN, {
      PORT: String(port),
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_ERP_SANDBOX_PORT: '0',
      EDI_BODY_LIMIT: GLOBAL_LIMIT,
      EDI_LOG_LEVEL: 'warn',
      ...db.env,
    });
    pid = service.pid!;
    await procs.until('the service to answer', () => healthy(`${url}/health`));
  });

  afterAll(async () => {
    procs.killAll();
    await db?.close();
  });

  it('is stored in chunks, gets one 997 with an AK2 per set, in bounded memory; others get 413', async () => {
    const big = await createPartner(url, ADMIN, { isaId: 'BIGBATCH', maxBodyBytes: PARTNER_LIMIT });
    const small = await createPartner(url, ADMIN, { isaId: 'SMALLBATCH' });
    const body = batch('BIGBATCH');
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);

    const idle = rssMb(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 25);
    try {
      const posted = await fetch(`${url}/v1/edi`, {
        method: 'POST',
        headers: { 'x-api-key': big.key },
        body,
      });
      expect(posted.status).toBe(202);
      const { interchangeId } = (await posted.json()) as { interchangeId: string };
      // 4 MB chunks: the body was written as it came, not as one payload read whole
      expect(await db.chunks(interchangeId)).toBe(Math.ceil(body.length / (4 * 1024 * 1024)));

      let ack: { kind: string; x12: string } | undefined;
      await procs.until(
        'the 997',
        async () => {
          // a busy server may drop a kept-alive connection as it is reused: asked again
          const r = await fetch(`${url}/v1/outbox`, { headers: { 'x-api-key': big.key } }).catch(
            () => undefined,
          );
          if (!r) return false;
          const { items } = (await r.json()) as { items: Array<{ kind: string; x12: string }> };
          ack = items.find((i) => i.kind === '997');
          return !!ack;
        },
        90_000,
      );
      const segments = ack!.x12.split('~').map((s) => s.trim());
      expect(segments.filter((s) => s.startsWith('AK2*850*')).length).toBe(SETS);
      expect(segments.filter((s) => s === 'AK5*A').length).toBe(SETS);
      expect(segments).toContain(`AK9*A*${SETS}*${SETS}*${SETS}`);
      expect(new Set(segments.filter((s) => s.startsWith('AK2*'))).size).toBe(SETS);
    } finally {
      clearInterval(sampler);
    }
    process.stdout.write(`${_name}: idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB\n`);
    expect(peak - idle).toBeLessThan(RSS_GROWTH_MB);

    // a partner without the larger limit: EDI_BODY_LIMIT holds
    const refused = await fetch(`${url}/v1/edi`, {
      method: 'POST',
      headers: { 'x-api-key': small.key },
      body: batch('SMALLBATCH'),
    });
    expect(refused.status).toBe(413);
    // and the larger limit is a limit too, refused before the body is read
    const over = await fetch(`${url}/v1/edi`, {
      method: 'POST',
      headers: { 'x-api-key': big.key },
      body: Buffer.alloc(PARTNER_LIMIT + 1, 0x41),
    });
    expect(over.status).toBe(413);
    // a body without Content-Length is counted as it streams in, and cut off past the limit
    const pieces = function* () {
      for (let sent = 0; sent <= PARTNER_LIMIT; sent += 1024 * 1024) yield Buffer.alloc(1024 * 1024, 0x41);
    };
    const chunked = await fetch(`${url}/v1/edi`, {
      method: 'POST',
      headers: { 'x-api-key': big.key },
      body: Readable.toWeb(Readable.from(pieces())),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
  });
});
