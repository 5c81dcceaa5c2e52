import { jsonChunks } from './json-chunks';

const text = (value: unknown, size?: number) => [...jsonChunks(value, size)].join('');

describe('jsonChunks', () => {
  const cases: Array<[string, unknown]> = [
    ['a plain document', { a: 1, b: 'x', c: [1, 'two', { d: null }], e: { f: { g: [] } } }],
    ['empty containers', { a: {}, b: [], c: [[], {}], d: [{}] }],
    [
      'undefined, functions and symbols',
      { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1] },
    ],
    ['an object of only undefined members', { a: { b: undefined }, c: [{ d: undefined }] }],
    ['numbers JSON has no name for', [NaN, Infinity, -Infinity, -0, 1e21, 0.1]],
    ['wrappers and toJSON', { n: Object(1), s: Object('s'), b: Object(false), d: new Date(0) }],
    ['strings that need escapes', { 'k"\n': 'quote " backslash \\ tab \t nul \u0000 \u2028 é 😀' }],
    ['top-level values', [[], {}, 'x', 1, null, true]],
  ];
  it.each(cases)('writes %s exactly as JSON.stringify(v, null, 2)', (_, value) => {
    expect(text(value)).toBe(JSON.stringify(value, null, 2));
    expect(text(value, 1)).toBe(JSON.stringify(value, null, 2));
  });

  it('writes nothing for a top-level undefined, as JSON.stringify gives no text', () => {
    expect([...jsonChunks(undefined)]).toEqual([]);
  });

  it('keeps pieces near the size asked for, so no piece is the whole document', () => {
    const doc = { lines: Array.from({ length: 20_000 }, (_, n) => ({ line: n, id: `B-${n}` })) };
    const pieces = [...jsonChunks(doc, 4096)];
    expect(pieces.join('')).toBe(JSON.stringify(doc, null, 2));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(4096 + 100);
  });

  it('walks a document deeper than the call stack allows recursion', () => {
    let deep: unknown = 'bottom';
    for (let n = 0; n < 20_000; n++) deep = [deep];
    // the indentation makes the text 400 million characters: count it, do not join it
    let length = 0;
    for (const piece of jsonChunks(deep)) length += piece.length;
    expect(length).toBe(2 * 20_000 * 20_001 + 2 * 20_000 + '"bottom"'.length);
  });

  it('refuses a circular structure as JSON.stringify does', () => {
    const a: Record<string, unknown> = {};
    a.self = { a };
    expect(() => text(a)).toThrow(TypeError);
  });
});
