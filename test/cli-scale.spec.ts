import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { largeInterchange, purchaseOrder } from '../libs/x12/src/testing/large';

/** Runs the built `edi` bin as a user would. */
const BIN = resolve(__dirname, '../bin/edi.js');
function edi(args: string[], env: Record<string, string> = {}, input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    env: { ...process.env, EDI_NOW: '2026-11-25T09:30:00Z', ...env },
    maxBuffer: 256 << 20,
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout.toString(), err: r.stderr.toString() };
}
const tmp = mkdtempSync(join(tmpdir(), 'edi-cli-scale-'));

/** Three 850s, the second with 50 PO1 lines (53 segments with ST, BEG and SE). */
const file = join(tmp, 'three.x12');
writeFileSync(
  file,
  largeInterchange({ sets: 3, lines: 1 })
    .toString('latin1')
    .replace(purchaseOrder(2, 1), purchaseOrder(2, 50)),
  'latin1',
);

describe('edi at scale', () => {
  it('--max-segments refuses a longer set by its ST02, and the ack rejects it alone', () => {
    const v = edi(['validate', '--max-segments', '20', file]);
    expect(v.code).toBe(1);
    expect(v.out).toContain(
      'segment 27 (PO1, position 21): [AK5 5, AK3 5] SET_TOO_LONG error: transaction set 850 0002 (ST02) has more than 20 segments',
    );
    const ack = edi(['ack', '--max-segments', '20', file]);
    expect(ack.out).toContain('AK2*850*0002~\nAK3*PO1*21**5~\nAK5*R*5~');
    expect(ack.out).toContain('AK9*P*3*3*2~');
    const t = edi(['translate', '--max-segments', '20', file]);
    expect((JSON.parse(t.out) as Array<{ controlNumber: string }>).map((d) => d.controlNumber)).toEqual([
      '0001',
      '0003',
    ]);
  });

  it('takes the limit from EDI_MAX_SEGMENTS_PER_SET, and refuses a bad one as a usage error', () => {
    expect(edi(['validate', file], { EDI_MAX_SEGMENTS_PER_SET: '20' }).out).toContain('SET_TOO_LONG');
    expect(edi(['validate', file]).code).toBe(0);
    const bad = edi(['validate', file], { EDI_MAX_SEGMENTS_PER_SET: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('EDI_MAX_SEGMENTS_PER_SET');
    const flag = edi(['validate', '--max-segments', '0', file]);
    expect(flag).toMatchObject({ code: 2 });
    expect(flag.err).toContain("--max-segments must be a whole number from 1 up, got '0'");
  });

  it('translate writes a 50 MB document without holding its text: peak RSS within 90 MB of validate', () => {
    // one 850 of 350,000 PO1 lines: before, its JSON.stringify string and the copies made to write
    // it cost about 145 MB over validate; written in pieces, about 60 MB (the document itself)
    const one = join(tmp, 'po1-loop.x12');
    const lines = Array.from({ length: 350_000 }, (_, n) => `PO1*${n + 1}*1*EA*9.25**BP*B-${n + 1}~\n`);
    writeFileSync(
      one,
      'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261125*1230*U*00401*000000001*0*P*>~\n' +
        'GS*PO*SENDERAPP*RECEIVERAPP*20261125*1230*1*X*004010~\nST*850*0001~\nBEG*00*SA*PO-1**20261125~\n' +
        lines.join('') +
        'SE*350003*0001~\nGE*1*1~\nIEA*1*000000001~\n',
    );
    const peakMb = (command: string) => {
      const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, command, one], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) / 1024;
    };
    const validate = peakMb('validate');
    const translate = peakMb('translate');
    expect(validate).toBeGreaterThan(0);
    expect(translate - validate).toBeLessThan(90);
  });

  it('parse → serialize round-trips 206,000 segments', () => {
    const big = join(tmp, 'big.x12');
    const input = largeInterchange({ sets: 2, lines: 103_000 });
    writeFileSync(big, input);
    const json = join(tmp, 'big.json');
    const parsed = edi(['parse', big]);
    expect(parsed.code).toBe(0);
    writeFileSync(json, parsed.stdout);
    const back = edi(['serialize', json]);
    expect(back.err).toBe('');
    expect(back.stdout.equals(input)).toBe(true);
  });
});
