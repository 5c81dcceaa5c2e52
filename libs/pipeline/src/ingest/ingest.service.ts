import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Interchange, InterchangeWriter, Payloads, transact, type TradingPartner } from '@edi/persistence';

export interface Accepted {
  interchange: Interchange;
  /** The same Idempotency-Key was used before: this is the earlier interchange, nothing new was stored. */
  replay: boolean;
}

/**
 * Ingest: the raw bytes and their row are committed in one transaction before anyone answers the
 * sender. Everything after this can fail and be retried; nothing accepted is lost.
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
      const earlier = await this.ds
        .getRepository(Interchange)
        .findOneBy({ partnerId: partner.id, idempotencyKey });
      if (earlier) return { interchange: earlier, replay: true };
    }
    const fields = {
      partnerId: partner.id,
      source,
      sha256: createHash('sha256').update(raw).digest('hex'),
      size: raw.length,
      idempotencyKey: idempotencyKey ?? null,
      controlNumbers: isaControlNumbers(raw),
      status: 'received' as const,
      issues: null,
    };
    const interchange = this.ds.getRepository(Interchange).create(fields);
    if (idempotencyKey) {
      // rare, and its unique index must be able to refuse one row alone: its own transaction
      try {
        await transact(this.ds, async (m) => {
          await m.getRepository(Interchange).save(interchange);
          await new Payloads(this.ds).save(interchange.id, raw, m);
        });
      } catch (e) {
        // the same key at the same moment from another request: that one won, this is its replay
        const earlier = await this.ds
          .getRepository(Interchange)
          .findOneBy({ partnerId: partner.id, idempotencyKey });
        if (earlier) return { interchange: earlier, replay: true };
        throw e;
      }
    } else {
      await this.writer.write({ ...fields, id: interchange.id, raw });
    }
    return { interchange, replay: false };
  }
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
