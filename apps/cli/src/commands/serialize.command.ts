import { readFileSync } from 'node:fs';
import { X12Document, serialize } from '@edi/x12';

export interface SerializeFlags {
  element?: string;
  component?: string;
  repetition?: string;
  segment?: string;
  lineEnding?: string;
}

/** `edi serialize FILE.json`: X12 back from what `edi parse` wrote, optionally with other delimiters. */
export function serializeCommand(file: string, flags: SerializeFlags): number {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const doc = JSON.parse(text) as X12Document;
  if (!Array.isArray(doc.interchanges)) {
    process.stderr.write(`edi serialize: ${file} is not the JSON of 'edi parse' (no "interchanges" array)\n`);
    return 1;
  }
  const delimiters = Object.fromEntries(
    (['element', 'component', 'repetition', 'segment'] as const)
      .filter((k) => flags[k] !== undefined)
      .map((k) => [k, unescape(flags[k]!)]),
  );
  process.stdout.write(
    serialize(doc, {
      delimiters: Object.keys(delimiters).length ? delimiters : undefined,
      lineEnding: flags.lineEnding === undefined ? undefined : unescape(flags.lineEnding),
    }),
  );
  return 0;
}

/** Lets a shell pass "\n", "\r\n" or "\x15" as a delimiter. */
function unescape(value: string): string {
  return value.replace(/\\(n|r|t|x[0-9a-fA-F]{2})/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : String.fromCharCode(parseInt(c.slice(1), 16)),
  );
}
