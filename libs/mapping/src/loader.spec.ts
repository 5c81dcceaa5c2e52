import { mkdtempSync, mkdirSync, readdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diffMaps } from './diff';
import { MapError, MapRegistry } from './loader';
import { translateX12 } from './translate';

const MAPS = resolve(__dirname, '../../../edi-maps');
const registry = new MapRegistry(MAPS);

function scratch(files: Record<string, string>): MapRegistry {
  const dir = mkdtempSync(join(tmpdir(), 'edi-maps-'));
  cpSync(join(MAPS, 'standard'), join(dir, 'standard'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return new MapRegistry(dir);
}

describe('MapRegistry', () => {
  it.each([
    ['850', ['003010', '004010', '004030', '005010']],
    ['855', ['004010', '005010']],
    ['856', ['004010', '005010']],
    ['810', ['004010', '005010']],
    ['997', ['004010', '005010']],
    ['999', ['005010']],
  ])('loads and compiles every %s map', (set, versions) => {
    expect(registry.versions(set)).toEqual(versions);
    for (const v of versions) expect(registry.get(set, v).children.length).toBeGreaterThan(2);
  });

  it('picks the standard version for a GS08 by its first six digits, else the nearest lower, saying so', () => {
    expect(registry.resolveVersion('850', '004010VICS')).toBe('004010');
    expect(registry.resolveVersion('850', '004030')).toBe('004030');
    expect(registry.resolveVersion('850', '005010X123')).toBe('005010');
    expect(registry.resolveVersion('856', '003040')).toBe('003040');
    expect(registry.chooseVersion('850', '004010X098A1')).toEqual({ version: '004010' });
    expect(registry.chooseVersion('850', '004020')).toEqual({
      version: '004010',
      warning: "GS08 004020: no 850 table of version 004020 in edi-maps/standard; read with 004010's",
    });
    expect(registry.resolveVersion('204', '004010')).toBeUndefined();
  });

  it('compiles a guide for every set in every standard version, each with the house map of its table', () => {
    // a GS08 of 004060 once got 004030's house map (MTX in N9) on 004010's table, and every
    // such file crashed validation with a MapError
    const versions = readdirSync(join(MAPS, 'standard')).filter((v) => /^\d{6}$/.test(v));
    for (const set of ['850', '855', '856', '810', '997', '999'])
      for (const version of versions) {
        const chosen = registry.resolveVersion(set, version);
        if (chosen) expect(() => registry.get(set, chosen)).not.toThrow();
      }
  });

  it('refuses a map that breaks the schema, naming the file and the place', () => {
    const r = scratch({
      '850/004010.yaml':
        'transactionSet: "850"\nversion: "004010"\ndocument: po\nstructure:\n  - segment: BEG\n    usage: M\n',
    });
    expect(() => r.get('850', '004010')).toThrow(MapError);
    expect(() => r.get('850', '004010')).toThrow(
      /850\/004010\.yaml is not a valid map: \/structure\/0 must NOT have additional properties/,
    );
  });

  it('refuses a house node the standard does not have at that place, and an element past the end', () => {
    const head = 'transactionSet: "850"\nversion: "004010"\ndocument: po\nstructure:\n';
    expect(() => scratch({ '850/004010.yaml': head + '  - segment: XYZ\n' }).get('850', '004010')).toThrow(
      /850\/004010.yaml: segment XYZ is not in the 004010 standard's table after its start/,
    );
    expect(() =>
      scratch({ '850/004010.yaml': head + '  - segment: CUR\n  - segment: BEG\n' }).get('850', '004010'),
    ).toThrow(/segment BEG is not in the 004010 standard's table after CUR/);
    expect(() =>
      scratch({ '850/004010.yaml': head + '  - segment: BEG\n    elements: { "40": x }\n' }).get(
        '850',
        '004010',
      ),
    ).toThrow(/BEG40 does not exist/);
    expect(() =>
      scratch({ '850/004010.yaml': head + '  - loop: N1\n    structure: [{ segment: N3 }]\n' }).get(
        '850',
        '004010',
      ),
    ).toThrow(/loop N1 must begin with segment N1/);
  });

  it("lays a house map written for another version's table on what that table has, skipping the rest", () => {
    // 003040's 850 has its own table; its house map is 004010's paths (through 850/003010.yaml)
    const map = registry.get('850', '003040');
    const at = (...ids: string[]) => {
      let list = map.children;
      let node: (typeof list)[number] | undefined;
      for (const id of ids) {
        node = list.find((n) => n.id === id);
        if (node?.kind === 'loop') list = node.children;
      }
      return node!;
    };
    // a house loop on a plain segment (003040's CTT has no loop): the loop's path, its trigger's elements
    const ctt = at('CTT');
    expect(ctt).toMatchObject({ kind: 'segment', path: ['totals'], array: false });
    expect(ctt.kind === 'segment' && ctt.elements[0]!.path).toEqual(['lineCount']);
    // places follow the data element: 004010's DTM05 1250 is 003040's DTM06 (DTM05 is 624 Century)
    const dtm = at('DTM');
    expect(dtm.kind === 'segment' && dtm.elements.map((e) => [e.ref, e.path?.join('.')])).toEqual([
      ['374', 'qualifier'],
      ['373', 'date'],
      ['337', 'time'],
      ['623', 'timeCode'],
      ['624', undefined],
      ['1250', 'periodFormat'],
      ['1251', 'period'],
    ]);
    // a composite and its first component are one element (004010's CTP05 C001, 003040's 355)
    const ctp = at('CTP');
    expect(ctp.kind === 'segment' && [ctp.elements[4]!.ref, ctp.elements[4]!.path]).toEqual([
      '355',
      ['unitOfMeasure'],
    ]);
    // what 003040 lacks keeps no path, and the guide says which
    expect(map.house).toMatchObject({ version: '003010' });
    expect(map.house!.skipped).toEqual(expect.arrayContaining(['REF04', 'PER09', 'N9/DTM', 'PO1/MSG']));
    // a house map on its own version's table stays strict: nothing skipped
    expect(registry.get('850', '004010').house).toMatchObject({ version: '004010', skipped: [] });
  });

  it('reads a document of a version with its own table and a borrowed house map into the same JSON', () => {
    const x12 = (version: string, isa: string, date: string, dtm: string) =>
      Buffer.from(
        [
          `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*US             *260301*0930*U*${isa}*000000001*0*P*>`,
          `GS*PO*PARTNER*US*${date}*0930*1*X*${version}`,
          'ST*850*0001',
          `BEG*00*SA*PO-1**${date}`,
          `DTM*002*${dtm}`,
          'PO1*1*10*EA*9.25**BP*B-1',
          'CTT*1',
          'SE*6*0001',
          'GE*1*1',
          'IEA*1*000000001',
        ].join('~') + '~',
      );
    const old = translateX12(x12('003040', '00304', '260301', '260310****RD8*20260310-20260320'), registry);
    const now = translateX12(
      x12('004010', '00401', '20260301', '20260310***RD8*20260310-20260320'),
      registry,
    );
    expect(old.report.issues).toEqual([]);
    expect(now.report.issues).toEqual([]);
    const body = (t: typeof old) => t.translations[0]!.document.purchaseOrder as Record<string, unknown>;
    expect(body(old).dates).toEqual(body(now).dates);
    expect(body(old).totals).toEqual(body(now).totals);
  });

  it('applies a partner override and says what it changes', () => {
    const base = registry.get('850', '004010');
    const acme = registry.get('850', '004010', 'acme');
    expect(diffMaps(base, acme)).toEqual([
      '~ BEG02: codes the 69 of the standard → SA NE',
      '~ BEG09: maps to salesChannel (was (nothing))',
      '~ REF: usage O → M',
      '~ REF: requires REF01=DP (was nothing)',
      '~ N1: max 200 → 1',
      '~ PO1/PO103: codes the 794 of the standard → EA CA',
    ]);
    expect(diffMaps(base, base)).toEqual([]);
  });

  it('reports a change that points nowhere', () => {
    const r = scratch({
      'partners/x/850.yaml': 'transactionSet: "850"\nchanges:\n  - at: NOPE\n    usage: M\n',
      '850/004010.yaml':
        'transactionSet: "850"\nversion: "004010"\ndocument: po\nstructure:\n  - segment: BEG\n',
    });
    expect(() => r.get('850', '004010', 'x')).toThrow(/no NOPE in the guide/);
  });
});
