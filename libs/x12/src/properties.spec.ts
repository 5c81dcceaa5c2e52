import { Readable } from 'node:stream';
import fc from 'fast-check';
import { buildAcks } from './acks';
import { X12Error } from './errors';
import { parseX12, readX12, validateX12 } from './reader';
import { serialize } from './serializer';
import type { Element, Segment } from './segment';
import { JsonTreeWriter, X12Document } from './tree';

interface Style {
  segment: string;
  element: string;
  component: string;
  repetition?: string;
  lineEnding: string;
  version: string;
}

/** Delimiters partners really use; the four of an interchange are drawn distinct. */
const SEPARATORS = ['*', '|', '+', '^', '!', '~', ':', '>', '<', '`', '}', '@', '\x7f', '\x1d', '\x1f'];
const TERMINATORS = ['~', "'", '|', '\n', '\r', '\x15', '\x1c', '!'];
const LINE_ENDINGS = ['', '\n', '\r\n'];

const delimiters = fc
  .tuple(
    fc.constantFrom(...TERMINATORS),
    fc.shuffledSubarray(SEPARATORS, { minLength: 3, maxLength: 3 }),
    fc.constantFrom(...LINE_ENDINGS),
    fc.constantFrom('00401', '00501'),
  )
  .filter(([term, [e, c, r]]) => ![e, c, r].includes(term))
  .map(([segment, [element, component, repetition], lineEnding, version]): Style => ({
    segment,
    element: element!,
    component: component!,
    repetition: version === '00501' ? repetition : undefined,
    // a newline terminator leaves no room for a line break after it
    lineEnding: segment === '\n' || segment === '\r' ? '' : lineEnding,
    version,
  }));

/** Element text: printable, never a delimiter, may be empty. */
function value(style: Style, minLength = 0): fc.Arbitrary<string> {
  const banned = new Set([style.element, style.component, style.segment, style.repetition ?? '', '\r', '\n']);
  const chars = ' ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,-/#&()=?$%;"*|+^!~:><`}@\''
    .split('')
    .filter((c) => !banned.has(c));
  return fc.array(fc.constantFrom(...chars), { minLength, maxLength: 12 }).map((a) => a.join(''));
}

function element(style: Style): fc.Arbitrary<Element> {
  const composite = fc.array(value(style), { minLength: 2, maxLength: 4 });
  const options: Array<fc.Arbitrary<Element>> = [value(style), value(style), composite];
  if (style.repetition) {
    options.push(
      fc
        .array(fc.oneof(value(style), composite), { minLength: 2, maxLength: 3 })
        .map((repeat) => ({ repeat })),
    );
  }
  return fc.oneof(...options);
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const segmentId = fc
  .tuple(
    fc.constantFrom(...'ABCDFHJKLMNOPQRTUVWXYZ'),
    fc.constantFrom(...ID_CHARS),
    fc.option(fc.constantFrom(...ID_CHARS), { nil: undefined }),
  )
  .map(([a, b, c]) => a + b + (c ?? ''))
  .filter((id) => !['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE'].includes(id));

function body(style: Style): fc.Arbitrary<Segment> {
  // the last element of a segment is not empty, so the segment has a definite element count
  return fc
    .tuple(segmentId, fc.array(element(style), { maxLength: 6 }), value(style, 1))
    .map(([id, elements, last]) => ({ id, elements: [...elements, last] }));
}

/** A valid interchange tree, counts and control numbers right, laid out in its style. */
const interchange = delimiters.chain((style) =>
  fc
    .array(fc.array(fc.array(body(style), { maxLength: 8 }), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((groups) => {
      const seg = (id: string, ...elements: Element[]): Segment => ({ id, elements });
      const doc: X12Document = {
        interchanges: [
          {
            delimiters: {
              element: style.element,
              component: style.component,
              segment: style.segment,
              ...(style.repetition ? { repetition: style.repetition } : {}),
            },
            lineEnding: style.lineEnding,
            header: seg(
              'ISA',
              '00',
              ' '.repeat(10),
              '00',
              ' '.repeat(10),
              'ZZ',
              'SENDER'.padEnd(15),
              'ZZ',
              'RECEIVER'.padEnd(15),
              '240131',
              '1100',
              style.repetition ?? 'U',
              style.version,
              '000000007',
              '0',
              'P',
              style.component,
            ),
            groups: groups.map((sets, g) => ({
              header: seg(
                'GS',
                'PO',
                'SENDERAPP',
                'RECEIVERAPP',
                '20240131',
                '1100',
                String(g + 1),
                'X',
                style.version === '00501' ? '005010' : '004010',
              ),
              transactions: sets.map((segments, t) => {
                const control = String(t + 1).padStart(4, '0');
                return {
                  header: seg('ST', '850', control),
                  segments,
                  trailer: seg('SE', String(segments.length + 2), control),
                };
              }),
              trailer: seg('GE', String(sets.length), String(g + 1)),
            })),
            trailer: seg('IEA', String(groups.length), '000000007'),
          },
        ],
      };
      return doc;
    }),
);

/** Cuts a buffer at the given points: a chunk may end on any byte, a delimiter included. */
function cut(buf: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  out.push(buf.subarray(from));
  return out;
}

async function parseChunks(chunks: Buffer[]): Promise<X12Document> {
  const parts: string[] = [];
  const writer = new JsonTreeWriter((t) => void parts.push(t));
  writer.begin();
  const { tokenizer } = await readX12(Readable.from(chunks), {
    onSegment: (s, r) => writer.onSegment(s, r),
    onTransaction: () => writer.onTransaction(),
    onGroup: () => writer.onGroup(),
    onInterchange: () => writer.onInterchange(),
    onIssue: (i) => {
      throw new Error(`unexpected issue: ${i.message}`);
    },
  });
  writer.finish(tokenizer.leading);
  return JSON.parse(parts.join('')) as X12Document;
}

describe('properties', () => {
  it('a valid interchange survives serialize → parse unchanged, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(interchange, fc.array(fc.nat(), { maxLength: 12 }), async (doc, points) => {
        const bytes = serialize(doc);
        expect(validateX12(bytes).issues).toEqual([]);
        const back = await parseChunks(cut(bytes, points));
        expect(back).toEqual(doc);
        expect(serialize(back).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('one byte at a time gives the same tree', async () => {
    await fc.assert(
      fc.asyncProperty(interchange, async (doc) => {
        const bytes = serialize(doc);
        const ones = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
        expect(await parseChunks(ones)).toEqual(doc);
      }),
      { numRuns: 25 },
    );
  });

  it('random byte mutations never throw anything but X12Error, and validation never throws', () => {
    const mutation = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      kind: fc.constantFrom('set', 'insert', 'delete'),
    });
    fc.assert(
      fc.property(interchange, fc.array(mutation, { minLength: 1, maxLength: 6 }), (doc, mutations) => {
        let bytes = serialize(doc);
        for (const m of mutations) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === 'set' && at < bytes.length) bytes[at] = m.byte;
          else if (m.kind === 'insert')
            bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
          else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        }
        try {
          const tree = parseX12(bytes);
          serialize(tree);
        } catch (e) {
          if (!(e instanceof X12Error)) throw e;
          expect(e.code).toMatch(/^[A-Z0-9_]+$/);
        }
        const report = validateX12(bytes);
        buildAcks(report.interchanges);
      }),
      { numRuns: 1000 },
    );
  });
});
