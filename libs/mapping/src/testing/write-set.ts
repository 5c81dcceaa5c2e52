/** Test-only: a drawn set in an interchange written the way `buildX12` writes one, to compare bytes. */
import { isaHeader, envelopeStamp, serialize, type Element, type Segment } from '@edi/x12';
import type { DrawnSegment, DrawnSet } from './standard-sets';

export const NOW = new Date('2026-03-02T10:15:00Z');
export const DELIMITERS = { element: '*', component: '>', repetition: '^', segment: '~' };

const FUNCTIONAL: Record<string, string> = {
  '850': 'PO',
  '855': 'PR',
  '856': 'SH',
  '810': 'IN',
  '997': 'FA',
  '999': 'FA',
};

export function segmentOf(s: DrawnSegment): Segment {
  const elements: Element[] = Array.from(s.elements, (e) => e ?? '');
  while (elements.length && elements[elements.length - 1] === '') elements.pop();
  return { id: s.node.id, elements };
}

/** ISA 00401 before 005010 (no repetition separator), 00501 from it on; one group, one set 0001. */
export function writeSet(set: DrawnSet, segments: Segment[] = set.segments.map(segmentOf)): Buffer {
  const { version, transactionSet } = set.map;
  const isaVersion = version >= '005' ? '00501' : '00401';
  const t = envelopeStamp(NOW);
  const seg = (id: string, ...elements: string[]): Segment => ({ id, elements });
  return serialize({
    interchanges: [
      {
        delimiters: isaVersion >= '00402' ? DELIMITERS : { ...DELIMITERS, repetition: undefined },
        lineEnding: '\n',
        header: isaHeader({
          senderQualifier: 'ZZ',
          senderId: 'SENDER',
          receiverQualifier: 'ZZ',
          receiverId: 'RECEIVER',
          now: NOW,
          isa11: isaVersion >= '00402' ? '^' : 'U',
          version: isaVersion,
          control: 1,
          usage: 'P',
          component: '>',
        }),
        groups: [
          {
            header: seg(
              'GS',
              FUNCTIONAL[transactionSet]!,
              'SENDER',
              'RECEIVER',
              t.date8,
              t.time,
              '1',
              'X',
              version,
            ),
            transactions: [
              {
                header: seg('ST', transactionSet, '0001'),
                segments,
                trailer: seg('SE', String(segments.length + 2), '0001'),
              },
            ],
            trailer: seg('GE', '1', '1'),
          },
        ],
        trailer: seg('IEA', '1', '000000001'),
      },
    ],
  });
}
