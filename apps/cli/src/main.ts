import type { Command, Option } from 'commander';
import type * as Commander from 'commander';
import { DomainError } from '@edi/contracts';
import { plainValidateArgs } from './fast-validate';
import { UsageError } from './io';

let commanderModule: typeof Commander | undefined;

/** commander, loaded when a command line needs it (see plainValidateArgs). */
function commander(): typeof Commander {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (commanderModule ??= require('commander') as typeof Commander);
}

/**
 * Each command's module is loaded when the command runs: `edi validate` of a small file need not
 * load the database layer (TypeORM) or the schema compiler, which cost more than the validation.
 */
const commands = {
  ack: () => import('./commands/ack.command'),
  mailbox: () => import('./commands/mailbox.command'),
  maps: () => import('./commands/maps.command'),
  parse: () => import('./commands/parse.command'),
  serialize: () => import('./commands/serialize.command'),
  staff: () => import('./commands/staff.command'),
  translate: () => import('./commands/translate.command'),
  validate: () => import('./commands/validate.command'),
};

/** An action that loads its command's module, runs the function it names and sets the exit code from it. */
function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return async (...args: unknown[]): Promise<void> => {
    const action = (await load())[name] as (...a: unknown[]) => Promise<number> | number;
    process.exitCode = await action(...args);
  };
}

const newOption = (flags: string, description: string): Option =>
  new (commander().Option)(flags, description);

/** The `edi` command: the X12 libraries with no server at all. */
export function buildProgram(): Command {
  const program = new (commander().Command)('edi')
    .exitOverride() // subcommands inherit it: usage errors reach main() as CommanderError
    .description('Parse, validate, acknowledge and write X12 EDI')
    .showHelpAfterError();
  // `edi --help` lists the commands in this order
  const registrations = [
    addParse,
    addValidate,
    addAck,
    addSerialize,
    addTranslate,
    addMaps,
    addMailbox,
    addStaff,
  ];
  for (const add of registrations) add(program);
  return program;
}

function addParse(program: Command): void {
  program
    .command('parse')
    .description('print interchanges, groups, transaction sets and their segments as JSON')
    .argument('<file>', "X12 file, or '-' for standard input")
    .option('--pretty', 'indent the JSON (holds the whole tree in memory)')
    .action(lazy(commands.parse, 'parseCommand'));
}

function addValidate(program: Command): void {
  program
    .command('validate')
    .description("check envelopes, syntax and each set's guide; exit 1 with one line per error")
    .argument('<file>', "X12 file, or '-' for standard input")
    .option('--json', 'machine-readable output')
    .option('--partner <id>', 'check against edi-maps/partners/<id>/ overrides too')
    .option(
      '--max-segments <n>',
      'segments a transaction set may hold, ST and SE included (EDI_MAX_SEGMENTS_PER_SET, 500000)',
    )
    .option('--envelope-only', 'skip the guides: envelopes and syntax only')
    .option('--maps <dir>', 'edi-maps folder')
    .action(lazy(commands.validate, 'validateCommand'));
}

function addAck(program: Command): void {
  program
    .command('ack')
    .description('print the TA1 / 997 / 999 the file deserves')
    .argument('<file>', "X12 file, or '-' for standard input")
    .option('--control <n>', 'ISA13 of the acknowledgment interchange', '1')
    .option('--group-control <n>', 'GS06 of the first acknowledgment group', '1')
    .addOption(
      newOption('--type <type>', 'functional acknowledgment').choices(['auto', '997', '999']).default('auto'),
    )
    .addOption(
      newOption('--ta1 <when>', 'interchange acknowledgment')
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .option(
      '--max-segments <n>',
      'segments a transaction set may hold, ST and SE included (EDI_MAX_SEGMENTS_PER_SET, 500000)',
    )
    .action(lazy(commands.ack, 'ackCommand'));
}

function addSerialize(program: Command): void {
  program
    .command('serialize')
    .description("write X12 from the JSON of 'edi parse'")
    .argument('<file>', "JSON file, or '-' for standard input")
    .option('--element <c>', 'element separator')
    .option('--component <c>', 'component separator')
    .option('--repetition <c>', 'repetition separator')
    .option('--segment <c>', 'segment terminator')
    .option('--line-ending <s>', 'what follows every terminator, e.g. "\\n"')
    .action(lazy(commands.serialize, 'serializeCommand'));
}

function addTranslate(program: Command): void {
  program
    .command('translate')
    .description('X12 to canonical JSON documents (or XML); with --to x12, JSON documents back to X12')
    .argument('<file>', "X12 or JSON file, or '-' for standard input")
    .addOption(newOption('--to <kind>', 'direction').choices(['json', 'x12']).default('json'))
    .addOption(
      newOption('--format <format>', 'output of X12 → documents').choices(['json', 'xml']).default('json'),
    )
    .option('--set <id>', 'transaction set of the JSON (850, 855, 856, 810…) when the documents do not say')
    .option('--partner <id>', 'apply edi-maps/partners/<id>/ overrides')
    .option('--sender <qual:id>', "ISA sender, e.g. ZZ:DEMOSUPPLIER (default: the document's)")
    .option('--receiver <qual:id>', "ISA receiver (default: the document's)")
    .option('--control <n>', 'ISA13', '1')
    .option('--group-control <n>', 'first GS06', '1')
    .option('--version <v>', 'GS08 when the documents do not say', '004010')
    .option(
      '--max-segments <n>',
      'segments a transaction set may hold, ST and SE included (EDI_MAX_SEGMENTS_PER_SET, 500000)',
    )
    .option('--maps <dir>', 'edi-maps folder')
    .action(lazy(commands.translate, 'translateCommand'));
}

function addMaps(program: Command): void {
  const maps = program.command('maps').description('inspect the guides and maps in edi-maps/');
  maps
    .command('diff')
    .description("print what a partner's guide changes against the base map")
    .argument('<partner>')
    .argument('<set>')
    .option('--version <v>', 'only this version')
    .option('--maps <dir>', 'edi-maps folder')
    .action(async (partner: string, set: string, opts: { version?: string; maps?: string }) => {
      process.exitCode = (await commands.maps()).mapsDiffCommand(partner, set, opts);
    });
  maps
    .command('show')
    .description("print the table a set is checked against: the standard, with a partner's changes marked")
    .argument('<set>')
    .option('--version <v>', 'standard version (GS08), e.g. 004010 or 005010X222A1', '004010')
    .option('--partner <id>', "mark edi-maps/partners/<id>/'s changes")
    .option('--maps <dir>', 'edi-maps folder')
    .action(lazy(commands.maps, 'mapsShowCommand'));
  maps
    .command('schema')
    .description("print the JSON Schema of a set's canonical document")
    .argument('<set>')
    .option('--version <v>', 'map version')
    .option('--maps <dir>', 'edi-maps folder')
    .action(lazy(commands.maps, 'mapsSchemaCommand'));

  maps
    .command('compile')
    .description(
      'check every file of edi-maps/ and write their compiled form (.compiled.json), read at start instead of the YAML',
    )
    .option('--maps <dir>', 'edi-maps folder')
    .action(lazy(commands.maps, 'mapsCompileCommand'));

  maps
    .command('schemas')
    .description('write the JSON Schema of every canonical document type into a folder (docs/schemas)')
    .argument('<dir>')
    .option('--maps <dir>', 'edi-maps folder')
    .action(lazy(commands.maps, 'mapsSchemasCommand'));
}

function addMailbox(program: Command): void {
  program
    .command('mailbox')
    .description('SFTP mailboxes for retailers who poll us')
    .command('provision')
    .description("make a partner's mailbox: system user, chroot folder, public key (run as root)")
    .argument('<name>', 'the mailbox name (a-z, 0-9, -)')
    .requiredOption('--key <file>', "the partner's OpenSSH public key")
    .option('--dir <dir>', 'where mailboxes live (EDI_MAILBOX_DIR)')
    .action(lazy(commands.mailbox, 'mailboxProvisionCommand'));
}

function addStaff(program: Command): void {
  const staff = program
    .command('staff')
    .description("the staff console's accounts, in the service's database (DATABASE_URL or EDI_DATA_DIR)");
  staff
    .command('add')
    .description('add a console account; the password comes from standard input or EDI_STAFF_PASSWORD')
    .argument('<username>')
    .addOption(
      newOption('--role <role>', 'what they may do')
        .choices(['viewer', 'operator', 'admin'])
        .default('viewer'),
    )
    .option('--name <name>', 'their name as the console shows it')
    .action(lazy(commands.staff, 'staffAddCommand'));
  staff
    .command('password')
    .description('set a new password (standard input or EDI_STAFF_PASSWORD); ends their sessions')
    .argument('<username>')
    .action(async (username: string) => {
      process.exitCode = await (await commands.staff()).staffPasswordCommand(username);
    });
  staff
    .command('role')
    .description("change a member's role (viewer, operator, admin); ends their sessions")
    .argument('<username>')
    .argument('<role>')
    .action(async (username: string, role: string) => {
      process.exitCode = await (await commands.staff()).staffChangeCommand('role', username, role);
    });
  for (const what of ['disable', 'enable'] as const)
    staff
      .command(what)
      .description(
        what === 'disable'
          ? 'off-board a member: no sign-in, sessions ended'
          : 'let a disabled member sign in again',
      )
      .argument('<username>')
      .action(async (username: string) => {
        process.exitCode = await (await commands.staff()).staffChangeCommand(what, username);
      });
  staff
    .command('list')
    .description('list console accounts')
    .action(async () => {
      process.exitCode = await (await commands.staff()).staffListCommand();
    });
}

export async function main(argv: string[]): Promise<void> {
  // `edi parse big.x12 | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    const plain = plainValidateArgs(argv);
    if (plain) await lazy(commands.validate, 'validateCommand')(plain.file, plain.opts);
    else await buildProgram().parseAsync(argv);
  } catch (e) {
    if (commanderModule && e instanceof commanderModule.CommanderError) {
      // help and version are not failures; a wrong flag or argument is a usage error (exit 2)
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    // a DomainError (an X12Error, a MapError, a ConfigError…) is a known condition: its message says it
    const known =
      e instanceof DomainError ||
      e instanceof UsageError ||
      e instanceof SyntaxError ||
      (e as NodeJS.ErrnoException).code;
    process.stderr.write(`edi: ${known ? (e as Error).message : String((e as Error).stack ?? e)}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main(process.argv);
