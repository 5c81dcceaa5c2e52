import { guideHandler, type MapRegistry, type Translation } from '@edi/mapping';
import {
  buildAcks,
  JsonTreeWriter,
  parseX12,
  readX12,
  serialize,
  X12Error,
  type AckOptions,
  type InterchangeResult,
  type X12Document,
  type X12Issue,
} from '@edi/x12';
import type { Random } from './random';
import { SchemaCheck } from './schemas';

/** What one input did: read cleanly, was refused with the project's own findings, or hit a defect. */
export type Outcome =
  | { kind: 'ok'; codes: string[] }
  | { kind: 'rejected'; codes: string[] }
  | { kind: 'defect'; codes: string[]; defect: Defect };

export interface Defect {
  /** crash, round-trip, stream-split, schema, ack-unreadable, ack-round-trip, bad-issue, slow, memory, hang */
  type: string;
  /** Which of the user's commands it happened in. */
  stage: 'validate' | 'ack' | 'translate' | 'round-trip';
  message: string;
}

/** Thrown inside the harness for a defect that is not an exception of the library. */
class DefectFound extends Error {
  constructor(readonly defect: Defect) {
    super(defect.message);
  }
}

/** The clock every ack is built with, so outputs repeat (ISA09/ISA10, GS04/GS05). */
const NOW = new Date('2024-01-31T11:00:00Z');

/**
 * Runs one input through what the `edi` commands do with it: validate (streamed in random chunks,
 * as a file arrives), ack (997/999/TA1 with seeded flags), translate to JSON, and parse + serialize.
 * An X12Error or a finding is the input's fault; anything else is ours.
 */
export async function runInput(input: Buffer, registry: MapRegistry, r: Random): Promise<Outcome> {
  let stage: Defect['stage'] = 'validate';
  try {
    const chunks = chunked(input, r);
    const streamed = await validate(registry, chunks);
    stage = 'translate';
    const whole = await translate(input, registry);
    if (issueKey(streamed) !== issueKey(whole))
      fail('stream-split', 'validate', splitDifference(streamed, whole));
    checkIssues(whole);
    stage = 'ack';
    await ack(input, registry, r);
    stage = 'round-trip';
    await roundTrip(input, chunks);
    const codes = distinct(whole);
    return whole.some((i) => i.severity === 'error') ? { kind: 'rejected', codes } : { kind: 'ok', codes };
  } catch (e) {
    if (e instanceof DefectFound) return { kind: 'defect', codes: [], defect: e.defect };
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return { kind: 'defect', codes: [], defect: { type: 'crash', stage, message } };
  }
}

function fail(type: string, stage: Defect['stage'], message: string): never {
  throw new DefectFound({ type, stage, message });
}

/** The input cut at a few seeded places: the tokenizer must give the same findings for any chunking. */
function chunked(input: Buffer, r: Random): Buffer[] {
  const cuts = new Set<number>();
  for (let n = r.range(0, 6); n > 0; n--) cuts.add(r.int(input.length));
  const sorted = [...cuts].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of sorted) {
    chunks.push(input.subarray(from, at));
    from = at;
  }
  chunks.push(input.subarray(from));
  return chunks;
}

/** `edi validate`: the guide handler over the streamed input, keeping no transaction results. */
async function validate(registry: MapRegistry, chunks: Buffer[]): Promise<X12Issue[]> {
  const issues: X12Issue[] = [];
  await readX12(chunks, guideHandler(registry, { onIssue: (i) => void issues.push(i) }), {
    keepTransactions: false,
  });
  return issues;
}

/** `edi translate`: every canonical document written as JSON; an accepted one inside its published schema. */
async function translate(input: Buffer, registry: MapRegistry): Promise<X12Issue[]> {
  const issues: X12Issue[] = [];
  const schemas = schemaCheck(registry);
  let outside: string | undefined;
  const onDocument = (t: Translation) => {
    JSON.stringify(t.document, null, 2);
    if (t.status === 'A') outside ??= schemas.problem(t);
  };
  const handler = guideHandler(registry, { onIssue: (i) => void issues.push(i) }, { onDocument });
  await readX12(input, handler, { keepTransactions: false });
  if (outside) fail('schema', 'translate', `an accepted set translates outside its schema: ${outside}`);
  return issues;
}

const checks = new WeakMap<MapRegistry, SchemaCheck>();

/** One compiled set of schemas per registry, kept across inputs. */
function schemaCheck(registry: MapRegistry): SchemaCheck {
  let check = checks.get(registry);
  if (!check) checks.set(registry, (check = new SchemaCheck(registry)));
  return check;
}

/** `edi ack`: the acks built and written; what we send must read back cleanly and byte for byte. */
async function ack(input: Buffer, registry: MapRegistry, r: Random): Promise<void> {
  const results: InterchangeResult[] = [];
  await readX12(input, guideHandler(registry, { onInterchange: (i) => void results.push(i) }));
  const options: AckOptions = {
    interchangeControl: 1,
    groupControl: 1,
    functionalAck: r.pick(['auto', '997', '999'] as const),
    ta1: r.pick(['auto', 'always', 'never'] as const),
    now: NOW,
  };
  const doc = buildAcks(results, options);
  if (!doc.interchanges.length) return;
  const out = serialize(doc);
  let reread: Buffer;
  try {
    reread = serialize(parseX12(out));
  } catch (e) {
    if (e instanceof X12Error)
      fail('ack-unreadable', 'ack', `the ack we would send cannot be read: ${e.message}`);
    throw e;
  }
  if (!reread.equals(out))
    fail('ack-round-trip', 'ack', 'the ack we would send does not read back byte for byte');
}

/**
 * `edi parse` (the tree written as JSON text while the input streams in, here in the same chunks
 * as validate) + `edi serialize` (that text read back and written): input that parses gives back
 * the same bytes.
 */
async function roundTrip(input: Buffer, chunks: Buffer[]): Promise<void> {
  const text: string[] = [];
  const writer = new JsonTreeWriter((t) => void text.push(t));
  let fatal = false;
  writer.begin();
  const { tokenizer } = await readX12(chunks, {
    onSegment: (s, role) => writer.onSegment(s, role),
    onTransaction: () => writer.onTransaction(),
    onGroup: () => writer.onGroup(),
    onInterchange: () => writer.onInterchange(),
    onIssue: (i) => void (fatal ||= i.fatal === true),
  });
  if (fatal) return; // unreadable input: `edi parse` exits 1 with its error
  writer.finish(tokenizer.leading);
  const out = serialize(JSON.parse(text.join('')) as X12Document);
  if (!out.equals(input)) fail('round-trip', 'round-trip', firstDifference(input, out));
}

function firstDifference(a: Buffer, b: Buffer): string {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return `serialize(parse(x)) differs from x at byte ${k} of ${a.length} (${b.length} written)`;
}

/** Every finding names a code, a severity and a reason; a user gets nothing from less. */
function checkIssues(issues: X12Issue[]): void {
  for (const i of issues) {
    if (!/^[A-Z][A-Z0-9_]+$/.test(i.code ?? '') || !i.message || !['error', 'warning'].includes(i.severity))
      fail('bad-issue', 'validate', `a finding without a proper code or message: ${JSON.stringify(i)}`);
  }
}

function splitDifference(streamed: X12Issue[], whole: X12Issue[]): string {
  const k = streamed.findIndex((i, n) => issueKey([i]) !== issueKey(whole.slice(n, n + 1)));
  const at = k < 0 ? streamed.length : k;
  const show = (i: X12Issue | undefined) => (i ? JSON.stringify(i) : 'nothing');
  return `findings differ when the input arrives in other chunks: finding ${at + 1} is ${show(streamed[at])} streamed, ${show(whole[at])} whole`;
}

function issueKey(issues: X12Issue[]): string {
  return JSON.stringify(issues);
}

function distinct(issues: X12Issue[]): string[] {
  return [...new Set(issues.map((i) => i.code))];
}
