import { buildX12, translateX12 } from '@edi/mapping';
import { buildAcks, parseX12, segmentText, serialize, type X12Issue } from '@edi/x12';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registry } from './helpers/maps';

/**
 * Our own X12 fixtures (fixtures/x12/ok and not-ok), one rule of the standard each, with what we
 * expect beside each file in <name>.expected.json. They cover every rule the default guide checks
 * without the external corpus: the suite passes on a clone with nothing beside it.
 */
export const FIXTURES = resolve(__dirname, '../fixtures/x12');
const NOW = new Date('2026-03-01T12:00:00Z');

const list = (dir: string) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.x12'))
    .sort();
const expectedOf = (dir: string, file: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, dir, file.replace(/\.x12$/, '.expected.json')), 'utf8'));

/** The ack lines of each set (AK2…AK5 or IK3…IK5), as text; a 997/999 is not acknowledged. */
function ackLines(report: ReturnType<typeof translateX12>['report']): string[] {
  const acks = buildAcks(report.interchanges, { now: NOW, ta1: 'never' });
  return acks.interchanges.flatMap((ic) =>
    ic.groups.flatMap((g) =>
      g.transactions.flatMap((t) =>
        t.segments
          .filter((s) => /^(AK[2-5]|IK[3-5]|AK9)$/.test(s.id))
          .map((s) => segmentText(s, { element: '*', component: ':', repetition: '^' })),
      ),
    ),
  );
}

/** What a finding says, in the fields the standard's acks carry. */
function finding(i: X12Issue): Record<string, unknown> {
  const picked: Record<string, unknown> = { severity: i.severity, code: i.code, segmentId: i.segmentId };
  for (const k of ['position', 'element', 'component', 'ak3', 'ak4', 'ak5', 'ak9'] as const)
    if (i[k] !== undefined) picked[k] = i[k];
  return picked;
}

/** What the spec compares with the expected file. */
export function verdict(dir: string, file: string): Record<string, unknown> {
  const input = readFileSync(join(FIXTURES, dir, file));
  const { translations, report } = translateX12(input, registry);
  const out: Record<string, unknown> = {
    sets: translations.map((t) => ({
      set: t.document.transactionSet,
      control: t.document.controlNumber,
      status: t.status,
    })),
    ack: ackLines(report),
  };
  if (dir === 'ok') out.documents = translations.map((t) => t.document);
  else out.findings = report.issues.map(finding);
  return out;
}

describe('fixtures/x12/ok: accepted, translated, and written back the same', () => {
  it('has fixtures', () => expect(list('ok').length).toBeGreaterThan(5));

  describe.each(list('ok'))('%s', (file) => {
    it('has no finding and translates to its expected documents', () => {
      const input = readFileSync(join(FIXTURES, 'ok', file));
      expect(translateX12(input, registry).report.issues).toEqual([]);
      expect(verdict('ok', file)).toEqual(expectedOf('ok', file));
    });

    it('comes back from JSON with the same transaction sets, segment for segment', () => {
      const input = readFileSync(join(FIXTURES, 'ok', file));
      const { translations } = translateX12(input, registry);
      const back = parseX12(
        serialize(
          buildX12(
            translations.map((t) => t.document),
            registry,
            { now: NOW },
          ),
        ),
      );
      const sets = (doc: ReturnType<typeof parseX12>) =>
        doc.interchanges.flatMap((ic) =>
          ic.groups.flatMap((g) => g.transactions.map((t) => [t.header, ...t.segments, t.trailer])),
        );
      expect(sets(back)).toEqual(sets(parseX12(input)));
    });
  });
});

describe('fixtures/x12/not-ok: one fault each, reported once, the ack says where', () => {
  it('has fixtures', () => expect(list('not-ok').length).toBeGreaterThan(20));

  describe.each(list('not-ok'))('%s', (file) => {
    it('gets exactly its expected findings and ack', () => {
      const got = verdict('not-ok', file);
      expect(got).toEqual(expectedOf('not-ok', file));
      expect(
        (got.findings as Array<{ severity: string }>).filter((f) => f.severity === 'error'),
      ).toHaveLength(1);
    });
  });
});
