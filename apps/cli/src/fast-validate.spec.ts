import type { Command } from 'commander';
import { plainValidateArgs, type ValidateArgs } from './fast-validate';
import { buildProgram } from './main';

/** What commander hands the validate action for these arguments (its action replaced, nothing run). */
async function throughCommander(args: string[]): Promise<ValidateArgs> {
  const program = buildProgram();
  const validate = program.commands.find((c: Command) => c.name() === 'validate')!;
  let seen: ValidateArgs | undefined;
  validate.action((file: string, opts: ValidateArgs['opts']) => void (seen = { file, opts: { ...opts } }));
  await program.parseAsync(['node', 'edi', ...args]);
  return seen!;
}

describe('plainValidateArgs: edi validate read without commander', () => {
  it.each(
    [
      ['validate', 'a.x12'],
      ['validate', '-'],
      ['validate', '--json', 'a.x12'],
      ['validate', 'a.x12', '--json'],
      ['validate', '--partner', 'acme', 'a.x12'],
      ['validate', 'a.x12', '--partner', 'acme', '--json', '--maps', 'dir', '--max-segments', '10'],
      ['validate', '--envelope-only', '--json', 'a file.x12'],
    ].map((a) => [a.join(' '), a] as const),
  )('edi %s reads as commander reads it', async (_, args) => {
    expect(plainValidateArgs(['node', 'edi', ...args])).toEqual(await throughCommander(args));
  });

  it.each(
    [
      ['validate'],
      ['validate', '--help'],
      ['validate', '--json', '--json', 'a.x12'],
      ['validate', '--partner=acme', 'a.x12'],
      ['validate', '--partner', '-x', 'a.x12'],
      ['validate', '--partner'],
      ['validate', '--pretty', 'a.x12'],
      ['validate', 'a.x12', 'b.x12'],
      // names an object has from its prototype are not options: two files, for commander to refuse
      ['validate', 'a.x12', 'constructor'],
      ['validate', 'toString', 'a.x12'],
      ['validate', '--', 'a.x12'],
      ['validate', '-j', 'a.x12'],
      ['translate', 'a.x12'],
    ].map((a) => [a.join(' '), a] as const),
  )('edi %s is left to commander', (_, args) => {
    expect(plainValidateArgs(['node', 'edi', ...args])).toBeUndefined();
  });
});
