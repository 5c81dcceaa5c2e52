import type { DataSource } from 'typeorm';
import { placeholders, transact } from './data-source';

export interface NewInterchange {
  id: string;
  partnerId: string;
  source: string;
  sha256: string;
  size: number;
  controlNumbers: string | null;
  raw: Buffer;
}

interface Pending {
  row: NewInterchange;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 200;
/** A batch also stops at this many bytes of payload, far below Postgres's 1 GB message limit. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Stores received interchanges with group commit: requests that arrive while a commit is in
 * flight are written together in the next one, so hundreds of senders share one fsync instead of
 * queueing for one each. Every caller still returns only after its own bytes are committed.
 */
export class InterchangeWriter {
  private pending: Pending[] = [];
  private inFlight = 0;
  /** Postgres commits several batches at once (its own group commit joins them); SQLite has one writer. */
  private readonly maxInFlight: number;

  constructor(private readonly ds: DataSource) {
    this.maxInFlight = ds.options.type === 'postgres' ? 2 : 1;
  }

  write(row: NewInterchange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.inFlight < this.maxInFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, batchLength(this.pending));
        try {
          await this.insert(batch.map((p) => p.row));
          for (const p of batch) p.resolve();
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.inFlight--;
    }
  }

  private insert(rows: NewInterchange[]): Promise<void> {
    return transact(this.ds, async (m) => {
      const ph = placeholders(this.ds, rows.length * 7);
      const values = rows.map((_, r) => `(${ph.slice(r * 7, r * 7 + 7).join(', ')}, 'received')`).join(', ');
      await m.query(
        `INSERT INTO interchanges (id, partner_id, source, sha256, size, control_numbers, idempotency_key, status) VALUES ${values}`,
        rows.flatMap((r) => [r.id, r.partnerId, r.source, r.sha256, r.size, r.controlNumbers, null]),
      );
      const pp = placeholders(this.ds, rows.length * 2);
      await m.query(
        `INSERT INTO interchange_payloads (interchange_id, data) VALUES ${rows.map((_, r) => `(${pp[r * 2]}, ${pp[r * 2 + 1]})`).join(', ')}`,
        rows.flatMap((r) => [r.id, r.raw]),
      );
    });
  }
}

/** How many pending rows go in the next batch: at most MAX_BATCH rows and MAX_BATCH_BYTES of payload, at least one. */
function batchLength(pending: Pending[]): number {
  let bytes = 0;
  let n = 0;
  while (n < pending.length && n < MAX_BATCH) {
    bytes += pending[n]!.row.raw.length;
    if (n > 0 && bytes > MAX_BATCH_BYTES) break;
    n++;
  }
  return n;
}
