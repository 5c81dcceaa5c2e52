import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigSchema, SandboxConfigSchema } from './schema';

const README = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');

/** The text of a README section, from its heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const level = heading.match(/^#+/)![0].length;
  const rest = README.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The variables a table documents: the `NAMES` in the first cell of each row. */
function tableVariables(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
}

describe("the README's configuration table", () => {
  const documented = tableVariables(section('### Configuration'));

  it('documents every setting of the schema', () => {
    const missing = Object.keys(ConfigSchema.shape).filter((k) => !documented.includes(k));
    expect(missing).toEqual([]);
  });

  it('documents nothing the schema does not read', () => {
    const unknown = documented.filter((k) => !(k in ConfigSchema.shape));
    expect(unknown).toEqual([]);
  });

  it('lists each setting once', () => {
    expect(documented.filter((k, i) => documented.indexOf(k) !== i)).toEqual([]);
  });
});

describe("the README's sandbox ERP section", () => {
  it("names each of the sandbox's own settings", () => {
    const text = section('### The sandbox ERP (`apps/erp-sandbox`)');
    const missing = Object.keys(SandboxConfigSchema.shape).filter((k) => !text.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});
