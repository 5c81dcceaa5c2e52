import { readIsaHeader } from './delimiters';
import { X12Error } from './errors';
import { x12 } from './testing/x12-builder';

describe('readIsaHeader', () => {
  it('reads element, component and terminator from a 004010 header; ISA11 is not a repetition separator before 00402', () => {
    const h = readIsaHeader(
      x12({ version: '00401', element: '|', component: '>', segment: '\n', lineEnding: '' }).isa().build(),
      0,
      true,
      0,
    )!;
    expect(h.delimiters).toEqual({
      element: 0x7c,
      component: 0x3e,
      repetition: undefined,
      segment: Buffer.from('\n'),
    });
    expect(h.fixedWidth).toBe(true);
    expect(h.end).toBe(106);
  });

  it('reads ISA11 as the repetition separator from 00402 on', () => {
    const h = readIsaHeader(
      x12({ version: '00501', repetition: '^', component: ':' }).isa().build(),
      0,
      true,
      0,
    )!;
    expect(h.delimiters.repetition).toBe(0x5e);
    expect(h.delimiters.component).toBe(0x3a);
  });

  it('takes a multi-byte UTF-8 terminator whole and warns (TA1 004)', () => {
    const h = readIsaHeader(x12({ segment: '\u2026' }).isa().build().subarray(0, 105), 0, false, 0);
    expect(h).toBeNull(); // the terminator has not arrived yet
    const buf = Buffer.concat([x12().isa().build().subarray(0, 105), Buffer.from('\u2026\nGS', 'utf8')]);
    const full = readIsaHeader(buf, 0, true, 0)!;
    expect(full.delimiters.segment).toEqual(Buffer.from('\u2026', 'utf8'));
    expect(full.end).toBe(108);
    expect(full.issues.map((i) => [i.code, i.severity, i.ta1])).toEqual([
      ['MULTIBYTE_SEGMENT_TERMINATOR', 'warning', '004'],
    ]);
  });

  it('skips line breaks inside a hard-wrapped header and records where they were', () => {
    const text = x12().isa().text();
    const wrapped = Buffer.from(text.slice(0, 80) + '\r\n' + text.slice(80), 'latin1');
    const h = readIsaHeader(wrapped, 0, true, 0)!;
    expect(h.fixedWidth).toBe(true);
    expect(h.wraps).toEqual([[80, '\r\n']]);
    expect(h.content.toString('latin1')).toBe(text.slice(0, 105));
  });

  it('refuses a space, letter or digit as element separator with TA1 026', () => {
    for (const sep of [' ', 'A', '0']) {
      const buf = Buffer.from(`ISA${sep}00${sep}`);
      expect(() => readIsaHeader(buf, 0, true, 0)).toThrow(
        expect.objectContaining({ code: 'ISA_ELEMENT_SEPARATOR', ta1: '026' }),
      );
    }
  });

  it('refuses a letter as segment terminator with TA1 004, naming the byte offset', () => {
    const buf = Buffer.from(x12().isa().text().slice(0, 105) + 'XGS', 'latin1');
    try {
      readIsaHeader(buf, 0, true, 1000);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(X12Error);
      expect(e).toMatchObject({ code: 'ISA_SEGMENT_TERMINATOR', ta1: '004', offset: 1105 });
    }
  });

  it('flags a component separator that clashes with the element separator (TA1 027)', () => {
    const h = readIsaHeader(x12({ component: '*' }).isa().build(), 0, true, 0)!;
    expect(h.issues).toEqual([
      expect.objectContaining({ code: 'ISA_COMPONENT_SEPARATOR', ta1: '027', element: 16 }),
    ]);
  });

  it('reads a header whose elements were trimmed (not fixed width) and says so', () => {
    const buf = Buffer.from(
      'ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*240131*1100*U*00401*000011111*0*P*`~\n',
      'latin1',
    );
    const h = readIsaHeader(buf, 0, true, 0)!;
    expect(h.fixedWidth).toBe(false);
    expect(h.delimiters.component).toBe(0x60);
    expect(h.delimiters.segment).toEqual(Buffer.from('~'));
  });

  it('asks for more bytes mid-header, and calls a header cut short at the end of input premature (TA1 023)', () => {
    const part = x12().isa().build().subarray(0, 50);
    expect(readIsaHeader(part, 0, false, 0)).toBeNull();
    expect(() => readIsaHeader(part, 0, true, 0)).toThrow(
      expect.objectContaining({ code: 'ISA_TRUNCATED', ta1: '023' }),
    );
  });
});
