/**
 * `npm run bench:memory`: peak RSS and time of `edi validate` (and `edi translate`) on generated
 * 10 MB and 100 MB files of four shapes: many small 850s; millions of one-PO interchanges; one 850
 * whose PO1 loop repeats without end (refused past EDI_MAX_SEGMENTS_PER_SET); one 850 whose N1 loop
 * repeats, each line wrong.
 * Each run is its own process under /usr/bin/time -v. The target is under 200 MB at any size.
 * BENCH_SIZES_MB=10,100,1000 picks the sizes and BENCH_SHAPES the shapes; the inputs are written
 * once under BENCH_TMP (the system's temporary folder). Figures go to stdout and
 * bench/results/memory.json, where a run replaces the figures of what it measured and keeps the rest.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { purchaseOrder } from '../libs/x12/src/testing/large';

// Compiled to dist/bench; inputs and results live in the source tree's bench/.
const ROOT = join(__dirname, '..', '..');
const TMP = process.env.BENCH_TMP ?? join(tmpdir(), 'edi-bench');
const RESULTS = join(ROOT, 'bench', 'results');
const MB = 1024 * 1024;
const isa = (control: number) =>
  `ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261125*1230*U*00401*${String(control).padStart(9, '0')}*0*P*>~\n`;
const gs = (control: number) => `GS*PO*SENDERAPP*RECEIVERAPP*20261125*1230*${control}*X*004010~\n`;
// GE01 counts at most 999,999 sets; a sender of a gigabyte of POs splits it into groups
const SETS_PER_GROUP = 100_000;

type Shape = 'many-sets' | 'po1-loop' | 'n1-loop-bad' | 'many-interchanges';

/** Each shape is a head, the nth piece (repeated to the size asked for) and a tail after n pieces. */
const SHAPES: Record<Shape, { head: string; piece: (n: number) => string; tail: (n: number) => string }> = {
  'many-sets': {
    head: isa(1) + gs(1),
    piece: (n) =>
      (n > 1 && (n - 1) % SETS_PER_GROUP === 0
        ? `GE*${SETS_PER_GROUP}*${(n - 1) / SETS_PER_GROUP}~\n${gs((n - 1) / SETS_PER_GROUP + 1)}`
        : '') + purchaseOrder(n, 20),
    tail: (n) => {
      const groups = Math.ceil(n / SETS_PER_GROUP);
      return `GE*${n - (groups - 1) * SETS_PER_GROUP}*${groups}~\nIEA*${groups}*000000001~\n`;
    },
  },
  'po1-loop': {
    head: isa(1) + gs(1) + 'ST*850*0001~\nBEG*00*SA*PO-1**20261125~\n',
    piece: (n) => `PO1*${n}*1*EA*9.25**BP*B-${n}~\n`,
    tail: (n) => `SE*${n + 3}*0001~\nGE*1*1~\nIEA*1*000000001~\n`,
  },
  'n1-loop-bad': {
    head: isa(1) + gs(1) + 'ST*850*0001~\nBEG*00*SA*PO-1**20261125~\n',
    piece: (n) => `N1*XX*NAME ${n}*92*${n}~\n`, // XX is not an entity code: one finding a line
    tail: (n) => `SE*${n + 3}*0001~\nGE*1*1~\nIEA*1*000000001~\n`,
  },
  // millions of one-PO interchanges: what the reader remembers per interchange must stay bounded
  'many-interchanges': {
    head: '',
    piece: (n) => `${isa(n)}${gs(1)}${purchaseOrder(1, 1)}GE*1*1~\nIEA*1*${String(n).padStart(9, '0')}~\n`,
    tail: () => '',
  },
};

/** Writes a file of about `size` bytes in 1 MB pieces, so the generator itself stays small. */
function generate(shape: Shape, size: number): string {
  const file = join(TMP, `memory-${shape}-${size / MB}mb.x12`);
  if (existsSync(file)) return file;
  const { head, piece, tail } = SHAPES[shape];
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  let written = head.length;
  let n = 0;
  while (written < size) {
    const pieces: string[] = [];
    for (let bytes = 0; bytes < MB;) {
      const text = piece(++n);
      pieces.push(text);
      bytes += text.length;
    }
    const text = pieces.join('');
    writeSync(fd, text);
    written += text.length;
  }
  writeSync(fd, tail(n));
  closeSync(fd);
  return file;
}

interface Run {
  shape: Shape;
  mb: number;
  command: string;
  exit: number | null;
  seconds: number;
  peakRssMb: number;
}

function measure(shape: Shape, file: string, command: string[]): Run {
  const r = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, join(ROOT, 'bin', 'edi.js'), ...command, file],
    {
      encoding: 'utf8',
      // the output of a 100 MB translate is larger than a string can be; only time's report is read
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 * MB,
    },
  );
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return {
    shape,
    mb: Math.round(statSync(file).size / MB),
    command: command.join(' '),
    exit: r.status,
    seconds,
    peakRssMb: Math.round(Number(rss) / 1024),
  };
}

function main(): void {
  if (!existsSync('/usr/bin/time')) throw new Error('bench:memory needs /usr/bin/time (GNU time)');
  mkdirSync(TMP, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const sizes = (process.env.BENCH_SIZES_MB ?? '10,100').split(',').map((s) => Number(s) * MB);
  const shapes = (process.env.BENCH_SHAPES ?? 'many-sets,po1-loop,n1-loop-bad,many-interchanges').split(
    ',',
  ) as Shape[];
  const runs: Run[] = [];
  for (const size of sizes) {
    for (const shape of shapes) {
      const file = generate(shape, size);
      for (const command of [['validate'], ['translate']]) {
        const run = measure(shape, file, command);
        runs.push(run);
        console.log(
          `${run.command.padEnd(10)} ${shape.padEnd(12)} ${String(run.mb).padStart(4)} MB  ${run.seconds.toFixed(1).padStart(6)} s  ${String(run.peakRssMb).padStart(5)} MB RSS  exit ${run.exit}`,
        );
      }
    }
  }
  const file = join(RESULTS, 'memory.json');
  const key = (r: Run) => `${r.shape} ${r.mb} ${r.command}`;
  const measured = new Set(runs.map(key));
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: Run[] }).runs : [];
  const all = [...earlier.filter((r) => !measured.has(key(r))), ...runs].sort(
    (a, b) => a.mb - b.mb || a.shape.localeCompare(b.shape) || a.command.localeCompare(b.command),
  );
  writeFileSync(
    file,
    JSON.stringify({ node: process.version, date: new Date().toISOString(), runs: all }, null, 2) + '\n',
  );
}

main();
