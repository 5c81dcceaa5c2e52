/**
 * `npm run bench:batch [-- --mb 500]`: a retailer's nightly batch, one interchange of many 850s
 * (20 lines each, about 1 KB a PO; 100 MB by default), posted to the embedded service in one
 * request by a partner allowed a larger body (maxBodyBytes; EDI_BODY_LIMIT stays 10mb), so the
 * body is streamed to storage. Reports the time until the bytes are stored (the POST's 202), until
 * the interchange is translated with its 997 stored, and until every PO has its 855 (or how many
 * have one at the end of the time box, BENCH_BATCH_SECONDS, 600), and the service's peak RSS: its
 * VmRSS sampled from /proc every 100 ms at each point, and VmHWM at the end (the sandbox ERP, a
 * child process, apart). While the batch is translated, a second partner posts a one-PO
 * interchange every 2 s with ?wait=true: how long each waits for its 997 is what other writers
 * suffer meanwhile. The file is generated once under /tmp and kept for the next run. To stdout and
 * bench/results/batch.json.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, benchPo, createPartner, percentile, ready, start, writeResults } from './common';

/** The little of better-sqlite3 read here (it comes without types): the service's database, read-only beside it. */
interface Db {
  prepare(sql: string): { get(...params: unknown[]): unknown };
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string, options: object) => Db;

const arg = process.argv.indexOf('--mb');
const MB = Number(arg > 0 ? process.argv[arg + 1] : (process.env.BENCH_BATCH_MB ?? 100));
const SECONDS = Number(process.env.BENCH_BATCH_SECONDS ?? 600);
const PORT = 3821;

/** One 850 of 20 lines of the sandbox's five items, by vendor part. */
function po(n: number): string {
  const st = String(n % 1e9).padStart(9, '0');
  const segs = [`ST*850*${st}`, `BEG*00*SA*BATCH-${n}**20261125`, 'REF*DP*042', 'N1*ST*STORE 42*92*0042'];
  for (let l = 1; l <= 20; l++)
    segs.push(`PO1*${l}*${(l % 3) + 1}*EA*9.25**VP*V-${77 + (l % 5)}*UP*01234567890${l % 10}`);
  segs.push('CTT*20');
  segs.push(`SE*${segs.length + 1}*${st}`);
  return segs.join('~\n') + '~\n';
}

/** The batch file, written once: one ISA, one GS, as many 850s as fit in `mb` megabytes. */
async function batchFile(mb: number): Promise<{ file: string; pos: number }> {
  const file = join(tmpdir(), `edi-batch-${mb}mb-v2.x12`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta))
    return JSON.parse(readFileSync(meta, 'utf8')) as { file: string; pos: number };
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(
    'ISA*00*          *00*          *ZZ*BATCHPARTNER   *ZZ*DEMOSUPPLIER   *261125*1200*U*00401*000000001*0*P*>~\nGS*PO*BATCHPARTNER*DEMOSUPPLIER*20261125*1200*1*X*004010~\n',
  );
  let n = 0;
  let size = 0;
  while (size < mb * 1024 * 1024) {
    const text = po(++n);
    size += text.length;
    await write(text);
  }
  await write(`GE*${n}*1~\nIEA*1*000000001~\n`);
  out.end();
  await once(out, 'finish');
  writeFileSync(meta, JSON.stringify({ file, pos: n }));
  return { file, pos: n };
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM, and RSS's parts); 0 once the process is gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile' | 'RssShmem'): number {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Math.round(Number(kb ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** The children of a process (the sandbox ERP the embedded service starts). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The highest VmRSS of the service process seen so far, sampled every 100 ms, and the curve: the
 * highest of each 5 s, with the seconds since sampling began (just before the POST), to show what grows and when.
 */
class RssSampler {
  peak = 0;
  readonly curve: Array<[number, number]> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly began = performance.now();
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
  }
  sample(): number {
    const now = statusMb(this.pid, 'VmRSS');
    this.peak = Math.max(this.peak, now);
    const at = Math.floor((performance.now() - this.began) / 5000) * 5;
    const last = this.curve[this.curve.length - 1];
    if (last && last[0] === at) last[1] = Math.max(last[1], now);
    else this.curve.push([at, now]);
    return this.peak;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * One POST on a connection of its own (fetch would reuse the batch's, which the service closes
 * once the streamed body is answered): '<status> <body>', or why it failed.
 */
function post(url: string, key: string, body: string): Promise<string> {
  return new Promise((done) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'x-api-key': key } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('latin1')));
      res.on('end', () => done(`${res.statusCode} ${text.slice(0, 200)}`));
    });
    req.on('error', (e) => done(`failed: ${e.message}`));
    req.end(body);
  });
}

/**
 * A second partner's small POs, one every 2 s with ?wait=true, until `busy()` turns false: the
 * seconds each waited for its answer (the batch's translation shares the one SQLite writer).
 */
async function probe(api: string, key: string, busy: () => boolean): Promise<number[]> {
  const waits: number[] = [];
  for (let n = 1; busy(); n++) {
    const began = performance.now();
    const answer = await post(`${api}/v1/edi?wait=true`, key, benchPo(n));
    const waited = (performance.now() - began) / 1000;
    // a wait cut off (the connection dropped, no 200) still counts as waited that long, and is named
    if (!/^20[02] /.test(answer)) console.error(`probe PO ${n} after ${waited.toFixed(1)} s: ${answer}`);
    waits.push(waited);
    await new Promise((r) => setTimeout(r, 2000));
  }
  return waits.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const { file, pos } = await batchFile(MB);
  const bytes = statSync(file).size;
  const dataDir = mkdtempSync(join(tmpdir(), 'edi-batch-'));
  const service = start('apps/api/src/main.js', {
    PORT: String(PORT),
    EDI_DATA_DIR: dataDir,
    EDI_ERP_SANDBOX_PORT: String(PORT + 1),
    EDI_ADMIN_TOKEN: ADMIN,
    EDI_LOG_LEVEL: 'warn',
    EDI_BODY_TIMEOUT_MS: '600000',
    EDI_MAX_SEGMENTS_PER_SET: '500000',
  });
  const api = `http://127.0.0.1:${PORT}`;
  const result: Result = {
    mb: MB,
    bytes,
    pos,
    load_average_at_start: loadavg()[0]!.toFixed(1),
  };
  try {
    await ready(`${api}/health`);
    const { key, probeKey } = await partners(api, bytes);
    const rss = new RssSampler(service.pid!);
    result.idle_rss_mb = rss.sample();
    const began = performance.now();
    const seconds = () => Math.round(performance.now() - began) / 1000;
    const interchangeId = await postBatch(api, key, file, bytes);
    result.stored_seconds = seconds();
    result.stored_peak_rss_mb = rss.sample();
    const db = new Database(join(dataDir, 'edi.sqlite'), { readonly: true, fileMustExist: true });
    const run: Run = {
      db,
      interchangeId,
      end: began + SECONDS * 1000,
      seconds,
      rss,
      result,
      pid: service.pid!,
    };
    const translated = await untilTranslated(run, api, probeKey);
    await untilAll855(run, pos, translated);
    result.peak_rss_mb = rss.sample();
    result.service_vm_hwm_mb = statusMb(service.pid!, 'VmHWM');
    result.sandbox_vm_hwm_mb = Math.max(0, ...childrenOf(service.pid!).map((c) => statusMb(c, 'VmHWM')));
    rss.stop();
    result.rss_curve_mb = rss.curve.map(([t, mb]) => `${t}s ${mb}`).join(', ');
    result.load_average_at_end = loadavg()[0]!.toFixed(1);
    db.close();
  } finally {
    service.kill('SIGTERM');
  }
  console.table(result);
  writeResults('batch', {
    batch: `one interchange of ${pos} 20-line 850s posted to the embedded service by a partner allowed a larger body (streamed to storage); time box ${SECONDS} s`,
    ...result,
  });
  process.exit(0);
}

/** The figures in the order they are reported: each phase adds its own as it ends. */
type Result = Record<string, number | string>;

/** What the phases after the POST share: the database read beside the service, the clock, the time box. */
interface Run {
  db: Db;
  interchangeId: string;
  end: number;
  seconds: () => number;
  rss: RssSampler;
  result: Result;
  /** The service process. */
  pid: number;
}

async function partners(api: string, bytes: number): Promise<{ key: string; probeKey: string }> {
  const { key } = await createPartner(api, {
    name: 'Batch',
    isaId: 'BATCHPARTNER',
    erpCustomerId: 'C-TEST',
    deliveryChannel: 'outbox',
    // above EDI_BODY_LIMIT (10mb): the body is streamed to storage, never held whole
    maxBodyBytes: bytes + 1024,
  });
  // the other partner: no ERP, its 997 in the outbox, so its wait is the translate stage's alone
  const other = await createPartner(api, {
    name: 'Probe',
    isaId: 'BENCHPARTNER',
    deliveryChannel: 'outbox',
  });
  return { key, probeKey: other.key };
}

/** The batch streamed from the file, so the bench never holds it whole either; its interchange id. */
async function postBatch(api: string, key: string, file: string, bytes: number): Promise<string> {
  const posted = await fetch(`${api}/v1/edi`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-length': String(bytes) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  if (posted.status !== 202)
    throw new Error(`POST answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
  const { interchangeId } = (await posted.json()) as { interchangeId: string };
  return interchangeId;
}

/** Polls the interchange's status while the probe partner posts; the seconds until it was translated. */
async function untilTranslated(run: Run, api: string, probeKey: string): Promise<number> {
  const { db, interchangeId, result, rss } = run;
  const statusOf = db.prepare('SELECT status FROM interchanges WHERE id = ?');
  const status = () => (statusOf.get(interchangeId) as { status: string } | undefined)?.status ?? 'none';
  const busy = () => status() === 'received' && performance.now() < run.end;
  const probing = probe(api, probeKey, busy);
  while (busy()) await new Promise((r) => setTimeout(r, 500));
  const translated = run.seconds();
  const waits = await probing;
  result.probe_pos = waits.length;
  result.probe_wait_p50_seconds = Math.round(percentile(waits, 50) * 100) / 100;
  result.probe_wait_max_seconds = Math.round((waits[waits.length - 1] ?? NaN) * 100) / 100;
  result.translated_seconds = translated;
  result.interchange_status = status();
  // the batch's own (the probe POs have theirs)
  result.acks_997 = (
    db
      .prepare("SELECT COUNT(*) AS n FROM outbound_documents WHERE kind = '997' AND interchange_id = ?")
      .get(interchangeId) as { n: number }
  ).n;
  result.translated_peak_rss_mb = rss.sample();
  // what the RSS is made of then: the heap and native memory, mapped files, SQLite's shared WAL index
  result.translated_rss_parts_mb = (['RssAnon', 'RssFile', 'RssShmem'] as const)
    .map((f) => `${f} ${statusMb(run.pid, f)}`)
    .join(', ');
  return translated;
}

/** Counts 855s once a second until every PO has one or the time box ends. */
async function untilAll855(run: Run, pos: number, translated: number): Promise<void> {
  const { db, result } = run;
  const counted = db.prepare('SELECT COUNT(*) AS n FROM outbound_documents WHERE kind = ?');
  const count = (kind: string) => (counted.get(kind) as { n: number }).n;
  const atTranslated = count('855');
  result.pos_855_at_translated = atTranslated;
  let done = atTranslated;
  while (done < pos && performance.now() < run.end) {
    await new Promise((r) => setTimeout(r, 1000));
    done = count('855');
  }
  result.pos_855 = done;
  const ended = run.seconds();
  result.end_seconds = ended;
  // the time until the last PO had its 855, when that was within the time box
  result.all_855_seconds = done >= pos ? ended : 'not within the time box';
  // the ERP stage's pace once the sets are translated (what it did meanwhile left out)
  result.pos_855_per_second_after_translated =
    Math.round(((done - atTranslated) / Math.max(0.001, ended - translated)) * 10) / 10;
}

void main();
