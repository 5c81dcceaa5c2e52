/**
 * Test-only: writes X12 text the way the standard lays it out, so a spec states its input as an
 * EDI person would read it. Counts and control numbers are filled in unless a spec overrides them.
 */
export interface BuilderStyle {
  element?: string;
  component?: string;
  repetition?: string;
  segment?: string;
  lineEnding?: string;
  /** ISA12. */
  version?: string;
}

export interface IsaFields {
  senderQualifier?: string;
  sender?: string;
  receiverQualifier?: string;
  receiver?: string;
  date?: string;
  time?: string;
  control?: string;
  ackRequested?: '0' | '1';
  usage?: string;
}

export class X12Builder {
  private readonly lines: string[] = [];
  private readonly s: Required<BuilderStyle>;
  private isaControl = '000000001';
  private gsControl = '1';
  private stControl = '0001';
  private groups = 0;
  private sets = 0;
  private segments = 0;

  constructor(style: BuilderStyle = {}) {
    const version = style.version ?? '00401';
    this.s = {
      element: '*',
      component: '>',
      repetition: version >= '00402' ? '^' : 'U',
      segment: '~',
      lineEnding: '\n',
      version,
      ...style,
    };
  }

  isa(f: IsaFields = {}): this {
    this.isaControl = f.control ?? this.isaControl;
    this.groups = 0;
    return this.raw(
      'ISA',
      '00',
      ' '.repeat(10),
      '00',
      ' '.repeat(10),
      f.senderQualifier ?? 'ZZ',
      (f.sender ?? 'SENDER').padEnd(15),
      f.receiverQualifier ?? 'ZZ',
      (f.receiver ?? 'RECEIVER').padEnd(15),
      f.date ?? '240131',
      f.time ?? '1100',
      this.s.repetition,
      this.s.version,
      this.isaControl,
      f.ackRequested ?? '0',
      f.usage ?? 'P',
      this.s.component,
    );
  }

  gs(
    f: { functionalId?: string; control?: string; version?: string; date?: string; time?: string } = {},
  ): this {
    this.gsControl = f.control ?? String(this.groups + 1);
    this.groups++;
    this.sets = 0;
    return this.raw(
      'GS',
      f.functionalId ?? 'PO',
      'SENDERAPP',
      'RECEIVERAPP',
      // GS04 is YYMMDD before 004010
      f.date ?? ((f.version ?? '004010') < '004010' ? '240131' : '20240131'),
      f.time ?? '1100',
      this.gsControl,
      'X',
      f.version ?? '004010',
    );
  }

  st(setId = '850', control?: string, ...rest: string[]): this {
    this.sets++;
    this.stControl = control ?? String(this.sets).padStart(4, '0');
    this.segments = 0;
    return this.seg('ST', setId, this.stControl, ...rest);
  }

  /** A segment inside a transaction set (counted for SE01). */
  seg(id: string, ...elements: string[]): this {
    this.segments++;
    return this.raw(id, ...elements);
  }

  se(f: { count?: string; control?: string } = {}): this {
    this.segments++;
    return this.raw('SE', f.count ?? String(this.segments), f.control ?? this.stControl);
  }

  ge(f: { count?: string; control?: string } = {}): this {
    return this.raw('GE', f.count ?? String(this.sets), f.control ?? this.gsControl);
  }

  iea(f: { count?: string; control?: string } = {}): this {
    return this.raw('IEA', f.count ?? String(this.groups), f.control ?? this.isaControl);
  }

  /** A whole valid 850 interchange with `lines` PO1 lines. */
  po(lines = 1, poNumber = 'PO123'): this {
    this.isa().gs().st('850').seg('BEG', '00', 'SA', poNumber, '', '20240131');
    for (let n = 1; n <= lines; n++)
      this.seg('PO1', String(n), '10', 'EA', '9.25', '', 'BP', `SKU${n}`, 'UP', '012345678905');
    return this.seg('CTT', String(lines)).se().ge().iea();
  }

  /** Any segment text, written as is (no counting). */
  raw(id: string, ...elements: string[]): this {
    this.lines.push([id, ...elements].join(this.s.element));
    return this;
  }

  text(): string {
    return this.lines.map((l) => l + this.s.segment + this.s.lineEnding).join('');
  }

  build(): Buffer {
    return Buffer.from(this.text(), 'latin1');
  }
}

export function x12(style?: BuilderStyle): X12Builder {
  return new X12Builder(style);
}
