import { InvalidInputError } from '@edi/contracts';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  InterchangeWriter,
  Interchanges,
  PayloadChunks,
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
  private readonly chunks: PayloadChunks;

  constructor(private readonly ds: DataSource) {
    this.writer = new InterchangeWriter(ds);
    this.chunks = new PayloadChunks(ds);
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
   * A body that may be too large to hold: read as it arrives and stored in CHUNK_BYTES chunks,
   * each committed on its own, then the interchange row in one short transaction, so it is
   * stored (and answered) only once every byte is. A body that ends within the first chunk is
   * stored like any other (group commit). If the body fails (over its limit, cut off, a file that
   * changed under us) the chunks written are removed and the error goes to the caller.
   */
  async acceptStream(
    partner: TradingPartner,
    body: AsyncIterable<Buffer>,
    source: Interchange['source'],
    idempotencyKey?: string | ((sha256: string) => string),
  ): Promise<Accepted> {
    if (typeof idempotencyKey === 'string') {
      const earlier = await new Interchanges(this.ds).byIdempotencyKey(partner.id, idempotencyKey);
      if (earlier) return { interchange: earlier, replay: true };
    }
    const interchange = new Interchanges(this.ds).create({});
    const stored = await storeChunks(this.chunks, interchange.id, body);
    const key = typeof idempotencyKey === 'function' ? idempotencyKey(stored.sha256) : idempotencyKey;
    if (stored.size === 0) throw new InvalidInputError('the body must be the X12 text');
    if (stored.first) return this.accept(partner, stored.first, source, key);
    try {
      Object.assign(interchange, {
        partnerId: partner.id,
        source,
        sha256: stored.sha256,
        size: stored.size,
        idempotencyKey: key ?? null,
        controlNumbers: stored.controlNumbers,
        status: 'received' as const,
        issues: null,
      });
      const earlier = key ? await new Interchanges(this.ds).byIdempotencyKey(partner.id, key) : null;
      if (earlier) {
        await this.chunks.drop(interchange.id);
        return { interchange: earlier, replay: true };
      }
      await transact(this.ds, (m) => new Interchanges(m).insertChunked(interchange));
      return { interchange, replay: false };
    } catch (e) {
      await this.chunks.drop(interchange.id).catch(() => undefined);
      const earlier = key ? await new Interchanges(this.ds).byIdempotencyKey(partner.id, key) : null;
      if (earlier) return { interchange: earlier, replay: true };
      throw e;
    }
  }

  /** Chunks of uploads that never got their row (cut off, or the process killed mid-upload). */
  dropUnfinishedUploads(olderThanSeconds: number): Promise<void> {
    return this.chunks.dropOrphans(olderThanSeconds);
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

/** Bytes per stored chunk of a streamed body: what the service holds of it at once. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

interface StoredChunks {
  /** The whole body when it ended within the first chunk: nothing was written. */
  first?: Buffer;
  sha256: string;
  size: number;
  controlNumbers: string | null;
}

/** Writes the body in CHUNK_BYTES chunks as it arrives (the next piece is read once one is written). */
async function storeChunks(
  chunks: PayloadChunks,
  interchangeId: string,
  body: AsyncIterable<Buffer>,
): Promise<StoredChunks> {
  const hash = createHash('sha256');
  const isa = new IsaScanner();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let size = 0;
  let seq = 0;
  const write = async (data: Buffer) => {
    await chunks.append(interchangeId, seq++, data);
  };
  try {
    for await (const piece of body) {
      hash.update(piece);
      isa.push(piece);
      size += piece.length;
      pending.push(piece);
      pendingBytes += piece.length;
      while (pendingBytes >= CHUNK_BYTES) {
        const joined = Buffer.concat(pending);
        await write(joined.subarray(0, CHUNK_BYTES));
        const rest = joined.subarray(CHUNK_BYTES);
        pending = rest.length ? [Buffer.from(rest)] : [];
        pendingBytes = rest.length;
      }
    }
    const sums = { sha256: hash.digest('hex'), size, controlNumbers: isa.end() };
    if (seq === 0) return { first: Buffer.concat(pending), ...sums };
    if (pendingBytes) await write(Buffer.concat(pending));
    return sums;
  } catch (e) {
    if (seq > 0) await chunks.drop(interchangeId).catch(() => undefined);
    throw e;
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
  return new IsaScanner().push(raw).end();
}

/** The bytes of an ISA the scan looks at: the 106 of the header and some slack for odd widths. */
const ISA_WINDOW = 120;

/**
 * isaControlNumbers over a body that arrives in pieces: each piece is scanned with the last
 * ISA_WINDOW bytes of the one before, so an ISA cut across two pieces is read once, whole.
 */
export class IsaScanner {
  private readonly found: string[] = [];
  private carry = Buffer.alloc(0);

  push(piece: Buffer): this {
    const buf = this.carry.length ? Buffer.concat([this.carry, piece]) : piece;
    // an ISA starting past `limit` may not be whole yet: the next piece (or end()) reads it
    const limit = buf.length - ISA_WINDOW;
    this.scan(buf, limit);
    this.carry = Buffer.from(buf.subarray(Math.max(0, limit)));
    return this;
  }

  end(): string | null {
    this.scan(this.carry, this.carry.length);
    this.carry = Buffer.alloc(0);
    return this.found.length ? this.found.join(',') : null;
  }

  private scan(buf: Buffer, limit: number): void {
    for (
      let i = buf.indexOf('ISA');
      i >= 0 && i < limit && this.found.length < 20;
      i = buf.indexOf('ISA', i + 3)
    ) {
      const sep = buf[i + 3];
      if (sep === undefined) break;
      const fields = buf
        .subarray(i, i + ISA_WINDOW)
        .toString('latin1')
        .split(String.fromCharCode(sep));
      if (fields.length >= 14 && /^\d{9}$/.test(fields[13] ?? '')) this.found.push(fields[13]!);
    }
  }
}
