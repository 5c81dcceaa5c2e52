import type { Element, X12Issue } from '@edi/x12';
import type { SyntaxNote } from './model';
import { checkNotes } from './syntax-notes';

/** "P0607" → the note as the loader builds it from the standard's dictionary. */
const note = (text: string): SyntaxNote => ({
  kind: text[0] as SyntaxNote['kind'],
  positions: text.slice(1).match(/\d\d/g)!.map(Number),
  text,
});
/** Elements as the tokenizer gives them, XX01 first; '' stands for an empty element. */
const check = (
  segmentId: string,
  text: string,
  values: Element[],
  composite?: { element: number; ref: string },
) => {
  const issues: X12Issue[] = [];
  checkNotes([note(text)], values, { segmentId, position: 7, composite }, (i) => issues.push(i));
  return issues;
};

describe('syntax notes', () => {
  it('P (paired): one given without the other is AK4 2 at the missing one', () => {
    expect(check('PO1', 'P0607', ['1', '2', 'EA', '', '', 'BP'])).toEqual([
      expect.objectContaining({
        code: 'SYNTAX_NOTE',
        ak3: '8',
        ak4: '2',
        segmentId: 'PO1',
        position: 7,
        element: 7,
        message: 'PO1 P0607: PO106 given without PO107',
      }),
    ]);
    expect(check('PO1', 'P0607', ['1', '2', 'EA', '', '', '', 'SKU'])[0]).toMatchObject({
      element: 6,
      message: 'PO1 P0607: PO107 given without PO106',
    });
    expect(check('PO1', 'P0607', ['1', '2', 'EA', '', '', 'BP', 'SKU'])).toEqual([]);
    expect(check('PO1', 'P0607', ['1', '2', 'EA'])).toEqual([]);
  });

  it('R (required): none of them is AK4 2 at the first', () => {
    expect(check('REF', 'R0203', ['DP'])).toEqual([
      expect.objectContaining({ ak4: '2', element: 2, message: 'REF R0203: REF02 or REF03 is required' }),
    ]);
    expect(check('N1', 'R0203', ['ST', '', '92', '1'])).toEqual([]);
    expect(check('PER', 'R030507', ['IC'])[0]!.message).toBe(
      'PER R030507: PER03, PER05 or PER07 is required',
    );
  });

  it('E (exclusion): two given is AK4 10 at the second, with its value', () => {
    expect(check('N1', 'E0203', ['ST', 'ACME', 'ZZ'])).toEqual([
      expect.objectContaining({
        ak4: '10',
        element: 3,
        value: 'ZZ',
        message: 'N1 E0203: N102 and N103 are both given; only one may be',
      }),
    ]);
    expect(check('X', 'E010203', ['', 'B', 'C'])[0]).toMatchObject({
      element: 3,
      message: 'X E010203: X02 and X03 are both given; only one of X01, X02 and X03 may be',
    });
    expect(check('N1', 'E0203', ['ST', 'ACME'])).toEqual([]);
  });

  it('C (conditional): the first given requires all the others, AK4 2 at the first missing', () => {
    expect(check('PO1', 'C0302', ['1', '', 'EA'])).toEqual([
      expect.objectContaining({
        ak4: '2',
        element: 2,
        message: 'PO1 C0302: PO103 given, so PO102 is required',
      }),
    ]);
    expect(check('X', 'C010203', ['A'])[0]!.message).toBe(
      'X C010203: X01 given, so X02 and X03 are required',
    );
    expect(check('PO1', 'C0302', ['1', '10'])).toEqual([]);
  });

  it('L (list conditional): the first given requires at least one of the others', () => {
    expect(check('X', 'L010203', ['A'])).toEqual([
      expect.objectContaining({
        ak4: '2',
        element: 2,
        message: 'X L010203: X01 given, so X02 or X03 is required',
      }),
    ]);
    expect(check('X', 'L010203', ['A', '', 'C'])).toEqual([]);
    expect(check('X', 'L010203', ['', 'B'])).toEqual([]);
  });

  it("a composite's notes are reported at its element and component", () => {
    expect(check('REF', 'P0304', ['AB', '12', 'X'], { element: 4, ref: 'C040' })).toEqual([
      expect.objectContaining({
        ak4: '2',
        element: 4,
        component: 4,
        message: 'REF04 (C040) P0304: REF04-03 given without REF04-04',
      }),
    ]);
  });

  it('a composite or repeated element counts as given when any part holds data', () => {
    expect(check('X', 'R0102', ['', ['', 'B']])).toEqual([]);
    expect(check('X', 'R0102', ['', ['', '']])).toHaveLength(1);
    expect(check('X', 'R0102', [{ repeat: ['', 'B'] }])).toEqual([]);
  });
});
