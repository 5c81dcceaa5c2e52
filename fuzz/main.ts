import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadConfig, mapsDir } from '@edi/config';
import { MapRegistry } from '@edi/mapping';
import { CORPUS_DIR } from '../test/helpers/corpus-dir';
import { fuzz, replayLine, type FuzzReport } from './fuzzer';
import { runInput } from './harness';
import { loadSeedFiles } from './inputs';
import { minimize } from './minimize';
import { randomFor } from './random';

const FIXTURES_DIR = resolve(__dirname, '../fixtures/x12');
/** Same salt as the fuzz loop's, so a replay draws the same chunking and ack flags. */
const HARNESS_SALT = 0x5eed;

function whole(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${flag} must be a whole number, got '${v}'`);
    return Number(v);
  };
}

async function main(): Promise<number> {
  const program = new Command('fuzz')
    .description('Seeded mutation fuzzing of validate, ack, translate and parse+serialize')
    .option('--count <n>', 'inputs to run', whole('--count'), 100_000)
    .option('--seed <n>', 'seed of the run (default: a new one, printed)', whole('--seed'))
    .option('--time-limit <seconds>', 'stop after this long', whole('--time-limit'))
    .option('--corpus <dir>', 'the shared corpus (skipped when absent)', CORPUS_DIR)
    .option('--failures <dir>', 'where defect inputs are kept', 'fuzz-failures')
    .option('--slow-ms <ms>', 'one input slower than this is a defect', whole('--slow-ms'), 5000)
    .option(
      '--rss-growth-mb <mb>',
      'RSS growth over the start that is a defect',
      whole('--rss-growth-mb'),
      512,
    )
    .option('--max-bytes <n>', 'largest input a mutation makes', whole('--max-bytes'), 1 << 20)
    .option('--hang-seconds <s>', 'one input running this long ends the run', whole('--hang-seconds'), 60)
    .option('--replay <file>', 'run one kept input again and say what happens')
    .option('--minimize', 'with --replay: shrink the input while the defect stays, to <file>.min.x12')
    .exitOverride() // a usage error exits 2, as the edi command's do; 1 means defects
    .parse();
  const o = program.opts<{
    count: number;
    seed?: number;
    timeLimit?: number;
    corpus: string;
    failures: string;
    slowMs: number;
    rssGrowthMb: number;
    retainedGrowthMb: number;
    maxBytes: number;
    hangSeconds: number;
    replay?: string;
    minimize?: boolean;
  }>();
  const registry = new MapRegistry(mapsDir(loadConfig()));
  if (o.replay) return replay(o.replay, registry, o.minimize === true);
  const files = loadSeedFiles([o.corpus, FIXTURES_DIR]);
  const seed = o.seed ?? randomInt(1, 2 ** 31);
  process.stderr.write(
    `fuzz: seed ${seed}, ${o.count} inputs, ${files.length} seed files (+ generated documents)\n`,
  );
  const report = await fuzz({
    seed,
    count: o.count,
    timeLimitSeconds: o.timeLimit,
    files,
    registry,
    failuresDir: o.failures,
    slowMs: o.slowMs,
    rssGrowthMb: o.rssGrowthMb,
    retainedGrowthMb: o.retainedGrowthMb,
    maxBytes: o.maxBytes,
    hangSeconds: o.hangSeconds,
    onProgress: progress(o.count),
  });
  process.stdout.write(formatReport(report));
  return report.defects.length ? 1 : 0;
}

/** One line on stderr every 1,000 inputs when someone is watching. */
function progress(total: number): (done: number, report: FuzzReport) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (done, report) => {
    if (done % 1000 === 0 || done === total)
      process.stderr.write(`\r${done}/${total}  defects ${report.outcomes.defect}   `);
    if (done === total) process.stderr.write('\n');
  };
}

async function replay(file: string, registry: MapRegistry, shrink: boolean): Promise<number> {
  const m = /^(\d+)-(\d+)\.x12$/.exec(basename(file));
  const random = () => randomFor(Number(m?.[1] ?? 0), Number(m?.[2] ?? 0), HARNESS_SALT);
  const input = readFileSync(file);
  const outcome = await runInput(input, registry, random());
  process.stdout.write(
    `${file}: ${outcome.kind}${outcome.codes.length ? ` (${outcome.codes.join(', ')})` : ''}\n`,
  );
  if (outcome.kind !== 'defect') return 0;
  process.stdout.write(`${outcome.defect.type} in ${outcome.defect.stage}: ${outcome.defect.message}\n`);
  if (shrink) {
    const small = await minimize(input, registry, random);
    writeFileSync(`${file}.min.x12`, small);
    process.stdout.write(`minimized: ${input.length} → ${small.length} bytes in ${file}.min.x12\n`);
  }
  return 1;
}

function table(counts: Record<string, number>): string[] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `  ${String(v).padStart(8)}  ${k}`);
}

export function formatReport(report: FuzzReport): string {
  const rate = report.inputs / Math.max(report.seconds, 0.001);
  const m = report.memory;
  const lines = [
    `seed ${report.seed}: ${report.inputs} inputs (${(report.bytes / 1048576).toFixed(1)} MB) in ${report.seconds.toFixed(1)} s, ${rate.toFixed(0)}/s; RSS ${m.rssStartMb} → peak ${m.rssPeakMb} MB, reachable after GC ${m.retainedMb.first} → ${m.retainedMb.last} MB`,
    `slowest: input ${report.slowest.index}, ${report.slowest.ms} ms for ${report.slowest.bytes} bytes`,
    'outcomes:',
    ...table(report.outcomes),
    'inputs by finding code:',
    ...table(report.codes),
    'inputs by mutation:',
    ...table(report.mutations),
    `defects: ${report.defects.length}`,
  ];
  for (const d of report.defects.slice(0, 50)) {
    lines.push(`  #${d.index} ${d.type} in ${d.stage}: ${d.message.split('\n')[0]}`);
    lines.push(`    base ${d.base}; mutations ${d.mutations.join(', ') || 'none'}`);
    if (d.file) lines.push(`    replay: ${replayLine(d.file)}`);
  }
  if (report.defects.length > 50)
    lines.push(`  … and ${report.defects.length - 50} more in the failures folder`);
  return lines.join('\n') + '\n';
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2; // commander has printed the message or the help
      return;
    }
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
