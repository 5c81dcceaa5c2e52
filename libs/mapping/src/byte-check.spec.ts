import { RawSegment, type Delimiters } from '@edi/x12';
import fc from 'fast-check';
import { resolve } from 'node:path';
import { checkedBounds, cleanOnBytes, jsonBounds, LazySegment } from './byte-check';
import { MapRegistry } from './loader';
import type { ElementDef, MapNode, SegmentNode } from './model';
import { elementBounds, plainBounds } from './text-values';
import { checkElements } from './validate';

const registry = new MapRegistry(resolve(__dirname, '../../../edi-maps'));
const DELIMITERS: Delimiters = {
  element: 0x2a,
  component: 0x3e,
  repetition: 0x5e,
  segment: Buffer.from('~'),
};

function node(set: string, id: string): SegmentNode {
  const find = (nodes: MapNode[]): SegmentNode | undefined => {
    for (const n of nodes) {
      if (n.kind === 'segment' && n.id === id) return n;
      if (n.kind === 'loop') {
        const inner = find(n.children);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return find(registry.get(set, '004010').children)!;
}

const raw = (text: string) => {
  const buf = Buffer.from(text, 'latin1');
  return new RawSegment(buf, 0, buf.length, 5, 0, DELIMITERS, '', undefined, true);
};

/** checkElements' findings on the decoded segment, and whether the byte check calls it clean. */
function both(set: string, text: string) {
  const r = raw(text);
  const n = node(set, text.split('*')[0]!);
  return { clean: cleanOnBytes(n, r), issues: checkElements(n, new LazySegment(r), 3) };
}

describe('cleanOnBytes: a segment clean on its bytes has no finding of checkElements', () => {
  it.each([
    ['850', 'BEG*00*SA*PO1**20261125'],
    ['850', 'PO1*1*3*EA*1.25**BP*SKU-1*VP*V100*UP*012345678901'],
    ['850', 'PO1*1*-3*EA*.25'],
    ['850', 'DTM*002*20261201'],
    ['850', 'N1*ST*STORE 42*92*0042'],
    ['850', 'REF*DP*042'],
    ['850', 'CTT*20'],
    ['856', 'HL*1**S'],
    ['810', 'BIG*20261125*INV1'],
  ])('%s %s is clean, and checkElements agrees', (set, text) => {
    expect(both(set, text)).toEqual({ clean: true, issues: [] });
  });

  it.each([
    ['850', 'BEG*00*XX*PO1**20261125'], // a code not in the list
    ['850', 'BEG*00*SA***20261125'], // a mandatory element empty
    ['850', 'BEG*00*SA*PO1**20261332'], // no such date
    ['850', 'BEG*00*SA*PO1**2026112'], // a date too short
    ['850', 'PO1*1*3A*EA'], // a word in a decimal element
    ['850', 'PO1*1*3..1*EA'], // two decimal points
    ['850', 'PO1*1*-*EA'], // a sign alone
    ['850', 'PO1*1*3*EA*1.25**BP'], // P0607: a qualifier without its value
    ['850', 'DTM*002*20261201*2561'], // no such time
    ['850', 'N1*ST*STORE\x0142'], // a control character
    ['850', 'REF*DP*0420000000000000000000000000001'], // too long
    ['850', 'REF*DP*042*X*A>B'], // a composite: left to checkElements
    ['850', 'REF*DP*A^B'], // a repetition separator
    ['850', 'N1*ST*CAFÉ'], // a byte over 0x7f
    ['850', 'CTT*20*1*1*1*1*1*1*1*1*1*1'], // elements past the segment's last
    ['850', 'CTT*2.5'], // a decimal in a whole number
    ['850', 'N1*ST'], // R0203: neither N102 nor N103
    ['850', 'N1*ST*STORE 42*92'], // P0304: N103 without N104
    ['850', 'BEG*00*SAX*PO1**20261125'], // a value longer than any code of the list
  ])('%s %s is not called clean', (set, text) => {
    expect(both(set, text).clean).toBe(false);
  });

  it('reads the segment where it stands in the buffer, not from the start of the buffer', () => {
    // the tokenizer hands views on one large chunk: a clean segment after a bad one is still clean
    const text = 'PO1*1*3A*EA~PO1*1*3*EA*1.25~';
    const buf = Buffer.from(text, 'latin1');
    const at = text.indexOf('~') + 1;
    const second = new RawSegment(buf, at, buf.length - 1, 5, 0, DELIMITERS, '', undefined, true);
    const first = new RawSegment(buf, 0, at - 1, 5, 0, DELIMITERS, '', undefined, true);
    expect(cleanOnBytes(node('850', 'PO1'), second)).toBe(true);
    expect(cleanOnBytes(node('850', 'PO1'), first)).toBe(false);
  });

  it('the id of a lazy segment is its own bytes, case and length kept, however often an id repeats', () => {
    const ids = ['PO1*1', 'po1*1', 'PO1*1', 'PO*1', 'P*1', 'PO12*1'].map((t) => new LazySegment(raw(t)).id);
    expect(ids).toEqual(['PO1', 'po1', 'PO1', 'PO', 'P', 'PO12']);
  });

  it('a lazy segment reads as toSegment makes it', () => {
    const r = raw('PO1*1*3*EA*1.25**BP*SKU>1');
    const lazy = new LazySegment(r);
    expect(lazy.id).toBe('PO1');
    expect({ id: lazy.id, elements: lazy.elements }).toEqual(r.toSegment(''));
  });
});

/** Every segment node of a guide. */
function segmentNodes(nodes: MapNode[], out: SegmentNode[] = []): SegmentNode[] {
  for (const n of nodes) {
    if (n.kind === 'segment') out.push(n);
    else segmentNodes(n.children, out);
  }
  return out;
}

const NODES = [
  ...segmentNodes(registry.get('850', '004010').children),
  ...segmentNodes(registry.get('856', '004010').children),
  ...segmentNodes(registry.get('810', '004010').children),
  // a partner's guide: excluded elements, narrowed codes
  ...segmentNodes(registry.get('850', '004010', 'acme').children),
];

/** Values near what the element allows, and the bytes that make a segment not clean. */
const ODD = [
  '-',
  '.',
  '-.',
  '1.',
  '.5',
  '-7',
  '\x01',
  '\x7f',
  'É',
  ' ',
  'A B',
  '00',
  '20261301',
  '2360',
  '123456789',
];
const value = (def: ElementDef, text: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.constant(''),
    def.codes?.size ? fc.constantFrom(...def.codes) : fc.constant('X'),
    fc.constantFrom('20261125', '261125', '1200', '120030', '3', '-3', '1.25', '.25', 'SKU-1'),
    fc.constantFrom(...ODD),
    text,
  );

/** Delimiters as real senders pick them, and ones that collide with the signs and points of numbers. */
const delimiters = fc.constantFrom<Delimiters>(
  DELIMITERS,
  { element: 0x7c, component: 0x3a, repetition: undefined, segment: Buffer.from('~') },
  { element: 0x1d, component: 0x1f, repetition: 0x1e, segment: Buffer.from('\x1c') },
  { element: 0x2a, component: 0x2d, repetition: 0x2e, segment: Buffer.from('~') },
  { element: 0x2d, component: 0x2e, repetition: 0x5e, segment: Buffer.from('~') },
  { element: 0x2e, component: 0x3e, repetition: 0x2d, segment: Buffer.from('~') },
);

/** A segment of a guide's node, its values near what each element allows, under some delimiters. */
const segment = fc.tuple(fc.constantFrom(...NODES), delimiters).chain(([n, d]) => {
  const chars = [
    'A',
    '1',
    '0',
    '.',
    '-',
    ' ',
    '\x01',
    'É',
    '"',
    '\\',
    ...[d.element, d.component, d.repetition ?? 0x41].map((b) => String.fromCharCode(b)),
  ];
  const text = fc.array(fc.constantFrom(...chars), { maxLength: 6 }).map((cs) => cs.join(''));
  const defs = [...n.elements, { type: 'AN', codes: undefined } as ElementDef];
  return fc
    .tuple(...defs.map((def) => value(def, text)))
    .chain((vs) => fc.integer({ min: 0, max: vs.length }).map((k) => vs.slice(0, k)))
    .map((values) => {
      const buf = Buffer.from([n.id, ...values].join(String.fromCharCode(d.element)), 'latin1');
      return { n, r: new RawSegment(buf, 0, buf.length, 5, 0, d, '', undefined, true) };
    });
});

describe('cleanOnBytes: property', () => {
  it('a segment called clean is one checkElements finds nothing in, whatever its bytes and delimiters', () => {
    let clean = 0;
    fc.assert(
      fc.property(segment, ({ n, r }) => {
        if (!cleanOnBytes(n, r)) return;
        clean++;
        expect(checkElements(n, new LazySegment(r), 3)).toEqual([]);
      }),
      { numRuns: 20000 },
    );
    // the property says something only if many segments are called clean
    expect(clean).toBeGreaterThan(1000);
  });
});

describe('jsonBounds: the check’s split, for the text writer', () => {
  it('is the split plainBounds makes of a clean segment whose bytes are JSON text, and -1 for any other', () => {
    let copied = 0;
    fc.assert(
      fc.property(segment, ({ n, r }) => {
        const clean = cleanOnBytes(n, r);
        const count = jsonBounds(r);
        const checked = Array.from(checkedBounds().subarray(0, 2 * Math.max(count, 0)));
        const plain = plainBounds(r);
        expect(count).toBe(clean ? plain : -1);
        if (count < 0) return;
        copied++;
        expect(Array.from(elementBounds().subarray(0, 2 * count))).toEqual(checked);
      }),
      { numRuns: 20000 },
    );
    expect(copied).toBeGreaterThan(1000);
  });

  it('answers only for the segment checked last', () => {
    const po1 = node('850', 'PO1');
    const [a, b, bad] = [raw('PO1*1*3*EA'), raw('PO1*2*3*EA'), raw('PO1*1*3A*EA')];
    expect(cleanOnBytes(po1, a)).toBe(true);
    expect([jsonBounds(a), jsonBounds(b)]).toEqual([3, -1]);
    cleanOnBytes(po1, bad);
    expect(jsonBounds(a)).toBe(-1);
  });

  it.each(['PID*F****WIDGET "DELUXE"', 'PID*F****A\\B', 'PID*F****A\x7fB'])(
    '%s is clean, but its bytes are not copied as JSON text',
    (text) => {
      const r = raw(text);
      expect(cleanOnBytes(node('850', 'PID'), r)).toBe(true);
      expect(jsonBounds(r)).toBe(-1);
    },
  );
});
