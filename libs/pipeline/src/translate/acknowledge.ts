import {
  ControlNumbers,
  Outbox,
  transact,
  type Interchange,
  type OutboundDocument,
  type TradingPartner,
} from '@edi/persistence';
import {
  buildAcks,
  serialize,
  type AckOptions,
  type InterchangeNode,
  type InterchangeResult,
} from '@edi/x12';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The TA1/997/999 each interchange of the file deserves, numbered from the partner's counters
 * (one round trip for all of them, in a transaction of its own), built before the transaction
 * that stores them: on a file of half a million sets the building takes seconds, and the last
 * transaction, which holds the writer, only inserts. A run that dies between the two leaves a gap
 * in the counters, never a number used twice.
 */
export async function prepareAcks(
  ds: DataSource,
  partner: TradingPartner,
  interchange: Interchange,
  results: InterchangeResult[],
  now: Date,
  /** The caller's transaction, for a file translated in one: the numbers are taken in it. */
  within?: EntityManager,
): Promise<OutboundDocument[]> {
  const policy = { functionalAck: partner.ackKind, ta1: partner.ta1 };
  const counts = ackCounts(results, policy);
  if (!counts.ISA) return [];
  const numbers = (m: EntityManager) => new ControlNumbers(ds).nextMany(partner.id, counts, m);
  const { ISA: isa, GS: gs } = await (within ? numbers(within) : transact(ds, numbers));
  const doc = buildAcks(results, { ...policy, interchangeControl: isa, groupControl: gs, now });
  const outbox = new Outbox(ds);
  return doc.interchanges.map((ic) =>
    outbox.create({
      interchangeId: interchange.id,
      partnerId: partner.id,
      kind: ackKind(ic),
      controlNumber: ic.header.elements[12] as string,
      x12: serialize({ interchanges: [ic] }).toString('utf8'),
      channel: partner.deliveryChannel,
      status: 'pending',
      // an ack's ISA15 is the interchange's it answers
      test: ic.header.elements[14] === 'T',
    }),
  );
}

/** The prepared acks into the outbox, in the caller's transaction. */
export async function storeAcks(m: EntityManager, rows: OutboundDocument[]): Promise<void> {
  const outbox = new Outbox(m);
  for (const row of rows) await outbox.insert(row);
}

/**
 * How many ack interchanges and groups the file needs, without building them: the groups a 997
 * answers (not FA groups) of each interchange answered, as buildAcks counts them.
 */
function ackCounts(results: InterchangeResult[], policy: AckOptions): { ISA: number; GS: number } {
  const needed = buildAcks(
    results.map((r) => ({ ...r, groups: r.groups.map((g) => ({ ...g, transactions: [] })) })),
    policy,
  );
  return {
    ISA: needed.interchanges.length,
    GS: needed.interchanges.reduce((n, ic) => n + ic.groups.length, 0),
  };
}

/** What an ack interchange carries, as its outbox kind: TA1, 997, 999, or TA1+997 and the like. */
export function ackKind(ic: InterchangeNode): string {
  const kinds = [
    ...(ic.groups[0]?.before ?? ic.tail ?? []).map(() => 'TA1'),
    ...ic.groups.map((g) => (g.transactions[0]?.header.elements[0] as string | undefined) ?? ''),
  ];
  return [...new Set(kinds)].join('+');
}
