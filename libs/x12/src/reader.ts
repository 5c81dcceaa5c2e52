import { EnvelopeHandler, EnvelopeOptions, EnvelopeReader, InterchangeResult } from './envelope';
import { X12Error, X12Issue } from './errors';
import { SegmentTokenizer, TokenizerOptions, X12Source } from './tokenizer';
import type { X12Document } from './tree';

export type ReadOptions = TokenizerOptions & EnvelopeOptions;

/**
 * Streams a source through the tokenizer into the envelope reader. A fatal tokenizer error is
 * recorded as an issue on the interchange it stopped (so a TA1 can still answer it), not thrown.
 */
export async function readX12(
  source: X12Source,
  handler: EnvelopeHandler,
  options: ReadOptions & {
    onChunk?: (bytes: number) => void | Promise<void>;
  } = {},
): Promise<{ tokenizer: SegmentTokenizer }> {
  const tokenizer = new SegmentTokenizer(options);
  const reader = new EnvelopeReader(
    handler,
    { issues: tokenizer.headerIssues, fixedWidth: tokenizer.headerFixedWidth },
    { keepTransactions: options.keepTransactions, maxSegmentsPerSet: options.maxSegmentsPerSet },
  );
  const push = reader.push.bind(reader);
  try {
    if (typeof source === 'string' || Buffer.isBuffer(source)) {
      tokenizer.write(Buffer.isBuffer(source) ? source : Buffer.from(source, 'utf8'), push);
    } else {
      for await (const chunk of source as AsyncIterable<Buffer | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        tokenizer.write(buf, push);
        await options.onChunk?.(buf.length); // lets the caller flush output and keep memory flat
      }
    }
    tokenizer.end(push);
    reader.end();
  } catch (e) {
    if (!(e instanceof X12Error)) throw e;
    reader.fail(e);
  }
  return { tokenizer };
}

/** Same as readX12 for input already in memory; synchronous. */
export function readX12Sync(
  input: Buffer | string,
  handler: EnvelopeHandler,
  options: ReadOptions & { throwFatal?: boolean } = {},
): SegmentTokenizer {
  const tokenizer = new SegmentTokenizer(options);
  const reader = new EnvelopeReader(
    handler,
    { issues: tokenizer.headerIssues, fixedWidth: tokenizer.headerFixedWidth },
    { keepTransactions: options.keepTransactions, maxSegmentsPerSet: options.maxSegmentsPerSet },
  );
  const push = reader.push.bind(reader);
  try {
    tokenizer.write(Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8'), push);
    tokenizer.end(push);
    reader.end();
  } catch (e) {
    if (!(e instanceof X12Error) || options.throwFatal) throw e;
    reader.fail(e);
  }
  return tokenizer;
}

export interface ValidationReport {
  valid: boolean;
  interchanges: InterchangeResult[];
  issues: X12Issue[];
}

/** Envelope and syntax validation of an in-memory input. */
export function validateX12(input: Buffer | string, options?: ReadOptions): ValidationReport {
  const interchanges: InterchangeResult[] = [];
  const issues: X12Issue[] = [];
  readX12Sync(input, { onInterchange: (r) => interchanges.push(r), onIssue: (i) => issues.push(i) }, options);
  return { valid: !issues.some((i) => i.severity === 'error'), interchanges, issues };
}

/**
 * Parses an in-memory input into the tree that `serialize` writes back. Tolerant: structural
 * problems do not stop it (they are in `issues`); only input it cannot read at all throws X12Error.
 */
export function parseX12(
  input: Buffer | string,
  options?: TokenizerOptions,
): X12Document & { issues: X12Issue[] } {
  const chunks: string[] = [];
  const issues: X12Issue[] = [];
  // loaded here, not at the top: reading a file to validate or translate it needs no tree
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JsonTreeWriter } = require('./tree') as typeof import('./tree');
  const writer = new JsonTreeWriter((t) => void chunks.push(t));
  writer.begin();
  const tokenizer = readX12Sync(
    input,
    {
      onSegment: (s, role) => writer.onSegment(s, role),
      onTransaction: () => writer.onTransaction(),
      onGroup: () => writer.onGroup(),
      onInterchange: () => writer.onInterchange(),
      onIssue: (i) => void issues.push(i),
    },
    { ...options, throwFatal: true },
  );
  writer.finish(tokenizer.leading);
  const doc = JSON.parse(chunks.join('')) as X12Document;
  return { ...doc, issues };
}
