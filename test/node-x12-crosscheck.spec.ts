import { X12Parser } from 'node-x12';
import { parseX12, segmentText, Segment, InterchangeNode } from '@edi/x12';
import { readFileSync } from 'node:fs';
import { corpusFiles } from './helpers/corpus';

/**
 * node-x12's strict parse() is an independent implementation: on every corpus file it reads, it must
 * see the same segments with the same element values as we do.
 */
type NodeSegment = { tag: string; elements: Array<{ value: string }> };
type NodeInterchange = {
  header: NodeSegment;
  trailer: NodeSegment;
  functionalGroups: Array<{
    header: NodeSegment;
    trailer: NodeSegment;
    transactions: Array<{ header: NodeSegment; trailer: NodeSegment; segments: NodeSegment[] }>;
  }>;
};

/** node-x12 stores ISA13 and IEA02 as numbers (000000123 → 123); compare those by value. */
function normalise(values: string[]): string[] {
  const id = values[0]!.toUpperCase();
  const k = id === 'ISA' ? 13 : id === 'IEA' ? 2 : -1;
  return values.map((v, i) => (i === k && /^\d+$/.test(v) ? String(Number(v)) : v));
}
const theirs = (s: NodeSegment) => normalise([s.tag, ...s.elements.map((e) => e.value)]);
function ours(s: Segment, ic: InterchangeNode): string[] {
  return normalise(segmentText(s, ic.delimiters).split(ic.delimiters.element));
}

function flatten(ic: NodeInterchange): string[][] {
  const out = [theirs(ic.header)];
  for (const g of ic.functionalGroups) {
    out.push(theirs(g.header));
    for (const t of g.transactions) out.push(theirs(t.header), ...t.segments.map(theirs), theirs(t.trailer));
    out.push(theirs(g.trailer));
  }
  out.push(theirs(ic.trailer));
  return out;
}

function flattenOurs(ic: InterchangeNode): string[][] {
  const out = [ours(ic.header, ic)];
  for (const g of ic.groups) {
    out.push(ours(g.header, ic));
    for (const t of g.transactions)
      out.push(ours(t.header, ic), ...t.segments.map((s) => ours(s, ic)), ours(t.trailer!, ic));
    out.push(ours(g.trailer!, ic));
  }
  out.push(ours(ic.trailer!, ic));
  return out;
}

const checked: string[] = [];
const files = corpusFiles().filter((f) => f.expect !== 'invalid');

describe.each(files.map((f) => [f.file, f]))('node-x12 agrees on %s', (_, f) => {
  it('same segments and element values', () => {
    const input = readFileSync(f.path);
    let reference: NodeInterchange[];
    try {
      const parsed = new X12Parser(true).parse(input.toString('utf8')) as unknown as
        NodeInterchange | { interchanges: NodeInterchange[] };
      reference = Array.from('interchanges' in parsed ? parsed.interchanges : [parsed]);
    } catch {
      return; // node-x12 cannot read it (hard wraps, ISB, TA1-only, mixed delimiters): nothing to compare
    }
    const doc = parseX12(input);
    expect(doc.interchanges.map(flattenOurs)).toEqual(reference.map(flatten));
    checked.push(f.file);
  });
});

afterAll(() => {
  // node-x12 reads most of the corpus; if it suddenly read little, the comparison would be hollow.
  expect(checked.length).toBeGreaterThanOrEqual(55);
});
