import fc from 'fast-check';

import { resolve } from 'node:path';
import { MapRegistry } from './loader';
import type { ElementDef, LoopNode, MapNode, SegmentNode, TransactionMap } from './model';
import { documentSegments } from './to-x12';
import { translateX12 } from './translate';
import { positionKey, type JsonObject } from './to-json';
import type { JsonValue } from './values';
import { segmentText } from '@edi/x12';

const registry = new MapRegistry(resolve(__dirname, '../../../edi-maps'));

/** Text that cannot clash with any delimiter of the test envelope (* > ^ ~). */
const SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -./#&'.split('');

function value(def: ElementDef): fc.Arbitrary<JsonValue> {
  if (def.asText) return fc.integer({ min: 1, max: 999999 }).map(String);
  switch (def.type) {
    case 'ID':
      return def.codes
        ? fc.constantFrom(...def.codes)
        : text(def.min, Math.min(def.max, 3), 'ABCDEFGHJKLMNPRSTUVWXYZ');
    case 'R':
      return fc.integer({ min: -9999, max: 999999 }).chain((n) => fc.constantFrom(n, n / 100, n / 8));
    case 'N':
      return fc.integer({ min: 0, max: 10 ** Math.min(def.max, 9) - 1 }).map((n) => n / 10 ** def.decimals);
    case 'DT':
      return fc
        .date({ min: new Date('1951-01-01'), max: new Date('2049-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'TM':
      return fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${pad(h)}:${pad(m)}`);
    case 'C':
      return text(1, 10, SAFE.join(''));
    default:
      return text(Math.max(def.min, 1), Math.min(def.max, 20), SAFE.join('')).filter(
        (s) => s.trim() === s && s !== '',
      );
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
const text = (min: number, max: number, chars: string) =>
  fc
    .array(fc.constantFrom(...chars.split('')), {
      minLength: Math.max(min, 1),
      maxLength: Math.max(max, min, 1),
    })
    .map((a) => a.join(''));

/** The fields one segment writes into its object: at least one, so the segment is there to read back. */
function segmentFields(node: SegmentNode): fc.Arbitrary<JsonObject> {
  const entries: Array<[string, fc.Arbitrary<JsonValue>]> = [];
  node.elements.forEach((def, k) => {
    // a segment the house map does not name keeps its elements under their X12 names, as text
    const path = def.path ?? (def.asText ? [positionKey(node.id, k)] : undefined);
    if (!path || path.length !== 1 || (node.pairs && k + 1 >= node.pairs.from)) return;
    if (node.id === 'HL' || def.type === 'C') return;
    entries.push([path[0]!, value(def)]);
  });
  if (node.pairs)
    for (const field of [...node.pairs.fields.values()].slice(0, 4))
      entries.push([field, text(1, 12, SAFE.join('').replace(' ', ''))]);
  if (!entries.length) return fc.constant({});
  const record = Object.fromEntries(entries) as Record<string, fc.Arbitrary<JsonValue>>;
  return fc.record(record, { requiredKeys: [entries[0]![0]] });
}

/**
 * A document body for a list of nodes: loops and repeating segments as arrays of 1-2 objects. A
 * mandatory entry (M) is always there once its loop is: the LE of an LS loop,
 * a loop's mandatory segments. Left out, X12 would read what follows at another place.
 */
function body(nodes: MapNode[], depth = 0): fc.Arbitrary<JsonObject> {
  const parts: Array<fc.Arbitrary<JsonObject>> = [];
  for (const node of nodes) {
    if (node.kind === 'loop' && node.hierarchy) continue;
    const inner = node.kind === 'loop' ? loopBody(node, depth) : segmentFields(node);
    if (!node.path) {
      parts.push(node.usage === 'M' ? inner : fc.option(inner, { nil: {} }).map((o) => o));
      continue;
    }
    const key = node.path.join('.');
    const arb = (
      node.array ? fc.array(inner, { minLength: 1, maxLength: depth > 1 ? 1 : 2 }) : inner
    ) as fc.Arbitrary<JsonValue>;
    const some = node.usage === 'M' ? arb : fc.option(arb, { nil: undefined, freq: 2 });
    parts.push(some.map((v): JsonObject => (v === undefined ? {} : { [key]: v })));
  }
  return fc.tuple(...parts).map((objs) => mergeDistinct(objs));
}

function loopBody(loop: LoopNode, depth: number): fc.Arbitrary<JsonObject> {
  const [first, ...rest] = loop.children as [SegmentNode, ...MapNode[]];
  const drawn = fc.tuple(segmentFields(first), body(rest, depth + 1)).map(([a, b]) => mergeDistinct([a, b]));
  const close = boundedClose(loop);
  return close ? drawn.map(close) : drawn;
}

/** The JSON key of a segment's first element (its path, or its X12 name when unmapped). */
const firstKey = (node: SegmentNode) =>
  node.elements[0]?.path?.length === 1 ? node.elements[0].path[0]! : positionKey(node.id, 0);

/**
 * A bounded loop (LS … LE): the trailer closes it with the loop identifier it was opened with
 * (LE01 = LS01), and its segment is always there (LE is mandatory once LS is).
 */
function boundedClose(loop: LoopNode): ((doc: JsonObject) => JsonObject) | undefined {
  const first = loop.children[0] as SegmentNode;
  const last = loop.children[loop.children.length - 1];
  if (first.id !== 'LS' || last?.kind !== 'segment' || last.id !== 'LE') return undefined;
  const [opened, closed] = [firstKey(first), firstKey(last)];
  return (doc) => {
    const id = doc[opened];
    if (id === undefined) return doc;
    if (!last.path) return { ...doc, [closed]: id };
    const key = last.path.join('.');
    const trailer = (doc[key] ?? {}) as JsonObject;
    return { ...doc, [key]: { ...trailer, [closed]: id } };
  };
}

/** Two segments writing the same key into one object would collide; keep the first. */
function mergeDistinct(objs: JsonObject[]): JsonObject {
  const out: JsonObject = {};
  for (const o of objs) for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return out;
}

/** 856: shipment fields plus orders → packs → items. */
function hierarchy(map: TransactionMap): fc.Arbitrary<JsonObject> {
  const loop = map.children.find((n): n is LoopNode => n.kind === 'loop' && !!n.hierarchy)!;
  const levelFields = body(loop.children.slice(1), 2);
  const item = levelFields;
  const pack = fc
    .tuple(levelFields, fc.array(item, { minLength: 1, maxLength: 2 }))
    .map(([o, items]) => ({ ...o, items }));
  const order = fc
    .tuple(levelFields, fc.array(pack, { minLength: 1, maxLength: 2 }))
    .map(([o, packs]) => ({ ...o, packs }));
  return fc
    .tuple(
      body(map.children.filter((n) => n !== loop)),
      levelFields,
      fc.array(order, { minLength: 1, maxLength: 2 }),
    )
    .map(([head, s, orders]) => ({ ...mergeDistinct([head, s]), orders }));
}

function envelope(map: TransactionMap, segments: ReturnType<typeof documentSegments>): string {
  const d = { element: '*', component: '>', repetition: '^' };
  const lines = [
    'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*>',
    `GS*${map.functionalGroup}*A*B*20240101*1200*1*X*${map.version}`,
    `ST*${map.transactionSet}*0001`,
    ...segments.map((s) => segmentText(s, d)),
    `SE*${segments.length + 2}*0001`,
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return lines.join('~\n') + '~\n';
}

const MAPS = (['850', '855', '856', '810', '997', '999'] as const).flatMap((set) =>
  registry.versions(set).map((v) => [set, v] as const),
);

describe('JSON → X12 → JSON for generated documents', () => {
  it.each(MAPS)('%s %s', (set, version) => {
    const map = registry.get(set, version);
    const docs = map.children.some((n) => n.kind === 'loop' && n.hierarchy)
      ? hierarchy(map)
      : body(map.children);
    fc.assert(
      fc.property(docs, (doc) => {
        const x12 = envelope(map, documentSegments(map, doc));
        const { translations } = translateX12(x12, registry);
        expect(translations).toHaveLength(1);
        expect(translations[0]!.document[map.document]).toEqual(doc);
      }),
      { numRuns: 60 },
    );
  });
});

describe('the generators', () => {
  it('make documents with lines, parties and nested levels, not empty shells', () => {
    const po = fc.sample(body(registry.get('850', '004010').children), { numRuns: 20, seed: 7 });
    expect(po.filter((d) => Array.isArray(d.lines) && d.lines.length > 0).length).toBeGreaterThan(5);
    expect(po.some((d) => Array.isArray(d.parties))).toBe(true);
    const asn = fc.sample(hierarchy(registry.get('856', '004010')), { numRuns: 5, seed: 7 });
    expect(
      asn.every(
        (d) => Array.isArray(d.orders) && (d.orders as JsonObject[]).every((o) => Array.isArray(o.packs)),
      ),
    ).toBe(true);
  });
});
