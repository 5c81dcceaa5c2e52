import { resolve } from 'node:path';
import { readGuideForm, writeGuideForm } from './guide-form';
import { MapRegistry } from './loader';

/**
 * A value's graph spelled out: each object numbered at its first visit and named by that number
 * at the next, keys in their order, undefined values kept, so two graphs compare equal only when
 * they are the same shape, share the same objects and hold the same values.
 */
function graph(v: unknown, ids = new Map<object, number>()): unknown {
  if (v === undefined) return '<undefined>';
  if (v === Infinity) return '<Infinity>';
  if (typeof v !== 'object' || v === null) return v;
  const seen = ids.get(v);
  if (seen !== undefined) return { same: seen };
  ids.set(v, ids.size);
  // by tag: a partner's guide is a structuredClone, whose Sets are not this realm's under jest
  const tag = Object.prototype.toString.call(v);
  if (tag === '[object Set]') return { set: [...(v as Set<unknown>)].map((x) => graph(x, ids)) };
  if (tag === '[object Map]')
    return { map: [...(v as Map<unknown, unknown>)].map(([k, x]) => [graph(k, ids), graph(x, ids)]) };
  if (Array.isArray(v)) return v.map((x) => graph(x, ids));
  return Object.entries(v).map(([k, x]) => [k, graph(x, ids)]);
}

describe('a guide written as text and read back', () => {
  const registry = new MapRegistry(resolve(__dirname, '../../../edi-maps'), { compiled: false });

  it('is the graph the builder made, for every set and version of the standard', () => {
    let guides = 0;
    for (const set of ['810', '850', '855', '856', '997', '999'])
      for (const version of registry.standard.versions) {
        if (registry.chooseVersion(set, version)?.version !== version) continue;
        const guide = registry.get(set, version, undefined, version < '004' ? 'YYMMDD' : undefined);
        const text = writeGuideForm(guide);
        expect(text).toBeDefined();
        expect(graph(readGuideForm(text!))).toEqual(graph(guide));
        guides++;
      }
    expect(guides).toBeGreaterThan(40);
  });

  it('keeps a partner guide, and a new graph at each read', () => {
    const acme = registry.get('850', '004010', 'acme');
    const text = writeGuideForm(acme)!;
    const [a, b] = [readGuideForm(text), readGuideForm(text)];
    expect(graph(a)).toEqual(graph(acme));
    expect(a).not.toBe(b);
  });

  it('keeps Sets and Maps with what is inside them, and objects shared between places', () => {
    const codes = new Set(['A', 'B']);
    const value = {
      one: { codes, max: Infinity, path: undefined },
      two: { codes, notes: [] as string[] },
      levels: new Map([['I', { path: undefined, array: true }]]),
    };
    const back = readGuideForm<typeof value>(writeGuideForm(value)!);
    expect(graph(back)).toEqual(graph(value));
    expect(back.one.codes).toBe(back.two.codes);
    expect('path' in back.one).toBe(true);
  });

  it('declines what it cannot read back as it was', () => {
    expect(writeGuideForm({ a: null })).toBeUndefined();
    expect(writeGuideForm({ a: new Date(0) })).toBeUndefined();
    expect(writeGuideForm({ a: NaN })).toBeUndefined();
    const inner = { x: 1 };
    // an object inside a Map's members and reached again: no path reaches it once the Map is made
    expect(writeGuideForm({ m: new Map([['k', inner]]), again: inner })).toBeUndefined();
  });
});
