/**
 * `npm run bench:targets`: the speed targets side by side with the latest figure of each, read
 * from the results the benches wrote (bench/results/*.json), with the date of each figure; one
 * figure is measured here and now: a tiny file validated, whole process. `npm run bench:all` runs
 * every bench first (x12 at 10 and 100 MB, mapping, ingest, flow, history, a 100 MB batch) and
 * then this. The 1 GB memory figures come from `npm run bench:memory`, which takes an hour and is
 * run on its own. To stdout and bench/results/targets.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, writeResults } from './common';

type Json = Record<string, unknown>;

interface Target {
  what: string;
  target: string;
  /** The figure as printed, or undefined when no bench has measured it yet. */
  measured?: string;
  met?: boolean;
  /** When the figure was measured, and by which command. */
  source: string;
}

function results(name: string): Json | undefined {
  const file = join(ROOT, 'bench', 'results', `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const dated = (r: Json | undefined, command: string) =>
  r ? `${command}, ${String(r.date).slice(0, 10)}` : `${command}: not run`;

/** A target on one figure: `ok` says whether the figure meets it. */
function check(
  what: string,
  target: string,
  value: number | undefined,
  ok: (v: number) => boolean,
  unit: string,
  source: string,
): Target {
  if (value === undefined) return { what, target, source };
  return { what, target, measured: `${value}${unit}`, met: ok(value), source };
}

/** The CLI's default paths against the count-only scan and node-x12, in the same run. */
function cliTargets(): Target[] {
  const x12 = results('x12');
  const source = dated(x12, 'npm run bench');
  const ratios = (x12?.ratios as Json[] | undefined) ?? [];
  const at = (mb: number, key: string) => num(ratios.find((r) => r.size_mb === mb)?.[key]);
  const memory = results('memory');
  const gb = ((memory?.runs as Json[] | undefined) ?? []).filter((r) => num(r.mb)! >= 1000);
  const peak = gb.length ? Math.max(...gb.map((r) => num(r.peakRssMb) ?? 0)) : undefined;
  return [
    check(
      'edi validate, 100 MB',
      'within 10x the scan',
      at(100, 'validate_x_scan_time'),
      (v) => v <= 10,
      'x',
      source,
    ),
    check(
      'edi translate, 100 MB',
      'within 15x the scan',
      at(100, 'translate_x_scan_time'),
      (v) => v <= 15,
      'x',
      source,
    ),
    check(
      'edi validate, 10 MB',
      '20x node-x12 or more',
      at(10, 'validate_x_node_x12_speed'),
      (v) => v >= 20,
      'x',
      source,
    ),
    check(
      'edi validate, 50 MB',
      '20x node-x12 or more',
      at(50, 'validate_x_node_x12_speed'),
      (v) => v >= 20,
      'x',
      source,
    ),
    check(
      'edi validate/translate, 1 GB',
      'under 200 MB RSS',
      peak,
      (v) => v < 200,
      ' MB',
      dated(memory, 'npm run bench:memory'),
    ),
    tinyFile(),
  ];
}

/**
 * A one-PO file validated, whole process: the median of eleven runs after one not counted (the
 * first run after the other benches paid for bringing Node and the modules back into the page
 * cache), with `node -e 0` timed between them, so the figure can be read against Node's own start.
 */
function tinyFile(): Target {
  const edi = join(ROOT, 'bin', 'edi.js');
  const file = join(ROOT, 'fixtures', 'x12', '850-demo.x12');
  const time = (args: string[]) => {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
    return run.status === 0 ? Number(process.hrtime.bigint() - start) / 1e6 : undefined;
  };
  const times: number[] = [];
  const node: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t = time([edi, 'validate', file]);
    if (t === undefined)
      return { what: 'tiny file validated', target: 'under 150 ms', source: 'failed to run' };
    const n = time(['-e', '0']);
    if (i === 0) continue; // the run that warms the page cache
    times.push(t);
    node.push(n ?? NaN);
  }
  const median = (a: number[]) => Math.round(a.sort((x, y) => x - y)[a.length >> 1]!);
  return check(
    'tiny file validated',
    'under 150 ms',
    median(times),
    (v) => v < 150,
    ' ms',
    `measured now (${RUNS} runs after one; node -e 0 took ${median(node)} ms)`,
  );
}

const RUNS = 11;

/** One figure of a bench: what, its target, the value, whether it meets it, and its unit. */
type Row = [
  what: string,
  target: string,
  value: number | undefined,
  ok: (v: number) => boolean,
  unit: string,
];

const fromBench = (source: string, rows: Row[]): Target[] =>
  rows.map(([what, target, value, ok, unit]) => check(what, target, value, ok, unit, source));

/** PO posted to 855 stored: throughput, and latency at a steady 50 POs/s. */
function flowTargets(): Target[] {
  const flow = results('flow');
  const row = (prefix: string, kind: string) =>
    Object.entries(flow ?? {}).find(([k]) => k.startsWith(prefix) && k.includes(kind))?.[1] as
      Json | undefined;
  const at50 = (mode: string, key: string) => num(row(mode, 'at 50')?.[key]);
  return fromBench(dated(flow, 'npm run bench:flow'), [
    [
      'PO to 855, embedded',
      '300 POs/s or more',
      num(row('embedded', 'throughput')?.pos_per_second),
      (v) => v >= 300,
      ' POs/s',
    ],
    [
      'PO to 855, scaled',
      '500 POs/s or more',
      num(row('scaled', 'throughput')?.pos_per_second),
      (v) => v >= 500,
      ' POs/s',
    ],
    ['PO to 855 at 50 POs/s, embedded p50', 'under 30 ms', at50('embedded', 'p50_ms'), (v) => v < 30, ' ms'],
    [
      'PO to 855 at 50 POs/s, embedded p99',
      'under 150 ms',
      at50('embedded', 'p99_ms'),
      (v) => v < 150,
      ' ms',
    ],
    ['PO to 855 at 50 POs/s, scaled p50', 'under 30 ms', at50('scaled', 'p50_ms'), (v) => v < 30, ' ms'],
    ['PO to 855 at 50 POs/s, scaled p99', 'under 150 ms', at50('scaled', 'p99_ms'), (v) => v < 150, ' ms'],
  ]);
}

/** The flow's rate with 100,000 transactions stored against an empty database. */
function historyTargets(): Target[] {
  const history = results('history');
  const rate = (mode: string) => num(history?.[`${mode}: rate with history / empty, %`]);
  return fromBench(dated(history, 'npm run bench:history'), [
    ['embedded rate after 100k stored', '80% of empty or more', rate('embedded'), (v) => v >= 80, '%'],
    ['scaled rate after 100k stored', '80% of empty or more', rate('scaled'), (v) => v >= 80, '%'],
  ]);
}

/** Documents the scaled API alone accepts. */
function ingestTargets(): Target[] {
  const ingest = results('ingest');
  const api = ingest?.scaled_api_only as Json | undefined;
  return fromBench(dated(ingest, 'npm run bench:ingest'), [
    [
      'scaled API accepted',
      '2,000 docs/s or more',
      num(api?.documents_per_second),
      (v) => v >= 2000,
      ' docs/s',
    ],
    ['scaled API p99', 'under 50 ms', num(api?.latency_p99_ms), (v) => v < 50, ' ms'],
  ]);
}

/** A large batch has no figure to meet: its time and memory are reported. */
function batchFigures(): Target[] {
  const batch = results('batch');
  const source = dated(batch, 'npm run bench:batch');
  const mb = num(batch?.mb);
  const seconds = num(batch?.translated_seconds);
  const rss = num(batch?.translated_peak_rss_mb);
  return [
    {
      what: `batch of ${mb ?? '?'} MB translated with its 997`,
      target: 'reported',
      measured: seconds === undefined ? undefined : `${seconds} s`,
      source,
    },
    {
      what: `batch of ${mb ?? '?'} MB, service peak RSS while translating`,
      target: 'reported',
      measured: rss === undefined ? undefined : `${rss} MB`,
      source,
    },
  ];
}

function main(): void {
  const targets = [
    ...cliTargets(),
    ...flowTargets(),
    ...historyTargets(),
    ...ingestTargets(),
    ...batchFigures(),
  ];
  console.table(
    targets.map((t) => ({
      what: t.what,
      target: t.target,
      measured: t.measured ?? 'not measured',
      met: t.met === undefined ? '' : t.met ? 'yes' : 'NO',
      source: t.source,
    })),
  );
  const unmet = targets.filter((t) => t.met === false).length;
  const unmeasured = targets.filter((t) => t.measured === undefined).length;
  console.log(
    `${targets.length - unmet - unmeasured} figures meet or report their target, ${unmet} do not, ${unmeasured} not measured`,
  );
  writeResults('targets', { command: 'npm run bench:targets', targets });
}

main();
