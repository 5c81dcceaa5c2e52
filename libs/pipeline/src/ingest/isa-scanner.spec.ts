import { IsaScanner, isaControlNumbers } from './ingest.service';

const isa = (control: string) =>
  `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*DEMOSUPPLIER   *261125*1200*U*00401*${control}*0*P*>~\n`;
const file = Buffer.from(
  `${isa('000000007')}GS*PO*PARTNER*DEMOSUPPLIER*20261125*1200*1*X*004010~\nST*850*0001~\nBEG*00*SA*ISA-LIKE**20261125~\nSE*3*0001~\nGE*1*1~\nIEA*1*000000007~\n` +
    `${isa('000000008')}IEA*0*000000008~\n`,
  'latin1',
);

/** The ISA13s of a body read in pieces are those of the body read whole, wherever it is cut. */
describe('IsaScanner', () => {
  it('reads the ISA13 of every interchange of a file read whole', () => {
    expect(isaControlNumbers(file)).toBe('000000007,000000008');
  });

  it('finds the same ISA13s however the body is cut in two or in many pieces', () => {
    for (let cut = 0; cut <= file.length; cut++) {
      const s = new IsaScanner().push(file.subarray(0, cut)).push(file.subarray(cut));
      expect([cut, s.end()]).toEqual([cut, '000000007,000000008']);
    }
    for (const size of [1, 2, 3, 7, 64, 119, 120, 121]) {
      const s = new IsaScanner();
      for (let k = 0; k < file.length; k += size) s.push(file.subarray(k, k + size));
      expect([size, s.end()]).toEqual([size, '000000007,000000008']);
    }
  });

  it('has none for a body without an ISA', () => {
    expect(new IsaScanner().push(Buffer.from('not X12 at all')).end()).toBeNull();
  });
});
