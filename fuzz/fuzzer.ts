import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MapRegistry } from '@edi/mapping';
import { runInput, type Defect, type Outcome } from './harness';
import { fuzzInput, type FuzzInput, type SeedFile } from './inputs';
import { randomFor } from './random';
import { MemoryWatch, type MemoryFigures } from './memory';
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
  /** RSS growing by more than this over the start is a defect (default 1,024). */
  rssGrowthMb?: number;
  /** What is reachable after a full collection growing by more than this is a leak (default 128). */
  retainedGrowthMb?: number;
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
  memory: MemoryFigures;
  /** The input that took longest, to see how far the run stayed from `slowMs`. */
  slowest: { index: number; ms: number; bytes: number };
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
  const memory = new MemoryWatch(options.rssGrowthMb ?? 1024, options.retainedGrowthMb ?? 128);
  const watchdog = new Watchdog(options.seed, options.failuresDir, options.hangSeconds ?? 60, maxBytes);
  try {
    for (let index = 0; index < options.count && Date.now() < deadline; index++) {
      const input = fuzzInput(index, { seed: options.seed, files: options.files, maxBytes });
      watchdog.start(index, input.bytes);
      let outcome = await timed(input, options, report);
      const overMemory = memory.check(index);
      if (overMemory && outcome.kind !== 'defect') outcome = defect(outcome, 'memory', overMemory);
      watchdog.done();
      count(report, input, outcome, options);
      options.onProgress?.(index + 1, report);
    }
  } finally {
    await watchdog.stop();
  }
  report.memory = memory.figures;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** Runs one input; over the time limit, an input that was otherwise fine is a defect. */
async function timed(input: FuzzInput, options: FuzzOptions, report: FuzzReport): Promise<Outcome> {
  const slowMs = options.slowMs ?? 5000;
  const t0 = performance.now();
  const outcome = await runInput(
    input.bytes,
    options.registry,
    randomFor(options.seed, input.index, HARNESS_SALT),
  );
  const ms = performance.now() - t0;
  if (ms > report.slowest.ms)
    report.slowest = { index: input.index, ms: Math.round(ms), bytes: input.bytes.length };
  if (outcome.kind === 'defect' || ms <= slowMs) return outcome;
  return defect(outcome, 'slow', `${Math.round(ms)} ms for ${input.bytes.length} bytes (limit ${slowMs} ms)`);
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
    memory: { rssStartMb: 0, rssPeakMb: 0, retainedMb: { first: 0, last: 0 } },
    slowest: { index: -1, ms: 0, bytes: 0 },
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
