import { Command, Option } from 'commander';
import { X12Error } from '@edi/x12';
import { ackCommand } from './commands/ack.command';
import { parseCommand } from './commands/parse.command';
import { serializeCommand } from './commands/serialize.command';
import { validateCommand } from './commands/validate.command';

/** The `edi` command: the X12 libraries with no server at all. */
export function buildProgram(): Command {
  const program = new Command('edi')
    .description('Parse, validate, acknowledge and write X12 EDI')
    .showHelpAfterError();
  const run =
    <O>(action: (file: string, opts: O) => Promise<number> | number) =>
    async (file: string, opts: O): Promise<void> => {
      process.exitCode = await action(file, opts);
    };

  program
    .command('parse')
    .description('print interchanges, groups, transaction sets and their segments as JSON')
    .argument('<file>', "X12 file, or '-' for standard input")
    .option('--pretty', 'indent the JSON (holds the whole tree in memory)')
    .action(run(parseCommand));

  program
    .command('validate')
    .description('check envelopes and syntax; exit 1 with one line per error')
    .argument('<file>', "X12 file, or '-' for standard input")
    .option('--json', 'machine-readable output')
    .action(run(validateCommand));

  program
    .command('ack')
    .description('print the TA1 / 997 / 999 the file deserves')
    .argument('<file>', "X12 file, or '-' for standard input")
    .option('--control <n>', 'ISA13 of the acknowledgment interchange', '1')
    .option('--group-control <n>', 'GS06 of the first acknowledgment group', '1')
    .addOption(
      new Option('--type <type>', 'functional acknowledgment')
        .choices(['auto', '997', '999'])
        .default('auto'),
    )
    .addOption(
      new Option('--ta1 <when>', 'interchange acknowledgment')
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .action(run(ackCommand));

  program
    .command('serialize')
    .description("write X12 from the JSON of 'edi parse'")
    .argument('<file>', "JSON file, or '-' for standard input")
    .option('--element <c>', 'element separator')
    .option('--component <c>', 'component separator')
    .option('--repetition <c>', 'repetition separator')
    .option('--segment <c>', 'segment terminator')
    .option('--line-ending <s>', 'what follows every terminator, e.g. "\\n"')
    .action(run(serializeCommand));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    const message =
      e instanceof X12Error || (e as NodeJS.ErrnoException).code
        ? (e as Error).message
        : String((e as Error).stack ?? e);
    process.stderr.write(`edi: ${message}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main(process.argv);
