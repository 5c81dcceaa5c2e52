import { Readable } from 'node:stream';
import { X12Error } from './errors';
import { RawSegment } from './segment';
import { SegmentTokenizer, tokenize, tokenizeBuffer } from './tokenizer';
import { x12 } from './testing/x12-builder';

const ids = (segs: RawSegment[]) => segs.map((s) => s.id);
const texts = (segs: RawSegment[]) => segs.map((s) => s.buf.toString('latin1', s.start, s.end));

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

async function collect(chunks: Buffer[]): Promise<RawSegment[]> {
  const all: RawSegment[] = [];
  for await (const batch of tokenize(Readable.from(chunks))) all.push(...batch);
  return all;
}

describe('SegmentTokenizer', () => {
  const po = x12().po(2);

  it('splits segments and numbers them from 1 with their byte offsets', () => {
    const { segments } = tokenizeBuffer(po.build());
    expect(ids(segments)).toEqual(['ISA', 'GS', 'ST', 'BEG', 'PO1', 'PO1', 'CTT', 'SE', 'GE', 'IEA']);
    expect(segments.map((s) => s.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(segments[1]!.offset).toBe(107); // 106-byte ISA + LF
    expect(segments.every((s) => s.after === '\n')).toBe(true);
  });

  it.each([
    ['CR/LF after terminators', { lineEnding: '\r\n' }],
    ['no line breaks', { lineEnding: '' }],
    ['a space after terminators', { lineEnding: ' ' }],
    ['newline as the terminator itself', { segment: '\n', lineEnding: '' }],
    ['CR as terminator with LF after', { segment: '\r', lineEnding: '\n' }],
    ['NAK (0x15) terminator and DEL (0x7F) separator', { segment: '\x15', element: '\x7f' }],
  ])('copes with %s', (_, style) => {
    const { segments } = tokenizeBuffer(x12(style).po(1).build());
    expect(ids(segments)).toEqual(['ISA', 'GS', 'ST', 'BEG', 'PO1', 'CTT', 'SE', 'GE', 'IEA']);
    expect(segments[3]!.fields()).toEqual(['00', 'SA', 'PO123', '', '20240131']);
  });

  it('skips a byte-order mark and blank lines before ISA, and trailing blank lines and Ctrl-Z', () => {
    const input = Buffer.concat([Buffer.from('\ufeff\r\n  \n', 'utf8'), po.build(), Buffer.from('\n\n\x1a')]);
    const { segments, tokenizer } = tokenizeBuffer(input);
    expect(tokenizer.leading).toBe('\ufeff\r\n  \n');
    expect(segments).toHaveLength(10);
    expect(segments[9]!.after).toBe('\n\n\n\x1a');
  });

  it('reads several interchanges with different delimiters in one input', () => {
    const input = Buffer.concat([
      x12().po(1).build(),
      x12({ element: '|', segment: "'", component: ':', lineEnding: '\r\n' }).po(1).build(),
    ]);
    const { segments } = tokenizeBuffer(input);
    expect(ids(segments)).toHaveLength(18);
    expect(segments[9]!.delimiters.element).toBe(0x7c);
    expect(segments[12]!.fields()[2]).toBe('PO123');
  });

  it('accepts lower-case segment ids', () => {
    const { segments } = tokenizeBuffer(Buffer.from(x12().po(1).text().toLowerCase(), 'latin1'));
    expect(ids(segments)[0]).toBe('isa');
    expect(segments.map((s) => s.tag)).toEqual(
      tokenizeBuffer(po.build())
        .segments.filter((s) => s.id !== 'PO1' || s.fields()[0] === '1')
        .map((s) => s.tag),
    );
  });

  it('gives the same segments whatever the chunk size, a chunk ending on a delimiter included', async () => {
    const input = Buffer.concat([
      x12({ lineEnding: '\r\n' }).po(3).build(),
      x12({ segment: '\n', lineEnding: '' }).po(2).build(),
    ]);
    const whole = texts(tokenizeBuffer(input).segments);
    for (const size of [1, 2, 3, 7, 105, 106, 107, 4096]) {
      expect(texts(await collect(chunked(input, size)))).toEqual(whole);
    }
  });

  it('drops line breaks inside segments of a hard-wrapped file and records them', () => {
    const flat = x12({ lineEnding: '' }).po(3).text();
    const wrapped = flat.replace(/(.{80})/g, '$1\n');
    const { segments } = tokenizeBuffer(Buffer.from(wrapped, 'latin1'));
    expect(texts(segments)).toEqual(texts(tokenizeBuffer(Buffer.from(flat, 'latin1')).segments));
    expect(segments.some((s) => s.wraps?.length)).toBe(true);
  });

  it('keeps a last segment that has no terminator', () => {
    const text = x12().po(1).text().replace(/~\n$/, '');
    const { segments } = tokenizeBuffer(Buffer.from(text, 'latin1'));
    expect(segments.at(-1)).toMatchObject({ terminated: false });
    expect(segments.at(-1)!.fields()).toEqual(['1', '000000001']);
  });

  it('refuses input that does not start with ISA, naming the offset', () => {
    expect(() => tokenizeBuffer(Buffer.from('GS*PO*A*B~'))).toThrow(
      expect.objectContaining({ code: 'ISA_EXPECTED', offset: 0, ta1: '022' }),
    );
  });

  it('refuses data after IEA that is not another ISA', () => {
    const input = Buffer.concat([po.build(), Buffer.from('GARBAGE~')]);
    expect(() => tokenizeBuffer(input)).toThrow(
      expect.objectContaining({ code: 'ISA_EXPECTED', segmentIndex: 11, offset: po.build().length }),
    );
  });

  it('quotes the same bytes after IEA whatever the chunking (found by npm run fuzz)', async () => {
    const input = Buffer.concat([po.build(), Buffer.from('*9999999999999999999999~')]);
    let whole = '';
    try {
      tokenizeBuffer(input);
    } catch (e) {
      whole = (e as X12Error).message;
    }
    expect(whole).toContain("found '*9999999999999999999'");
    const cut = po.build().length + 5;
    await expect(collect([input.subarray(0, cut), input.subarray(cut)])).rejects.toThrow(whole);
  });

  it('refuses empty input and a segment that never ends', () => {
    expect(() => tokenizeBuffer(Buffer.alloc(0))).toThrow(
      expect.objectContaining({ code: 'NO_INTERCHANGE' }),
    );
    const t = new SegmentTokenizer({ maxSegmentLength: 1000 });
    t.write(x12().isa().build(), () => undefined);
    expect(() => t.write(Buffer.alloc(2000, 0x41), () => undefined)).toThrow(X12Error);
  });

  it('reads a multi-byte terminator split across two chunks', async () => {
    const input = Buffer.concat([x12({ segment: '\u2026' }).po(1).build()]);
    const whole = texts(tokenizeBuffer(input).segments);
    for (const cut of [105, 106, 107, 108]) {
      expect(texts(await collect([input.subarray(0, cut), input.subarray(cut)]))).toEqual(whole);
    }
  });

  it('keeps Ctrl-Z and line breaks after an unterminated last segment out of its data', () => {
    const text = x12().po(1).text().replace(/~\n$/, '\r\n\x1a');
    const { segments } = tokenizeBuffer(Buffer.from(text, 'latin1'));
    expect(segments.at(-1)!.fields()).toEqual(['1', '000000001']);
    expect(segments.at(-1)!.after).toBe('\r\n\x1a');
  });

  it('names the right segment when one is too long', () => {
    const t = new SegmentTokenizer({ maxSegmentLength: 200 });
    const input = Buffer.from(x12().isa().gs().st().text() + 'N9*ZZ*' + 'X'.repeat(300) + '~', 'latin1');
    expect(() => {
      t.write(input, () => undefined);
      t.end(() => undefined);
    }).toThrow(expect.objectContaining({ code: 'SEGMENT_TOO_LONG', segmentIndex: 4 }));
  });
});
