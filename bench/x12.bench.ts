/**
 * `npm run bench`: our tokenizer against node-x12 and against a bare indexOf scan (the practical
 * limit for finding segments in Node), on generated 10 MB and 100 MB 850 interchanges, and our full
 * envelope validation streaming a 1 GB interchange. Each contender runs in its own process so that
 * peak RSS is its own. Figures go to stdout as a table and to bench/results/x12.json.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EnvelopeReader, SegmentTokenizer, X12Issue } from '../libs/x12/src';

// Compiled to dist/bench; inputs and results live in the source tree's bench/.
const BENCH_DIR = join(__dirname, '..', '..', 'bench');
const TMP = join(BENCH_DIR, 'tmp');
const RESULTS = join(BENCH_DIR, 'results');
const MB = 1024 * 1024;
type Contender = 'ours' | 'ours-validate' | 'raw-scan' | 'node-x12' | 'ours-1gb';

interface Measure {
  contender: Contender;
  size_mb: number;
  seconds: number;
  mb_s: number;
  peak_rss_mb: number;
  segments?: number;
  error?: string;
}

// ---------- generated input ----------

const ISA =
  'ISA*00*          *00*          *ZZ*BENCHBUYER     *ZZ*BENCHSUPPLIER  *261125*1200*U*00401*000000001*0*P*>~\n';
const GS = 'GS*PO*BENCHBUYER*BENCHSUPPLIER*20261125*1200*1*X*004010~\n';

/** One 850 with 20 lines, as partners send them (~1.5 KB). */
function purchaseOrder(n: number): string {
  const control = String(n % 1_000_000_000).padStart(4, '0');
  const segs = [
    `ST*850*${control}`,
    `BEG*00*SA*PO${n}**20261125`,
    'REF*DP*042',
    'DTM*002*20261201',
    'N1*ST*STORE 42*92*0042',
    'N3*100 MAIN STREET',
    'N4*SPRINGFIELD*IL*62701*US',
  ];
  for (let l = 1; l <= 20; l++)
    segs.push(
      `PO1*${l}*${l * 3}*EA*${(l * 1.25).toFixed(2)}**BP*SKU-${l}*VP*V${l}00*UP*0123456789${String(l).padStart(2, '0')}`,
      `PID*F****WIDGET MODEL ${l}`,
    );
  segs.push('CTT*20');
  segs.push(`SE*${segs.length + 1}*${control}`);
  return segs.map((s) => s + '~\n').join('');
}

/** A single interchange of `bytes` or a little more, written to bench/tmp once. */
function generated(bytes: number): string {
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `850-${Math.round(bytes / MB)}MB.x12`);
  if (existsSync(file)) return file;
  const parts: string[] = [ISA, GS];
  let size = ISA.length + GS.length;
  let n = 0;
  while (size < bytes) {
    const po = purchaseOrder(++n);
    parts.push(po);
    size += po.length;
  }
  parts.push(`GE*${n}*1~\n`, 'IEA*1*000000001~\n');
  writeFileSync(file, parts.join(''));
  return file;
}

/** A 1 GB interchange made while it is read, so nothing of it sits in memory or on disk. */
function gigabyteStream(bytes: number): Readable {
  let sent = 0;
  let n = 0;
  let done = false;
  return new Readable({
    read() {
      if (done) return void this.push(null);
      if (sent === 0) {
        sent += ISA.length + GS.length;
        return void this.push(ISA + GS);
      }
      if (sent >= bytes) {
        done = true;
        return void this.push(`GE*${n}*1~\nIEA*1*000000001~\n`);
      }
      const parts: string[] = [];
      let size = 0;
      while (size < MB) {
        const po = purchaseOrder(++n);
        parts.push(po);
        size += po.length;
      }
      sent += size;
      this.push(parts.join(''));
    },
  });
}

// ---------- contenders (run in a child process each) ----------

async function runChild(contender: Contender, file: string, sizeMb: number): Promise<Measure> {
  const started = process.hrtime.bigint();
  let segments = 0;
  if (contender === 'raw-scan') {
    for await (const chunk of createReadStream(file, { highWaterMark: MB }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(0x7e); i !== -1; i = chunk.indexOf(0x7e, i + 1)) segments++;
    }
  } else if (contender === 'ours') {
    const t = new SegmentTokenizer();
    const sink = () => void segments++;
    for await (const chunk of createReadStream(file, { highWaterMark: MB }) as AsyncIterable<Buffer>)
      t.write(chunk, sink);
    t.end(sink);
  } else if (contender === 'ours-validate' || contender === 'ours-1gb') {
    const issues: X12Issue[] = [];
    const t = new SegmentTokenizer();
    const reader = new EnvelopeReader(
      { onIssue: (i) => void (issues.length < 10 && issues.push(i)) },
      { issues: t.headerIssues, fixedWidth: t.headerFixedWidth },
      { keepTransactions: false },
    );
    const sink = (s: Parameters<EnvelopeReader['push']>[0]) => {
      segments++;
      reader.push(s);
    };
    const source =
      contender === 'ours-1gb' ? gigabyteStream(sizeMb * MB) : createReadStream(file, { highWaterMark: MB });
    for await (const chunk of source as AsyncIterable<Buffer | string>)
      t.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, sink);
    t.end(sink);
    reader.end();
    if (issues.length) throw new Error(`generated input reported as invalid: ${issues[0]!.message}`);
  } else {
    // node-x12 parses a whole string into its object model; strict mode checks the envelopes.
    const { X12Parser } = await import('node-x12');
    const text = readFileSync(file, 'utf8');
    const ic = new X12Parser(true).parse(text) as unknown as {
      functionalGroups: Array<{ transactions: Array<{ segments: unknown[] }> }>;
    };
    for (const g of ic.functionalGroups) for (const tx of g.transactions) segments += tx.segments.length + 2;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const size = contender === 'ours-1gb' ? sizeMb : statSync(file).size / MB;
  return {
    contender,
    size_mb: round(size),
    seconds: round(seconds),
    mb_s: round(size / seconds),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    segments,
  };
}

function measure(contender: Contender, file: string, sizeMb: number): Measure {
  // Children run the compiled JavaScript, so no TypeScript compiler sits in their memory.
  const args = ['--max-old-space-size=16384', __filename, '--child', contender, file, String(sizeMb)];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 15 * 60 * 1000,
    maxBuffer: 1 << 20,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Measure;
  } catch {
    const why =
      r.error?.message ?? (r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.status} ${r.signal ?? ''}`);
    return { contender, size_mb: sizeMb, seconds: NaN, mb_s: NaN, peak_rss_mb: NaN, error: why };
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [, , , contender, file, size] = process.argv;
    process.stdout.write(JSON.stringify(await runChild(contender as Contender, file!, Number(size))) + '\n');
    return;
  }
  const quick = process.argv.includes('--quick');
  const sizes = quick ? [10] : [10, 100];
  const runs: Measure[] = [];
  for (const size of sizes) {
    const file = generated(size * MB);
    for (const c of ['raw-scan', 'ours', 'ours-validate', 'node-x12'] as Contender[]) {
      process.stderr.write(`${c} on ${size} MB…\n`);
      runs.push(measure(c, file, size));
    }
  }
  const gb = quick ? 100 : 1024;
  process.stderr.write(`ours-validate streaming a ${gb} MB interchange…\n`);
  runs.push(measure('ours-1gb', '-', gb));

  console.table(
    runs.map((r) => ({
      contender: r.contender,
      'size MB': r.size_mb,
      'MB/s': r.mb_s,
      'peak RSS MB': r.peak_rss_mb,
      seconds: r.seconds,
      error: r.error ?? '',
    })),
  );
  const at = (c: Contender, size: number) =>
    runs.find((r) => r.contender === c && r.size_mb >= size * 0.99 && r.size_mb < size * 1.1);
  const big = sizes[sizes.length - 1]!;
  const ours = at('ours', big)!;
  const raw = at('raw-scan', big)!;
  const node = at('node-x12', big)?.error ? at('node-x12', sizes[0]!)! : at('node-x12', big)!;
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    input: `${big} MB generated 850 interchange (20-line POs); node-x12 figure from ${node.size_mb} MB`,
    ours_mb_s: ours.mb_s,
    ours_validate_mb_s: at('ours-validate', big)!.mb_s,
    node_x12_mb_s: node.mb_s,
    raw_scan_mb_s: raw.mb_s,
    ratio_vs_node_x12: round(ours.mb_s / node.mb_s),
    ratio_vs_raw_scan: round(ours.mb_s / raw.mb_s),
    peak_rss_mb: ours.peak_rss_mb,
    node_x12_peak_rss_mb: node.peak_rss_mb,
    gigabyte_stream: runs.find((r) => r.contender === 'ours-1gb'),
    runs,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, quick ? 'x12.quick.json' : 'x12.json'),
    JSON.stringify(summary, null, 2) + '\n',
  );
  console.log(
    `\nours ${summary.ours_mb_s} MB/s = ${summary.ratio_vs_node_x12}× node-x12 (${summary.node_x12_mb_s} MB/s), ` +
      `${Math.round(summary.ratio_vs_raw_scan * 100)}% of a bare indexOf scan (${summary.raw_scan_mb_s} MB/s); peak RSS ${summary.peak_rss_mb} MB. ` +
      `${summary.gigabyte_stream?.size_mb} MB interchange validated at ${summary.gigabyte_stream?.mb_s} MB/s in ${summary.gigabyte_stream?.peak_rss_mb} MB RSS.`,
  );
}

void main();
