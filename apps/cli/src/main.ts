import { Command, CommanderError, Option } from 'commander';
import { X12Error } from '@edi/x12';
import { ackCommand } from './commands/ack.command';
import { UsageError } from './io';
import { parseCommand } from './commands/parse.command';
import { serializeCommand } from './commands/serialize.command';
import { validateCommand } from './commands/validate.command';

/** The `edi` command: the X12 libraries with no server at all. */
export function buildProgram(): Command {
  const program = new Command('edi')
    .exitOverride() // subcommands inherit it: usage errors reach main() as CommanderError
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
  // `edi parse big.x12 | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not failures; a wrong flag or argument is a usage error (exit 2)
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    const known =
      e instanceof X12Error ||
      e instanceof UsageError ||
      e instanceof SyntaxError ||
      (e as NodeJS.ErrnoException).code;
    process.stderr.write(`edi: ${known ? (e as Error).message : String((e as Error).stack ?? e)}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main(process.argv);
