import type { Element, X12Issue } from '@edi/x12';
import type { ElementDef, SegmentNode, SyntaxNote } from './model';
import { checkElements, guideChecker } from './validate';

const el = (ref: string, usage: ElementDef['usage'], type: ElementDef['type'] = 'AN'): ElementDef => ({
  ref,
  type,
  decimals: 0,
  min: 1,
  max: 30,
  usage,
  repeat: 1,
});
const note = (text: string): SyntaxNote => ({
  kind: text[0] as SyntaxNote['kind'],
  positions: text.slice(1).match(/\d\d/g)!.map(Number),
  text,
});
const REF: SegmentNode = {
  kind: 'segment',
  id: 'REF',
  usage: 'O',
  max: 1,
  array: false,
  elements: [
    el('128', 'M'),
    el('127', 'X'),
    el('352', 'X'),
    { ...el('C040', 'O', 'C'), notes: [note('P0304')] },
  ],
  notes: [note('R0203')],
};
const check = (...elements: Element[]) => checkElements(REF, { id: 'REF', elements }, 4);

describe('checkElements: syntax notes', () => {
  it("reports a segment's broken note at the element, AK4 2", () => {
    expect(check('DP')).toEqual([
      expect.objectContaining({
        code: 'SYNTAX_NOTE',
        ak3: '8',
        ak4: '2',
        position: 4,
        element: 2,
        message: 'REF R0203: REF02 or REF03 is required',
      }),
    ]);
    expect(check('DP', '123')).toEqual([]);
  });

  it("reports a composite's broken note at its component", () => {
    expect(check('DP', '123', '', ['AB', '12', 'X'])).toEqual([
      expect.objectContaining({
        ak4: '2',
        element: 4,
        component: 4,
        message: 'REF04 (C040) P0304: REF04-03 given without REF04-04',
      }),
    ]);
    expect(check('DP', '123', '', ['AB', '12', 'X', 'Y'])).toEqual([]);
    expect(check('DP', '123', '', 'AB')).toEqual([]);
  });
});

describe('checkElements: delimiters inside data', () => {
  const PO1: SegmentNode = {
    kind: 'segment',
    id: 'PO1',
    usage: 'M',
    max: 1,
    array: false,
    elements: [el('350', 'O'), { ...el('330', 'O', 'R'), repeat: 1 }, { ...el('C001', 'O', 'C') }],
  };
  it('a component separator in a simple element is AK4 6 at that element', () => {
    expect(checkElements(PO1, { id: 'PO1', elements: ['1', ['10', '5']] }, 3)).toEqual([
      expect.objectContaining({
        ak4: '6',
        element: 2,
        message: expect.stringContaining('PO102 holds the component separator'),
      }),
    ]);
  });
  it('a repetition separator in an element that does not repeat is AK4 6 there, not "too many repeats"', () => {
    expect(checkElements(PO1, { id: 'PO1', elements: ['1', { repeat: ['10', '5'] }] }, 3)).toEqual([
      expect.objectContaining({
        ak4: '6',
        element: 2,
        message: 'PO102 holds the repetition separator, which may not appear in data: it does not repeat',
      }),
    ]);
  });
});

describe('guideChecker: HL numbering', () => {
  const HL: SegmentNode = {
    kind: 'segment',
    id: 'HL',
    usage: 'M',
    max: 1,
    array: false,
    elements: [el('628', 'M'), el('734', 'O'), el('735', 'M')],
  };
  const run = (...hls: Array<[string, string]>) => {
    const issues: X12Issue[] = [];
    const checker = guideChecker(issues);
    hls.forEach(([id, parent], k) =>
      checker.segment!(HL, { id: 'HL', elements: [id, parent, 'I'] }, k + 2, 1),
    );
    return issues.map((i) => ({
      code: i.code,
      ak4: i.ak4,
      element: i.element,
      position: i.position,
      message: i.message,
    }));
  };
  it('HL01 1, 2, 3… with each HL02 an earlier HL01 is clean', () => {
    expect(run(['1', ''], ['2', '1'], ['3', '2'], ['4', '1'])).toEqual([]);
  });
  it('a break in the numbering is one finding at that HL; the sequence goes on from it', () => {
    expect(run(['1', ''], ['2', '1'], ['4', '2'], ['5', '4'], ['6', '4'])).toEqual([
      {
        code: 'HL_SEQUENCE',
        ak4: '7',
        element: 1,
        position: 4,
        message: "HL01 '4' breaks the sequence: HLs are numbered 1, 2, 3…, so this one is 3",
      },
    ]);
    expect(run(['2', ''])).toEqual([expect.objectContaining({ code: 'HL_SEQUENCE', position: 2 })]);
  });
  it('an HL02 that names no earlier HL01 (a later one, itself, none) is AK4 7 on HL02', () => {
    expect(run(['1', ''], ['2', '3'], ['3', '3'])).toEqual([
      expect.objectContaining({
        code: 'HL_PARENT_UNKNOWN',
        element: 2,
        position: 3,
        message: "HL02 '3' names no earlier HL: a parent's HL01 comes before its children",
      }),
      expect.objectContaining({ code: 'HL_PARENT_UNKNOWN', element: 2, position: 4 }),
    ]);
  });
});
