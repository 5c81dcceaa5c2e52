import type { Element } from '@edi/x12';
import type { ElementDef, SegmentNode, SyntaxNote } from './model';
import { checkElements } from './validate';

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
