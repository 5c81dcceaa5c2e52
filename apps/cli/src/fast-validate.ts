/** What `edi validate` is given: the file and commander's option values for it. */
export interface ValidateArgs {
  file: string;
  opts: { json?: true; partner?: string; maps?: string; envelopeOnly?: true; maxSegments?: string };
}

const FLAGS = { '--json': 'json', '--envelope-only': 'envelopeOnly' } as const;
const VALUED = { '--partner': 'partner', '--maps': 'maps', '--max-segments': 'maxSegments' } as const;

/**
 * `edi validate` arguments read without commander, for the plainest command lines only: one file
 * and each known option at most once, values apart from their flags. Anything else (help, a
 * `--flag=value`, an unknown or repeated option, a value that starts with '-', no file or two)
 * answers undefined and goes through commander as before. Loading commander (it loads
 * child_process and net) cost a small file's validation more than reading its guide.
 */
export function plainValidateArgs(argv: readonly string[]): ValidateArgs | undefined {
  if (argv[2] !== 'validate') return undefined;
  const opts: ValidateArgs['opts'] = {};
  let file: string | undefined;
  for (let i = 3; i < argv.length; i++) {
    const arg = argv[i]!;
    if (Object.hasOwn(FLAGS, arg)) {
      const key = FLAGS[arg as keyof typeof FLAGS];
      if (opts[key]) return undefined;
      opts[key] = true;
    } else if (Object.hasOwn(VALUED, arg)) {
      const key = VALUED[arg as keyof typeof VALUED];
      const value = argv[++i];
      if (opts[key] !== undefined || value === undefined || value === '' || value.startsWith('-'))
        return undefined;
      opts[key] = value;
    } else if (arg === '-' || (arg !== '' && !arg.startsWith('-'))) {
      if (file !== undefined) return undefined;
      file = arg;
    } else return undefined;
  }
  return file === undefined ? undefined : { file, opts };
}
