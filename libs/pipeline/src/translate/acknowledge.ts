import {
  ControlNumbers,
  Outbox,
  type Interchange,
  type OutboundDocument,
  type TradingPartner,
} from '@edi/persistence';
import { buildAcks, serialize, type InterchangeNode, type InterchangeResult } from '@edi/x12';
import type { EntityManager } from 'typeorm';

/**
 * The TA1/997/999 each interchange of the file deserves, numbered from the partner's counters
 * (one round trip for all of them), into the outbox in the caller's transaction.
 */
export async function acknowledge(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
  results: InterchangeResult[],
  now: Date,
): Promise<OutboundDocument[]> {
  const policy = { functionalAck: partner.ackKind, ta1: partner.ta1 };
  const needed = buildAcks(results, policy);
  if (!needed.interchanges.length) return [];
  const groups = needed.interchanges.reduce((n, ic) => n + ic.groups.length, 0);
  const { ISA: isa, GS: gs } = await new ControlNumbers(m.connection).nextMany(
    partner.id,
    { ISA: needed.interchanges.length, GS: groups },
    m,
  );
  const doc = buildAcks(results, { ...policy, interchangeControl: isa, groupControl: gs, now });
  const outbox = new Outbox(m);
  const saved: OutboundDocument[] = [];
  for (const ic of doc.interchanges) {
    const row = outbox.create({
      interchangeId: interchange.id,
      partnerId: partner.id,
      kind: ackKind(ic),
      controlNumber: ic.header.elements[12] as string,
      x12: serialize({ interchanges: [ic] }).toString('utf8'),
      channel: partner.deliveryChannel,
      status: 'pending',
      // an ack's ISA15 is the interchange's it answers
      test: ic.header.elements[14] === 'T',
    });
    await outbox.insert(row);
    saved.push(row);
  }
  return saved;
}

/** What an ack interchange carries, as its outbox kind: TA1, 997, 999, or TA1+997 and the like. */
export function ackKind(ic: InterchangeNode): string {
  const kinds = [
    ...(ic.groups[0]?.before ?? ic.tail ?? []).map(() => 'TA1'),
    ...ic.groups.map((g) => (g.transactions[0]?.header.elements[0] as string | undefined) ?? ''),
  ];
  return [...new Set(kinds)].join('+');
}
