import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  InterchangeWriter,
  Interchanges,
  transact,
  type Interchange,
  type TradingPartner,
  type TransactionSet,
} from '@edi/persistence';

export interface Accepted {
  interchange: Interchange;
  /** The same Idempotency-Key was used before: this is the earlier interchange, nothing new was stored. */
  replay: boolean;
}

/**
 * Ingest: the raw bytes and their row are committed in one transaction before anyone answers the
 * sender. Everything after this can fail and be retried; nothing accepted is lost. Files come in
 * two ways: from a partner (HTTP, SFTP) and as staff's new version of a set (resubmission).
 */
export class IngestService {
  private readonly writer: InterchangeWriter;

  constructor(private readonly ds: DataSource) {
    this.writer = new InterchangeWriter(ds);
  }

  async accept(
    partner: TradingPartner,
    raw: Buffer,
    source: Interchange['source'],
    idempotencyKey?: string,
  ): Promise<Accepted> {
    if (idempotencyKey) {
      const earlier = await new Interchanges(this.ds).byIdempotencyKey(partner.id, idempotencyKey);
      if (earlier) return { interchange: earlier, replay: true };
    }
    const fields = received(partner.id, raw, source, idempotencyKey ?? null);
    const interchange = new Interchanges(this.ds).create(fields);
    if (!idempotencyKey) {
      await this.writer.write({ ...fields, id: interchange.id, raw });
      return { interchange, replay: false };
    }
    // rare, and its unique index must be able to refuse one row alone: its own transaction
    try {
      await transact(this.ds, (m) => new Interchanges(m).insertWithPayload(interchange, raw));
    } catch (e) {
      // the same key at the same moment from another request: that one won, this is its replay
      const earlier = await new Interchanges(this.ds).byIdempotencyKey(partner.id, idempotencyKey);
      if (earlier) return { interchange: earlier, replay: true };
      throw e;
    }
    return { interchange, replay: false };
  }

  /**
   * Staff's new version of a set, stored as an interchange of its own (source 'console') with
   * what must commit with it (the original superseded, the audit line), in one transaction.
   */
  async resubmission(
    original: TransactionSet,
    raw: Buffer,
    alongside: (m: EntityManager, interchange: Interchange) => Promise<void>,
  ): Promise<Interchange> {
    const interchange = new Interchanges(this.ds).create({
      ...received(original.partnerId, raw, 'console', null),
      resubmitOf: original.id,
      // a held set sent on by staff is their decision that it is no duplicate
      released: original.status === 'held',
    });
    await transact(this.ds, async (m) => {
      await alongside(m, interchange);
      await new Interchanges(m).insertWithPayload(interchange, raw);
    });
    return interchange;
  }
}

/** The row of a file as it is received. */
function received(
  partnerId: string,
  raw: Buffer,
  source: Interchange['source'],
  idempotencyKey: string | null,
) {
  return {
    partnerId,
    source,
    sha256: createHash('sha256').update(raw).digest('hex'),
    size: raw.length,
    idempotencyKey,
    controlNumbers: isaControlNumbers(raw),
    status: 'received' as const,
    issues: null,
  };
}

/** ISA13 of every interchange in a file, read cheaply for the duplicate check (the full parse comes later). */
export function isaControlNumbers(raw: Buffer): string | null {
  const found: string[] = [];
  for (let i = raw.indexOf('ISA'); i >= 0 && found.length < 20; i = raw.indexOf('ISA', i + 3)) {
    const sep = raw[i + 3];
    if (sep === undefined) break;
    const fields = raw
      .subarray(i, i + 120)
      .toString('latin1')
      .split(String.fromCharCode(sep));
    if (fields.length >= 14 && /^\d{9}$/.test(fields[13] ?? '')) found.push(fields[13]!);
  }
  return found.length ? found.join(',') : null;
}
