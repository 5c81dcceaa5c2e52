import { parseX12 } from './reader';
import { serialize } from './serializer';
import { x12 } from './testing/x12-builder';

describe('serialize', () => {
  it('gives back the exact bytes of a well-formed file, line breaks included', () => {
    for (const style of [
      {},
      { lineEnding: '\r\n' },
      { lineEnding: '' },
      { segment: '\n', lineEnding: '' },
      { version: '00501' },
    ]) {
      const input = x12(style).po(3).build();
      expect(serialize(parseX12(input))).toEqual(input);
    }
  });

  it('keeps odd spacing, hard wraps, a BOM and a missing last terminator', () => {
    const text =
      '\ufeff' +
      x12()
        .po(2)
        .text()
        .replace('BEG*00*SA*PO', 'BEG*00*SA\r\n*PO')
        .replace('~\nGE', '~ \nGE')
        .replace(/~\n$/, '');
    const input = Buffer.from(text, 'utf8');
    expect(serialize(parseX12(input))).toEqual(input);
  });

  it('splits composites and repeats, and writes them with any delimiters', () => {
    const input = x12({ version: '00501' })
      .isa()
      .gs({ version: '005010' })
      .st('850')
      .seg('REF', 'ZZ', 'A>B', 'X^Y>Z')
      .se()
      .ge()
      .iea()
      .build();
    const doc = parseX12(input);
    expect(doc.interchanges[0]!.groups[0]!.transactions[0]!.segments[0]!.elements).toEqual([
      'ZZ',
      ['A', 'B'],
      { repeat: ['X', ['Y', 'Z']] },
    ]);
    const out = serialize(doc, {
      delimiters: { element: '|', component: ':', repetition: '!', segment: "'" },
      lineEnding: '\r\n',
    }).toString();
    expect(out).toContain("REF|ZZ|A:B|X!Y:Z'\r\n");
    expect(out.slice(0, 106)).toMatch(
      /^ISA\|00\|.{10}\|00\|.{10}\|ZZ\|SENDER {9}\|ZZ\|RECEIVER {7}\|240131\|1100\|!\|00501\|000000001\|0\|P\|:'$/,
    );
    // and it reads back to the same tree
    const again = parseX12(Buffer.from(out));
    expect(again.interchanges[0]!.groups).toEqual(doc.interchanges[0]!.groups.map((g) => ({ ...g })));
  });

  it('writes text that is not UTF-8 back as the same bytes', () => {
    const input = Buffer.concat([
      x12().isa().gs().st().build(),
      Buffer.from([0x4e, 0x31, 0x2a, 0x53, 0x54, 0x2a, 0xc9, 0x43, 0x4f, 0x4c, 0x45, 0x7e, 0x0a]),
      x12().raw('SE', '3', '0001').raw('GE', '1', '1').raw('IEA', '1', '000000001').build(),
    ]);
    const doc = parseX12(input);
    expect(doc.interchanges[0]!.groups[0]!.transactions[0]!.segments[0]).toMatchObject({
      encoding: 'latin1',
      elements: ['ST', 'ÉCOLE'],
    });
    expect(serialize(doc)).toEqual(input);
  });

  it('round-trips truncated UTF-8 sequences byte for byte', () => {
    const bad = Buffer.from([0x4e, 0x31, 0x2a, 0x53, 0x54, 0x2a, 0x41, 0xf0, 0x9f, 0x98, 0x42, 0x7e, 0x0a]);
    const input = Buffer.concat([
      x12().isa().gs().st().build(),
      bad,
      x12().raw('SE', '3', '0001').raw('GE', '1', '1').raw('IEA', '1', '000000001').build(),
    ]);
    expect(serialize(parseX12(input))).toEqual(input);
  });
});
