import {
  ControlNumbers,
  Outbox,
  transact,
  type Interchange,
  type OutboundDocument,
  type TradingPartner,
} from '@edi/persistence';
import { buildAcks, writeAcks, type AckLedger, type AckOptions, type InterchangeResult } from '@edi/x12';
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
  /** The sets of the file as the reading kept them for its acks (results hold none). */
  ledger: AckLedger,
  now: Date,
  /** The caller's transaction, for a file translated in one: the numbers are taken in it. */
  within?: EntityManager,
): Promise<OutboundDocument[]> {
  const policy = { functionalAck: partner.ackKind, ta1: partner.ta1 };
  const counts = ackCounts(results, policy);
  if (!counts.ISA) return [];
  const numbers = (m: EntityManager) => new ControlNumbers(ds).nextMany(partner.id, counts, m);
  const { ISA: isa, GS: gs } = await (within ? numbers(within) : transact(ds, numbers));
  // written set by set: the 997 of half a million sets is its text, never a tree of its segments
  const acks = writeAcks(results, { ...policy, interchangeControl: isa, groupControl: gs, now, ledger });
  const outbox = new Outbox(ds);
  return acks.map((ack) =>
    outbox.create({
      interchangeId: interchange.id,
      partnerId: partner.id,
      kind: ack.kind,
      controlNumber: ack.control,
      // one character per byte: the partner's latin1 bytes echoed in it survive the text column
      x12: ack.x12,
      channel: partner.deliveryChannel,
      status: 'pending',
      // an ack's ISA15 is the interchange's it answers
      test: ack.test,
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
