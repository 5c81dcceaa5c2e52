import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MapRegistry } from '@edi/mapping';
import { runInput, type Defect, type Outcome } from './harness';
import { fuzzInput, type FuzzInput, type SeedFile } from './inputs';
import { randomFor } from './random';
import { Watchdog } from './watchdog';

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Stop after this many seconds even if `count` is not reached. */
  timeLimitSeconds?: number;
  files: SeedFile[];
  registry: MapRegistry;
  /** Where defect inputs are written; none when undefined. */
  failuresDir?: string;
  /** One input taking longer than this is a defect. */
  slowMs?: number;
  /** RSS growing by more than this over the run's first measurement is a defect. */
  rssGrowthMb?: number;
  /** Largest input a mutation makes (default 1 MB): several passes of it must fit in `slowMs` on a busy 2-core box. */
  maxBytes?: number;
  /** One input still running after this long ends the run (the watchdog writes it out first). */
  hangSeconds?: number;
  onProgress?: (done: number, report: FuzzReport) => void;
}

export interface DefectRecord extends Defect {
  index: number;
  base: string;
  mutations: string[];
  file?: string;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  seconds: number;
  outcomes: Record<Outcome['kind'], number>;
  /** Inputs per finding code (each input counts a code once). */
  codes: Record<string, number>;
  defects: DefectRecord[];
  /** Inputs per mutation applied. */
  mutations: Record<string, number>;
  bytes: number;
  rssMb: { start: number; peak: number };
}

/** Salt for the harness's own draws (chunking, ack flags), apart from the input's. */
const HARNESS_SALT = 0x5eed;
const MB = 1024 * 1024;

/** The fuzz loop: input n of the seed, through every command, counted; defects kept on disk. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const deadline = options.timeLimitSeconds ? Date.now() + options.timeLimitSeconds * 1000 : Infinity;
  const maxBytes = options.maxBytes ?? MB;
  const report = emptyReport(options.seed);
  const started = Date.now();
  const memory = memoryBound(options.rssGrowthMb ?? 512, report);
  const watchdog = new Watchdog(options.seed, options.failuresDir, options.hangSeconds ?? 60, maxBytes);
  try {
    for (let index = 0; index < options.count && Date.now() < deadline; index++) {
      const input = fuzzInput(index, { seed: options.seed, files: options.files, maxBytes });
      watchdog.start(index, input.bytes);
      const outcome = memory(index, await timed(input, options));
      watchdog.done();
      count(report, input, outcome, options);
      options.onProgress?.(index + 1, report);
    }
  } finally {
    await watchdog.stop();
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** Runs one input; over the time limit, an input that was otherwise fine is a defect. */
async function timed(input: FuzzInput, options: FuzzOptions): Promise<Outcome> {
  const slowMs = options.slowMs ?? 5000;
  const t0 = performance.now();
  const outcome = await runInput(
    input.bytes,
    options.registry,
    randomFor(options.seed, input.index, HARNESS_SALT),
  );
  const ms = performance.now() - t0;
  if (outcome.kind === 'defect' || ms <= slowMs) return outcome;
  return defect(outcome, 'slow', `${Math.round(ms)} ms for ${input.bytes.length} bytes (limit ${slowMs} ms)`);
}

/** RSS sampled every 64 inputs; growing past the bound over the start makes the input that crossed it a defect. */
function memoryBound(growthMb: number, report: FuzzReport): (index: number, outcome: Outcome) => Outcome {
  let base = process.memoryUsage.rss();
  report.rssMb.start = Math.round(base / MB);
  return (index, outcome) => {
    if (index % 64 !== 0) return outcome;
    const rss = process.memoryUsage.rss();
    report.rssMb.peak = Math.max(report.rssMb.peak, Math.round(rss / MB));
    if (rss <= base + growthMb * MB || outcome.kind === 'defect') return outcome;
    const limit = Math.round(base / MB + growthMb);
    base = rss; // one report per climb, not one for every input after it
    return defect(outcome, 'memory', `RSS ${Math.round(rss / MB)} MB, over ${limit} MB`);
  };
}

function defect(outcome: Outcome, type: string, message: string): Outcome {
  return { kind: 'defect', codes: outcome.codes, defect: { type, stage: 'validate', message } };
}

function emptyReport(seed: number): FuzzReport {
  return {
    seed,
    inputs: 0,
    seconds: 0,
    outcomes: { ok: 0, rejected: 0, defect: 0 },
    codes: {},
    defects: [],
    mutations: {},
    bytes: 0,
    rssMb: { start: 0, peak: 0 },
  };
}

function count(report: FuzzReport, input: FuzzInput, outcome: Outcome, options: FuzzOptions): void {
  report.inputs++;
  report.bytes += input.bytes.length;
  report.outcomes[outcome.kind]++;
  for (const c of outcome.codes) report.codes[c] = (report.codes[c] ?? 0) + 1;
  for (const m of input.mutations) report.mutations[m] = (report.mutations[m] ?? 0) + 1;
  if (outcome.kind !== 'defect') return;
  const record: DefectRecord = {
    ...outcome.defect,
    index: input.index,
    base: input.base,
    mutations: input.mutations,
  };
  if (options.failuresDir) record.file = keep(options.failuresDir, options.seed, input, record);
  report.defects.push(record);
}

/** Writes the input as <seed>-<n>.x12 and what went wrong beside it, with the line that replays it. */
function keep(dir: string, seed: number, input: FuzzInput, record: DefectRecord): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${seed}-${input.index}.x12`);
  writeFileSync(file, input.bytes);
  const about = [
    `${record.type} in ${record.stage}: ${record.message}`,
    `base: ${input.base}; mutations: ${input.mutations.join(', ') || 'none'}`,
    `replay: ${replayLine(file)}`,
  ];
  writeFileSync(`${file}.txt`, about.join('\n') + '\n');
  return file;
}

export function replayLine(file: string): string {
  return `npm run fuzz -- --replay ${file}`;
}
