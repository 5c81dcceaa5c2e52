import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Table entries whose order, requirement and max use rest on one public reference only end in `# ~`
 * (edi-maps/standard/README.md).
 * Their number may shrink as a second source confirms them, never grow unnoticed: a new entry
 * should come with two sources. Lower the figures here when markers are removed.
 */
const STANDARD = resolve(__dirname, '../../../../edi-maps/standard');
const MARKED: Record<string, number> = {
  '004030/850.yaml': 143,
  '005010/850.yaml': 1,
};

function markedEntries(file: string): number {
  return readFileSync(join(STANDARD, file), 'utf8')
    .split('\n')
    .filter((l) => /^\s*- .*# ~$/.test(l)).length;
}

describe('single-source table positions (# ~)', () => {
  const files = readdirSync(STANDARD, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(STANDARD, d.name)).map((f) => `${d.name}/${f}`))
    .filter((f) => f.endsWith('.yaml'));

  it('are as many as the README says, file by file (144 in all)', () => {
    const found = Object.fromEntries(
      files.map((f) => [f, markedEntries(f)] as const).filter(([, n]) => n > 0),
    );
    expect(found).toEqual(MARKED);
    expect(Object.values(found).reduce((a, b) => a + b, 0)).toBe(144);
  });
});
