import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MapRegistry } from '@edi/mapping';
import { runInput, type Defect, type Outcome } from './harness';
import { fuzzInput, type FuzzInput, type SeedFile } from './inputs';
import { randomFor } from './random';

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
  const slowMs = options.slowMs ?? 5000;
  const rssBound = (options.rssGrowthMb ?? 512) * MB;
  const deadline = options.timeLimitSeconds ? Date.now() + options.timeLimitSeconds * 1000 : Infinity;
  const report = emptyReport(options.seed);
  const started = Date.now();
  let rssBase = process.memoryUsage.rss();
  report.rssMb.start = Math.round(rssBase / MB);
  for (let index = 0; index < options.count && Date.now() < deadline; index++) {
    const input = fuzzInput(index, {
      seed: options.seed,
      files: options.files,
      maxBytes: options.maxBytes ?? MB,
    });
    const t0 = performance.now();
    let outcome = await runInput(input.bytes, options.registry, randomFor(options.seed, index, HARNESS_SALT));
    const ms = performance.now() - t0;
    if (outcome.kind !== 'defect' && ms > slowMs)
      outcome = defect(
        outcome,
        'slow',
        `${Math.round(ms)} ms for ${input.bytes.length} bytes (limit ${slowMs} ms)`,
      );
    const rss = index % 64 === 0 ? process.memoryUsage.rss() : 0;
    if (rss > rssBase + rssBound && outcome.kind !== 'defect') {
      outcome = defect(
        outcome,
        'memory',
        `RSS ${Math.round(rss / MB)} MB, over ${Math.round((rssBase + rssBound) / MB)} MB`,
      );
      rssBase = rss; // one report per climb, not one per input after it
    }
    report.rssMb.peak = Math.max(report.rssMb.peak, Math.round(rss / MB));
    count(report, input, outcome, options);
    options.onProgress?.(index + 1, report);
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
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
