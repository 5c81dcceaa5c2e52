import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from './corpus-dir';

export { CORPUS_DIR };

/**
 * Whether the corpus is beside the clone. Under CI=true it must be (a suite may not pass by skipping
 * it); elsewhere its suites skip and our own fixtures (fixtures/x12) still cover every rule.
 */
export const HAVE_CORPUS = existsSync(join(CORPUS_DIR, 'SOURCES.tsv'));
if (!HAVE_CORPUS && process.env.CI === 'true')
  throw new Error(`CI=true needs the corpus at ${CORPUS_DIR} (set EDI_CORPUS_DIR)`);

/** A test that reads the corpus: skipped (and said so by Jest) when the corpus is not there. */
export const itCorpus: jest.It = HAVE_CORPUS ? it : it.skip;
export const describeCorpus: jest.Describe = HAVE_CORPUS ? describe : describe.skip;

export interface CorpusFile {
  file: string;
  path: string;
  doctype: string;
  version: string;
  notes: string;
  /** 'valid', 'invalid', or 'quirk: …' */
  expect: string;
}

/** Rows of SOURCES.tsv. Missing corpus fails loudly: a suite must never pass by finding nothing. */
export function corpusFiles(): CorpusFile[] {
  const tsv = join(CORPUS_DIR, 'SOURCES.tsv');
  if (!existsSync(tsv)) throw new Error(`corpus not found at ${CORPUS_DIR} (set EDI_CORPUS_DIR)`);
  const [head, ...rows] = readFileSync(tsv, 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  const col = (name: string) => cols.indexOf(name);
  return rows.map((r) => {
    const f = r.split('\t');
    return {
      file: f[col('local_file')]!,
      path: join(CORPUS_DIR, f[col('local_file')]!),
      doctype: f[col('doctype')]!,
      version: f[col('version')]!,
      notes: f[col('notes')]!,
      expect: f[col('expect')]!,
    };
  });
}

export function readCorpus(file: string): Buffer {
  return readFileSync(join(CORPUS_DIR, file));
}
