import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseX12, segmentText, validateX12 } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { CORPUS_DIR, itCorpus } from './helpers/corpus';

/** Runs the installed `edi` bin (built by `npm test`'s pretest) as a user would. */
const BIN = resolve(__dirname, '../bin/edi.js');
function edi(args: string[], input?: Buffer | string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    env: { ...process.env, EDI_NOW: '2026-11-25T09:30:00Z' },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout.toString(), err: r.stderr.toString() };
}
const corpus = (f: string) => join(CORPUS_DIR, f);
const tmp = mkdtempSync(join(tmpdir(), 'edi-cli-'));

describe('edi CLI', () => {
  itCorpus('parse → serialize gives back the file byte for byte', () => {
    const file = corpus('850/bots-plugins__850-004010-05.x12');
    const parsed = edi(['parse', file]);
    expect(parsed.code).toBe(0);
    const json = join(tmp, 'po.json');
    writeFileSync(json, parsed.stdout);
    expect(JSON.parse(parsed.out).interchanges[0].groups[0].transactions).toHaveLength(2);
    const back = edi(['serialize', json]);
    expect(back.code).toBe(0);
    expect(back.stdout.equals(readFileSync(file))).toBe(true);
  });

  it("parse reads standard input with '-', and --pretty indents", () => {
    const r = edi(['parse', '--pretty', '-'], x12().po(1).build());
    expect(r.code).toBe(0);
    expect(r.out).toContain('\n  "interchanges": [');
  });

  it('serialize can change delimiters and line endings', () => {
    const json = join(tmp, 'doc.json');
    writeFileSync(json, edi(['parse', '-'], x12().po(1).build()).stdout);
    const r = edi(['serialize', '--element', '|', '--segment', "'", '--line-ending', '\\r\\n', json]);
    expect(r.out).toContain("BEG|00|SA|PO123||20240131'\r\n");
    expect(validateX12(r.stdout).issues).toEqual([]);
  });

  itCorpus(
    'validate exits 0 on a valid file and 1 with one line per error naming position, segment, element, code and reason',
    () => {
      expect(edi(['validate', corpus('810/staedi__simple810.edi')]).code).toBe(0);
      const r = edi(['validate', corpus('malformed/gt-edi-x12__no-matching-segment-count.edi')]);
      expect(r.code).toBe(1);
      const lines = r.out.trim().split('\n');
      expect(lines).toContainEqual(
        expect.stringMatching(
          /segment 4 \(SE, position 2\) element 1: \[AK5 4\] SE01_MISMATCH error: SE01 says 3 segments, the transaction set has 2/,
        ),
      );
      expect(lines.every((l) => l.includes('error') || l.includes('warning'))).toBe(true);
    },
  );

  it('validate says a set is rejected because its group was (GE01 wrong), as the 997 does', () => {
    const b = x12().isa().gs().st('850').seg('BEG', '00', 'SA', 'PO9', '', '20240131');
    b.seg('PO1', '1', '10', 'EA', '9.25', '', 'BP', 'SKU1').seg('CTT', '1').se().ge({ count: '2' }).iea();
    const file = b.build();
    const r = edi(['validate', '-'], file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /segment 3 \(ST\): GROUP_REJECTED error: transaction set 850 0001 is rejected because its functional group GS06 1 is \(AK9 R\): .*GE01 says 2.*AK905 5.*; on its own it was accepted/,
    );
    // The 997 agrees: AK9 R, 2 included (as GE01 says), 1 received, 0 accepted, AK905 5.
    expect(edi(['ack', '-'], file).out).toContain('AK9*R*2*1*0*5~');
  });

  itCorpus('validate --json gives machine output', () => {
    const r = edi(['validate', '--json', corpus('malformed/gt-edi-x12__no-se-trailer.edi')]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.valid).toBe(false);
    expect(report.issues).toContainEqual(expect.objectContaining({ code: 'SE_MISSING', ak5: '2' }));
  });

  itCorpus('ack prints the 997 a file deserves', () => {
    const r = edi(['ack', '--control', '55', corpus('malformed/gt-edi-x12__no-matching-segment-count.edi')]);
    expect(r.code).toBe(0);
    // ISA12 00000 is itself an envelope error, so the interchange is rejected by TA1 note 017
    expect(r.out).toContain('TA1*000011111*240131*1100*R*017~');
    const ok = edi(['ack', '--ta1', 'never', corpus('850/bots-plugins__850-004010-05.x12')]);
    const ack = parseX12(ok.stdout);
    const segs = ack.interchanges[0]!.groups[0]!.transactions[0]!.segments.map((s) =>
      segmentText(s, { element: '*', component: '>' }),
    );
    // the second set's DTM*175*19980615***19 writes a century in DTM05 the way 003040 did; in
    // 004010 DTM05 is a format qualifier, and P0506 wants DTM06 with it: AK4 2 at DTM06
    expect(segs).toEqual([
      'AK1*PO*8',
      'AK2*850*0007',
      'AK5*A',
      'AK2*850*0001',
      'AK3*DTM*4**8',
      'AK4*6**2',
      'AK5*R*5',
      'AK9*P*2*2*1',
    ]);
    expect(ok.out).toMatch(/^ISA\*00\*.{10}\*00\*.{10}\*01\*Duns {11}\*01\*111111111 {6}\*261125\*0930\*/);
  });

  it('ack --type 999 answers an SE count error with IK5 R 4', () => {
    const input = x12({ version: '00501' })
      .isa()
      .gs({ version: '005010' })
      .st('850')
      .seg('BEG', '00')
      .se({ count: '5' })
      .ge()
      .iea()
      .build();
    const r = edi(['ack', '-'], input);
    expect(r.out).toContain('IK5*R*4*5~'); // 4: SE01 wrong; 5: the guide errors (BEG too short, no PO1)
    expect(r.out).toContain('AK9*R*1*1*0~');
  });

  it('refuses what is not X12 with a clear message', () => {
    const r = edi(['validate', '-'], 'hello world');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /\[TA1 022\] ISA_EXPECTED error: input does not start with an ISA header: 'hello world'/,
    );
    const p = edi(['parse', '-'], 'hello world');
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/does not start with an ISA header/);
    expect(edi(['validate', join(tmp, 'missing.x12')]).err).toMatch(/ENOENT/);
  });

  itCorpus('refuses a control number that is not 1-9 digits, and unknown flags, with exit 2', () => {
    const r = edi(['ack', '--control', 'abc', corpus('850/bots-plugins__850-004010-05.x12')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--control must be 1-9 digits/);
    expect(edi(['validate', '--bogus', corpus('850/bots-plugins__850-004010-05.x12')]).code).toBe(2);
  });

  itCorpus('translate gives an array of canonical documents, and --to x12 gives X12 back', () => {
    const file = corpus('810/bots-plugins__810_1.x12');
    const r = edi(['translate', file]);
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.out);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      transactionSet: '810',
      controlNumber: '0063',
      invoice: { number: '95018017', totalAmount: 12345.79 },
    });
    const json = join(tmp, 'invoice.json');
    writeFileSync(json, r.stdout);
    const back = edi(['translate', '--to', 'x12', '--control', '7', json]);
    expect(back.code).toBe(0);
    expect(back.out).toContain('TDS*1234579~');
    expect(back.out).toMatch(
      /^ISA\*00\*.{10}\*00\*.{10}\*01\*0011223456 {5}\*01\*999999999 {6}\*261125\*0930\*U\*00401\*000000007\*/,
    );
    expect(validateX12(back.stdout).issues).toEqual([]);
  });

  it('translate --to x12 --set takes a bare document body with sender and receiver from flags', () => {
    const body = join(tmp, 'asn.json');
    writeFileSync(
      body,
      JSON.stringify({
        version: '004010',
        controlNumber: '0042',
        shipment: {
          purpose: '00',
          id: 'S1',
          date: '2026-11-25',
          time: '09:30',
          orders: [{ purchaseOrder: { number: 'PO1' } }],
        },
      }),
    );
    const r = edi([
      'translate',
      '--to',
      'x12',
      '--set',
      '856',
      '--sender',
      'ZZ:DEMOSUPPLIER',
      '--receiver',
      'ZZ:DEMOPARTNER',
      body,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ST*856*0042~\nBSN*00*S1*20261125*0930~\nHL*1**S~\nHL*2*1*O~\nPRF*PO1~');
    expect(edi(['translate', '--to', 'x12', '--set', '856', body]).err).toMatch(/--sender and --receiver/);
  });

  itCorpus('translate --format xml writes XML', () => {
    const r = edi(['translate', '--format', 'xml', corpus('855/bots-plugins__855-004010UCS-01.x12')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<documents>/);
    expect(r.out).toContain('<purchaseOrderNumber>194207</purchaseOrderNumber>');
  });

  itCorpus('validate reports guide errors too, and --partner applies a partner guide', () => {
    const r = edi(['validate', corpus('malformed/staedi__invalid997.edi')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /segment 4 \(AK1, position 2\) element 1: \[AK5 5, AK3 8, AK4 5\] ELEMENT_INVALID error: AK101 'HC NOT IN CODESET' is too long: at most 2 characters/,
    );
    expect(r.out).toMatch(/AK402 '66 NON NUMERIC' must be a whole number/);
    const acme = edi(['validate', '--partner', 'acme', corpus('850/bots-plugins__850-004010-04.x12')]);
    expect(acme.code).toBe(1);
    expect(acme.out).toMatch(/REF with REF01 = DP is required by acme's guide/);
    expect(edi(['validate', corpus('850/bots-plugins__850-004010-04.x12')]).code).toBe(0);
  });

  it("maps diff prints a partner's changes; maps schema prints the JSON Schema", () => {
    const r = edi(['maps', 'diff', 'acme', '850', '--version', '004010']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('~ REF: requires REF01=DP (was nothing)');
    expect(edi(['maps', 'diff', 'nobody', '850']).code).toBe(2);
    const schema = JSON.parse(edi(['maps', 'schema', '810']).out);
    expect(schema.properties.invoice.properties.totalAmount.type).toEqual(['number', 'string']);
  });

  it("maps show prints the table a set is checked against, with house paths, notes and a partner's changes", () => {
    const r = edi(['maps', 'show', '850', '--version', '004010']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe("850 Purchase Order, version 004010 (the standard's 004010 table)");
    const row = (text: RegExp) => lines.find((l) => text.test(l));
    expect(row(/ 020 +BEG /)).toMatch(
      /^ {2}020 +BEG Beginning Segment for Purchase Order +M +1 +\(document\)$/,
    );
    expect(row(/ 070 +TAX /)).toMatch(/O +>1 +TAX\[\] \(as X12\) +R0103 P0203/);
    // loops indented by nesting, with their repeat; their segments one step further in
    expect(row(/loop N9/)).toMatch(/^ {8}loop N9 +O +repeat 1000 +notes\[\]$/);
    expect(row(/ 300 + {2}MSG /)).toMatch(/O +1000 +notes\[\]\.messages\[\] +C0302$/);
    expect(row(/ 010 + {2}PO1 /)).toMatch(/M +1 +lines\[\] +C0302 C0504 P0607/);
    const maps = join(tmp, 'maps');
    cpSync(resolve(__dirname, '../edi-maps'), maps, { recursive: true });
    mkdirSync(join(maps, 'partners/wide'), { recursive: true });
    writeFileSync(
      join(maps, 'partners/wide/850.yaml'),
      "transactionSet: '850'\nchanges:\n  - at: PO1/PO1\n    elements: { '07': { usage: N } }\n" +
        'extensions:\n  - at: PER\n    max: 5\n    reason: their buyers list five contacts\n' +
        "  - add: { segment: TXI, max: 10, path: 'taxes[]' }\n    after: SAC\n    reason: heading tax lines\n",
    );
    const p = edi(['maps', 'show', '850', '--version', '004010', '--partner', 'wide', '--maps', maps]);
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/\n\* 060 +PER Administrative Communications Contact +O +5 +contacts\[\]/);
    expect(p.out).toContain('~ max 3 → 5\n        ! beyond the standard: their buyers list five contacts\n');
    expect(p.out).toMatch(
      /\n\+ +TXI Tax Information +O +10 +taxes\[\][^\n]*\n +! beyond the standard: heading tax lines\n/,
    );
    expect(p.out).toMatch(/\n {2}130 +ITD /); // what follows an added segment is the standard's, unmarked
    expect(p.out).toMatch(/\n\* 010 + {2}PO1 Baseline Item Data[^\n]*\n +~ PO107: not used\n/);
    expect(edi(['maps', 'show', '850', '--partner', 'nobody']).code).toBe(2);
    const old = edi(['maps', 'show', '850', '--version', '003020']);
    expect(old.err).toContain("no 850 table of version 003020 in edi-maps/standard; read with 003010's");
  });
});

describe('edi staff', () => {
  const data = mkdtempSync(join(tmpdir(), 'edi-cli-staff-'));
  const staff = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [BIN, 'staff', ...args], {
      input,
      env: { ...process.env, EDI_DATA_DIR: data, DATABASE_URL: '', EDI_STAFF_PASSWORD: '' },
    });
    return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
  };

  it('adds the first admin with the password from standard input, who can then sign in', async () => {
    const added = staff(
      ['add', 'Root.Admin', '--role', 'admin', '--name', 'Root Admin'],
      'a long enough password\n',
    );
    expect(added.err).toBe('');
    expect(added.out).toMatch(/staff member root\.admin \(admin\) created/);
    expect(staff(['list']).out).toBe('root.admin\tadmin\tRoot Admin\n');
    expect(staff(['add', 'root.admin', '--role', 'viewer'], 'a long enough password').err).toMatch(
      /already exists/,
    );
    expect(staff(['add', 'shorty', '--role', 'viewer'], 'short').code).toBe(1);
    expect(staff(['add', 'x', '--role', 'king'], 'a long enough password').code).not.toBe(0);

    const { openDatabase } = await import('@edi/persistence');
    const { StaffAccounts } = await import('@edi/auth');
    const ds = await openDatabase({ dataDir: data });
    try {
      const accounts = new StaffAccounts(ds);
      const signed = await accounts.signIn('root.admin', 'a long enough password', 'test');
      expect(signed.user.role).toBe('admin');
      // the last admin stays one; with a second, a new role ends the session it had
      expect(staff(['role', 'root.admin', 'viewer']).err).toMatch(/root\.admin is the last active admin/);
      expect(staff(['add', 'second', '--role', 'admin'], 'a long enough password').code).toBe(0);
      expect(staff(['role', 'root.admin', 'viewer']).out).toMatch(/now viewer/);
      expect(await accounts.session(signed.token)).toBeNull();
      expect(staff(['list']).out).toBe('root.admin\tviewer\tRoot Admin\nsecond\tadmin\tsecond\n');
      // disabled, the member cannot sign in at all
      expect(staff(['disable', 'root.admin']).code).toBe(0);
      expect(staff(['list']).out).toBe('root.admin\tviewer\tRoot Admin\tdisabled\nsecond\tadmin\tsecond\n');
      await expect(accounts.signIn('root.admin', 'a long enough password', 'test')).rejects.toThrow(
        /wrong username or password/,
      );
      expect(staff(['enable', 'root.admin']).code).toBe(0);
      expect((await accounts.signIn('root.admin', 'a long enough password', 'test')).user.role).toBe(
        'viewer',
      );
      expect(staff(['role', 'nobody', 'admin']).err).toMatch(/no staff member nobody/);
    } finally {
      await ds.destroy();
    }
  });
});
