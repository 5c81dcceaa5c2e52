/**
 * `npm run bench`: what users run by default — `edi validate` (envelopes and the guides), `edi
 * translate` (X12 to JSON) and `edi translate --to x12` (JSON back), each a whole process of the
 * built CLI — beside our tokenizer, our envelope reader, node-x12 and a count-only indexOf scan
 * (the practical limit for reading a file in Node), on generated 10 MB, 50 MB and 100 MB 850
 * interchanges; `--gb` adds a 1 GB one. Each contender runs in its own process so that peak RSS is its own, and
 * each is timed as that whole process (Node's startup included), so ratios compare like with like.
 * Figures and ratios go to stdout and to bench/results/x12.json; inputs go to the temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EnvelopeReader, SegmentTokenizer, X12Issue } from '../libs/x12/src';

// Compiled to dist/bench; inputs and results live in the source tree's bench/.
const BENCH_DIR = join(__dirname, '..', '..', 'bench');
const TMP = process.env.BENCH_TMP ?? join(tmpdir(), 'edi-bench');
const EDI = join(BENCH_DIR, '..', 'bin', 'edi.js');
const RESULTS = join(BENCH_DIR, 'results');
const MB = 1024 * 1024;
type Contender =
  | 'ours'
  | 'ours-validate'
  | 'raw-scan'
  | 'node-x12'
  | 'ours-1gb'
  | 'edi-validate'
  | 'edi-translate'
  | 'edi-to-x12';

/** The CLI's default paths, run as a user runs them: the command line of each, its input last. */
const CLI: Partial<Record<Contender, string[]>> = {
  'edi-validate': ['validate'],
  'edi-translate': ['translate'],
  'edi-to-x12': ['translate', '--to', 'x12'],
};

interface Measure {
  contender: Contender;
  size_mb: number;
  seconds: number;
  mb_s: number;
  peak_rss_mb: number;
  /** In a child, the time from its start of work to its end, without Node's startup (seconds is the whole process). */
  inner_seconds?: number;
  segments?: number;
  error?: string;
  /** Each run's seconds, when the figure is the median of several. */
  seconds_of_runs?: number[];
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

/** A whole `edi` process under GNU time: wall clock (startup included) and peak RSS; output discarded. */
function measureCli(contender: Contender, file: string, sizeMb: number): Measure {
  const args = ['-v', process.execPath, EDI, ...CLI[contender]!, file];
  const r = spawnSync('/usr/bin/time', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 30 * 60 * 1000,
    maxBuffer: 64 * MB,
  });
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const seconds = wallClock(r.stderr);
  const size = statSync(file).size / MB;
  const failed = r.status !== 0 ? `exit ${r.status}: ${r.stderr.trim().split('\n')[0]}` : undefined;
  return {
    contender,
    size_mb: round(sizeMb),
    seconds: round(seconds),
    mb_s: round(size / seconds),
    peak_rss_mb: round(Number(rss) / 1024),
    ...(failed ? { error: failed } : {}),
  };
}

/**
 * The run of median time among n: a single run of the scan (0.2 s at 100 MB) moves by a third from
 * one run to the next on a shared VM, and every ratio is to it. node-x12 (35 s at 100 MB) and the
 * 1 GB runs go once.
 */
function medianOf(n: number, run: () => Measure): Measure {
  const all = Array.from({ length: n }, run).sort((a, b) => a.seconds - b.seconds);
  return { ...all[Math.floor(n / 2)]!, ...(n > 1 ? { seconds_of_runs: all.map((m) => m.seconds) } : {}) };
}

/** The wall clock time GNU time -v reports, in seconds (NaN when it is not there). */
function wallClock(stderr: string): number {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  return wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
}

/** The JSON documents of an X12 file, for `edi translate --to x12` to read back. */
function translated(file: string): string {
  const json = file.replace(/\.x12$/, '.json');
  if (existsSync(json)) return json;
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${EDI}" translate "${file}" > "${json}"`]);
  if (r.status !== 0) throw new Error(`edi translate ${file} failed: ${String(r.stderr)}`);
  return json;
}

function measure(contender: Contender, file: string, sizeMb: number): Measure {
  if (CLI[contender]) return measureCli(contender, file, sizeMb);
  // Children run the compiled JavaScript, so no TypeScript compiler sits in their memory.
  // timed as whole processes under GNU time, as the CLI contenders are, so a ratio to the scan
  // compares like with like (Node's startup is in both)
  const args = [
    '-v',
    process.execPath,
    '--max-old-space-size=16384',
    __filename,
    '--child',
    contender,
    file,
    String(sizeMb),
  ];
  const r = spawnSync('/usr/bin/time', args, {
    encoding: 'utf8',
    timeout: 15 * 60 * 1000,
    maxBuffer: 1 << 20,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    const inner = JSON.parse(line) as Measure;
    const seconds = wallClock(r.stderr);
    const size = contender === 'ours-1gb' ? sizeMb : statSync(file).size / MB;
    return { ...inner, seconds: round(seconds), mb_s: round(size / seconds), inner_seconds: inner.seconds };
  } catch {
    const why =
      r.error?.message ??
      (r.stderr.split('\tCommand being timed')[0]!.trim().split('\n').slice(-1)[0] ||
        `exit ${r.status} ${r.signal ?? ''}`);
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
  if (!existsSync('/usr/bin/time')) throw new Error('npm run bench needs /usr/bin/time (GNU time)');
  const quick = process.argv.includes('--quick');
  const gb = process.argv.includes('--gb');
  const sizes = quick ? [10] : gb ? [10, 50, 100, 1024] : [10, 50, 100];
  const runs: Measure[] = [];
  for (const size of sizes) {
    const file = generated(size * MB);
    // read once first, so the first contender does not pay for bringing the file into the page cache
    readFileSync(file);
    const contenders: Contender[] = ['raw-scan', 'ours', 'ours-validate', 'edi-validate', 'edi-translate'];
    // node-x12 holds the whole file as a string and its object model (5.5 GB at 100 MB)
    if (size <= 100) contenders.push('node-x12');
    for (const c of contenders) {
      process.stderr.write(`${c} on ${size} MB…\n`);
      runs.push(medianOf(c === 'node-x12' || size > 100 ? 1 : 3, () => measure(c, file, size)));
    }
    // the JSON of 100 MB of X12 is 500 MB, more than one string can hold: JSON → X12 reads it whole
    if (size <= 10) {
      process.stderr.write(`edi-to-x12 on the JSON of ${size} MB…\n`);
      runs.push(measure('edi-to-x12', translated(file), size));
    }
  }
  if (gb) {
    process.stderr.write('ours-validate streaming a 1024 MB interchange…\n');
    runs.push(measure('ours-1gb', '-', 1024));
  }

  const at = (c: Contender, size: number) =>
    runs.find((r) => r.contender === c && r.size_mb >= size * 0.99 && r.size_mb < size * 1.1);
  /** How the default paths compare with the scan (time, lower is better) and with node-x12 (speed). */
  const ratios = sizes.map((size) => {
    const scan = at('raw-scan', size)?.seconds ?? NaN;
    const node = at('node-x12', size)?.mb_s ?? NaN;
    const times = (c: Contender) => round((at(c, size)?.seconds ?? NaN) / scan);
    return {
      size_mb: size,
      validate_x_scan_time: times('edi-validate'),
      translate_x_scan_time: times('edi-translate'),
      tokenizer_x_scan_time: times('ours'),
      envelope_x_scan_time: times('ours-validate'),
      validate_x_node_x12_speed: round((at('edi-validate', size)?.mb_s ?? NaN) / node),
    };
  });
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
  console.table(ratios);
  console.log(
    "targets: edi validate within 10x the scan's time, edi translate within 15x, edi validate at least 20x node-x12",
  );
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    command: `npm run bench${quick ? ' -- --quick' : gb ? ' -- --gb' : ''}`,
    input:
      'generated 850 interchanges of 20-line POs; edi-to-x12 reads the JSON edi translate made of the 10 MB one',
    ratios,
    runs,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, quick ? 'x12.quick.json' : 'x12.json'),
    JSON.stringify(summary, null, 2) + '\n',
  );
}

void main();
