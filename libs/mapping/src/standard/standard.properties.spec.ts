import { buildAcks, serialize } from '@edi/x12';
import fc from 'fast-check';
import { resolve } from 'node:path';
import { MapRegistry } from '../loader';
import type { MapNode } from '../model';
import { KINDS, mutate, type Mutation } from '../testing/mutations';
import { drawFrom, rng, type DrawnSet } from '../testing/standard-sets';
import { NOW, segmentOf, writeSet } from '../testing/write-set';
import { buildX12, translateX12 } from '../translate';

const registry = new MapRegistry(resolve(__dirname, '../../../../edi-maps'));

const TABLES = [
  ...['850', '855', '856', '810', '997'].flatMap((s) => [
    [s, '004010'],
    [s, '005010'],
  ]),
  ['999', '005010'],
  ['850', '004030'],
  // tables of their own under a house map written for 004010's (paths laid on what they share)
  ...['850', '855', '856', '810'].flatMap((s) => [
    [s, '003040'],
    [s, '003050'],
  ]),
] as Array<[string, string]>;

// the tables before 004010 run through the same walker and checker: fewer runs keep the suite's time
const runs = (version: string, n: number) => (version < '004' ? Math.ceil(n / 3) : n);

const draw = (set: string, version: string, seed: number, towards?: ReadonlySet<MapNode>): DrawnSet =>
  drawFrom(registry.get(set, version), seed, { repeatingElements: version >= '005', towards });

/** A standard-valid set validates with no error, comes back byte for byte through JSON, and is acked A. */
function expectClean(drawn: DrawnSet): void {
  const { transactionSet: set } = drawn.map;
  const input = writeSet(drawn);
  const { translations, report } = translateX12(input, registry);
  const errors = report.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new Error(`${errors.map((e) => e.message).join('\n')}\n${input.toString()}`);
  const back = serialize(
    buildX12([translations[0]!.document], registry, {
      now: NOW,
      interchangeControl: 1,
      groupControl: 1,
    }),
  );
  expect(back.toString()).toBe(input.toString());
  const acks = buildAcks(report.interchanges, { now: NOW, ta1: 'never' });
  const ak5 = acks.interchanges[0]?.groups[0]?.transactions[0]?.segments.find((s) => /^[AI]K5$/.test(s.id));
  if (set !== '997' && set !== '999') expect(ak5?.elements[0]).toBe('A');
}

/**
 * The sets of one table for this run: random seeds (fast-check's, printed with a failure), each
 * set drawn once and shared by the clean check and all thirteen kinds of fault, which never change
 * the set they are given (drawing costs more than checking).
 */
const pools = new Map<string, Array<{ seed: number; drawn: DrawnSet }>>();
function pool(set: string, version: string): Array<{ seed: number; drawn: DrawnSet }> {
  const key = `${set}/${version}`;
  let sets = pools.get(key);
  if (!sets) {
    const seeds = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), runs(version, 16));
    pools.set(key, (sets = seeds.map((seed) => ({ seed, drawn: draw(set, version, seed) }))));
  }
  return sets;
}

/** Runs the check on each set of the pool; a failure names the seed that draws its set again. */
function eachOfPool(set: string, version: string, check: (drawn: DrawnSet, seed: number) => void): void {
  for (const { seed, drawn } of pool(set, version)) {
    try {
      check(drawn, seed);
    } catch (e) {
      (e as Error).message = `${set} ${version}, drawn from seed ${seed}: ${(e as Error).message}`;
      throw e;
    }
  }
}

describe.each(TABLES)('standard-valid %s %s', (set, version) => {
  it('validates with no error and comes back byte for byte through JSON', () => {
    eachOfPool(set, version, (drawn) => expectClean(drawn));
  });
});

/** The finding as the ack says it: AK3/AK4 in a 997, IK3/IK4 in a 999 (005010). */
function expectAck(report: ReturnType<typeof translateX12>['report'], m: Mutation, is999: boolean) {
  const acks = buildAcks(report.interchanges, { now: NOW, ta1: 'never' });
  const segments = acks.interchanges[0]!.groups[0]!.transactions[0]!.segments;
  const [k3, k4] = is999 ? ['IK3', 'IK4'] : ['AK3', 'AK4'];
  const e = m.expected;
  expect(segments.filter((s) => s.id === k3)).toEqual([
    { id: k3, elements: [e.segmentId, String(e.position), '', e.ak3] },
  ]);
  const ak4 = segments.filter((s) => s.id === k4);
  if (!e.element) return expect(ak4).toEqual([]);
  expect(ak4).toHaveLength(1);
  expect(ak4[0]!.elements.slice(0, 3)).toEqual([
    e.component ? [String(e.element), String(e.component)] : String(e.element),
    '',
    e.ak4,
  ]);
}

const seen = new Set<string>();

describe.each(TABLES)('one fault in a standard-valid %s %s', (set, version) => {
  it.each(KINDS.map((k) => [k]))('%s: reported once, at its segment and element, in the ack too', (kind) => {
    eachOfPool(set, version, (drawn, seed) => {
      const m = mutate(drawn, kind, rng(seed ^ 0x5bd1e995));
      if (!m) return;
      seen.add(kind);
      const input = writeSet(drawn, m.segments.map(segmentOf));
      const { report } = translateX12(input, registry);
      const errors = report.issues.filter((i) => i.severity === 'error');
      const got = errors.map(({ code, segmentId, position, ak3, element, component, ak4 }) => ({
        code,
        segmentId,
        position,
        ak3,
        ...(element !== undefined && ak4 ? { element, ak4 } : {}),
        ...(component ? { component } : {}),
      }));
      if (got.length !== 1 || JSON.stringify(got[0]) !== JSON.stringify(m.expected))
        throw new Error(
          `${kind}: expected ${JSON.stringify(m.expected)}\ngot ${JSON.stringify(got)}\n${errors.map((e) => e.message).join('\n')}\n${input.toString()}`,
        );
      if (set !== '997' && set !== '999') expectAck(report, m, version >= '005');
    });
  });
});

describe('the generator', () => {
  it('put every kind of fault into some set', () => {
    expect([...seen].sort()).toEqual([...KINDS].sort());
  });

  // Each draw steered towards the entries not drawn yet (a rare one, four loops deep, took over a
  // thousand plain draws): what matters is that every entry can be drawn where the table puts it.
  // Those sets, holding every entry of the table between them, must validate clean too.
  it.each(TABLES)('reaches every entry of %s %s, in sets that validate clean', (set, version) => {
    const map = registry.get(set, version);
    const all = new Set<MapNode>();
    const visit = (nodes: MapNode[]) =>
      nodes.forEach((n) => (n.kind === 'loop' ? visit(n.children) : all.add(n)));
    visit(map.children);
    const seed = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), 1)[0]!;
    for (let k = 0; k < 200 && all.size; k++) {
      const drawn = draw(set, version, seed + k * 7919, all);
      for (const s of drawn.segments) all.delete(s.node);
      expectClean(drawn);
    }
    expect([...all].map((n) => n.id)).toEqual([]);
  });
});
