import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, mapsDir } from '@edi/config';
import { MapRegistry } from '@edi/mapping';
import { fuzz } from '../fuzz/fuzzer';
import { fuzzInput, loadSeedFiles } from '../fuzz/inputs';
import { CORPUS_DIR } from './helpers/corpus';

/** The CI-sized run of `npm run fuzz`: a fixed seed, so a failure here replays the same way anywhere. */
describe('fuzz (seed 20261125, 2,000 inputs)', () => {
  const files = loadSeedFiles([CORPUS_DIR, resolve(__dirname, '../fixtures/x12')]);
  const registry = new MapRegistry(mapsDir(loadConfig()));

  it('builds the same input from the same seed and index', () => {
    const options = { seed: 7, files, maxBytes: 1 << 20 };
    expect(fuzzInput(123, options).bytes.equals(fuzzInput(123, options).bytes)).toBe(true);
    expect(fuzzInput(123, options).bytes.equals(fuzzInput(124, options).bytes)).toBe(false);
  });

  it('finds no defect: every input is read, refused with a finding, acknowledged and round-tripped', async () => {
    const report = await fuzz({
      seed: 20261125,
      count: 2000,
      files,
      registry,
      failuresDir: resolve(__dirname, '../fuzz-failures'),
    });
    expect(report.inputs).toBe(2000);
    expect(report.outcomes.ok).toBeGreaterThan(100); // the run reaches the happy path, not only refusals
    expect(
      report.defects.map((d) => `#${d.index} ${d.type} in ${d.stage}: ${d.message} (${d.file})`),
    ).toEqual([]);
  });
});

describe('npm run fuzz, the command', () => {
  // the command loads outside Jest: a helper that touches Jest's globals at import breaks it
  it('runs a short seeded run to its report and exits 0', () => {
    const failures = mkdtempSync(join(tmpdir(), 'fuzz-cmd-'));
    const run = spawnSync(
      'npm',
      ['run', '--silent', 'fuzz', '--', '--count', '20', '--seed', '1', '--failures', failures],
      {
        cwd: resolve(__dirname, '..'),
        encoding: 'utf8',
      },
    );
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.stdout).toContain('defects: 0');
    expect(run.status).toBe(0);
  }, 60_000);
});
