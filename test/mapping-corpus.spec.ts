import {
  documentSegments,
  translateX12,
  type JsonObject,
  type SegmentNode,
  type TransactionMap,
  type Translation,
} from '@edi/mapping';
import { parseX12, segmentText, type Element, type Segment } from '@edi/x12';
import { readFileSync } from 'node:fs';
import { corpusFiles } from './helpers/corpus';
import { registry } from './helpers/maps';

/**
 * Every 850, 855, 856, 810, 997 and 999 in the shared corpus translates, and X12 → JSON → X12 gives
 * back the same segments. Normalisation, as documented in the README: decimals in X12's own form
 * (2.00 → 2, 0.8 → .8, 1.000 → 1) and empty product-id pairs dropped; named ids before the other
 * ids where a file interleaves them. JSON → X12 → JSON must then be exact.
 */
const SETS = new Set(['850', '855', '856', '810', '997', '999']);
const files = corpusFiles().filter((f) => f.expect !== 'invalid');

interface Case {
  file: string;
  translation: Translation;
  original: Segment[];
  delimiters: { element: string; component: string; repetition?: string };
}

const cases: Case[] = [];
for (const f of files) {
  const input = readFileSync(f.path);
  const tree = parseX12(input);
  const { translations } = translateX12(input, registry);
  const originals = tree.interchanges.flatMap((ic) =>
    ic.groups.flatMap((g) => g.transactions.map((t) => ({ t, ic }))),
  );
  let k = 0;
  for (const { t, ic } of originals) {
    const set = String(t.header.elements[0]);
    if (!registry.resolveVersion(set, '004010')) continue;
    const translation = translations[k++]!;
    if (SETS.has(set))
      cases.push({ file: f.file, translation, original: t.segments, delimiters: ic.delimiters });
  }
}

function mapOf(t: Translation): TransactionMap {
  const d = t.document;
  return registry.get(d.transactionSet, registry.resolveVersion(d.transactionSet, d.version)!);
}

/** A segment's elements in comparable form: numbers by value, id pairs as a sorted list without empties. */
function normalise(seg: Segment, map: TransactionMap): string[] {
  const node = findNode(map, seg.id);
  const out: string[] = [seg.id];
  const pairs: string[] = [];
  seg.elements.forEach((e: Element, k) => {
    const text =
      typeof e === 'string'
        ? e
        : segmentText({ id: '', elements: [e] }, { element: '', component: ':', repetition: '^' });
    const def = node?.elements[k];
    if (node?.pairs && k + 1 >= node.pairs.from && k + 1 <= node.pairs.to) {
      if ((k + 1 - node.pairs.from) % 2 === 0 && (text || seg.elements[k + 1]))
        pairs.push(`${text}=${String(seg.elements[k + 1] ?? '')}`);
      return;
    }
    out[k + 1] =
      def && (def.type === 'R' || def.type === 'N') && !def.asText && /^-?(\d+\.?\d*|\.\d+)$/.test(text)
        ? String(Number(text))
        : text;
  });
  while (out.length > 1 && (out[out.length - 1] === '' || out[out.length - 1] === undefined)) out.pop();
  return [...Array.from(out, (x) => x ?? ''), ...pairs.sort()];
}

function findNode(map: TransactionMap, id: string): SegmentNode | undefined {
  const visit = (nodes: TransactionMap['children']): SegmentNode | undefined => {
    for (const n of nodes) {
      if (n.kind === 'segment' && n.id === id) return n;
      if (n.kind === 'loop') {
        const hit = visit(n.children);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  return visit(map.children);
}

describe('maps on the real corpus', () => {
  it('found transaction sets of every kind', () => {
    const sets = new Set(cases.map((c) => c.translation.document.transactionSet));
    expect([...sets].sort()).toEqual(['810', '850', '855', '856', '997', '999']);
    expect(cases.length).toBeGreaterThan(60);
  });

  describe.each(
    cases.map((c) => [
      `${c.file} ${c.translation.document.transactionSet} ${c.translation.document.controlNumber}`,
      c,
    ]),
  )('%s', (_, c) => {
    const map = mapOf(c.translation);
    const body = c.translation.document[map.document] as JsonObject;

    it('X12 → JSON → X12 gives back the same segments', () => {
      const back = documentSegments(map, body);
      expect(back.map((s) => normalise(s, map))).toEqual(c.original.map((s) => normalise(s, map)));
    });

    it('JSON → X12 → JSON is exact', () => {
      const x12 = documentSegments(map, body);
      const again = translateX12(wrap(c.translation, x12, c.delimiters.element), registry).translations[0]!;
      expect(again.document[map.document]).toEqual(body);
    });
  });
});

/** Puts body segments back in a minimal envelope to read them again. */
function wrap(t: Translation, segments: Segment[], element: string): string {
  const d = { element: element === '*' ? '*' : '*', component: '>', repetition: '^' };
  const st = `ST*${t.document.transactionSet}*${t.document.controlNumber}`;
  const lines = [
    `ISA*00*          *00*          *ZZ*${'A'.padEnd(15)}*ZZ*${'B'.padEnd(15)}*240101*1200*^*00501*000000001*0*P*>`,
    `GS*XX*A*B*20240101*1200*1*X*${t.document.version}`,
    st,
    ...segments.map((s) => segmentText(s, d)),
    `SE*${segments.length + 2}*${t.document.controlNumber}`,
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return lines.join('~\n') + '~\n';
}
