import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IsNull } from 'typeorm';
import { ApiKey } from './entities/api-key.entity';
import { TradingPartner } from './entities/trading-partner.entity';
import { transact } from './data-source';

/** Keys look like `edi_<prefix>_<secret>`; the prefix is shown in listings, the whole key only once. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const CACHE_MS = 5_000;

/**
 * Keys are looked up on every request, so a lookup is remembered for a few seconds. Revoking in
 * this process forgets it at once; other processes of a scaled deployment within CACHE_MS.
 */
export class ApiKeys {
  private readonly cache = new Map<string, { partner: TradingPartner | null; until: number }>();

  constructor(private readonly ds: DataSource) {}

  /** Issues a key (or stores the given one, for the demo partner) and returns it: the only time it is seen. */
  async issue(partnerId: string, label?: string, given?: string): Promise<{ key: string; record: ApiKey }> {
    const prefix = randomBytes(4).toString('hex');
    const key = given ?? `edi_${prefix}_${randomBytes(24).toString('base64url')}`;
    const repo = this.ds.getRepository(ApiKey);
    const record = repo.create({
      partnerId,
      prefix: given ? given.slice(0, 8) : prefix,
      keyHash: hashKey(key),
      label: label ?? null,
      revokedAt: null,
    });
    await transact(this.ds, (m) => m.getRepository(ApiKey).insert(record));
    return { key, record };
  }

  /** A partner's keys, newest first (their hashes too: callers show only id, prefix and label). */
  ofPartner(partnerId: string): Promise<ApiKey[]> {
    return this.ds.getRepository(ApiKey).find({ where: { partnerId }, order: { createdAt: 'DESC' } });
  }

  /** The partner a key belongs to, if the key exists and is not revoked. */
  async partnerFor(key: string): Promise<TradingPartner | null> {
    const hash = hashKey(key);
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.partner;
    const found = await this.ds.getRepository(ApiKey).findOneBy({ keyHash: hash, revokedAt: IsNull() });
    const partner = found
      ? await this.ds.getRepository(TradingPartner).findOneBy({ id: found.partnerId })
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { partner, until: Date.now() + CACHE_MS });
    return partner;
  }

  /** Every key of a partner (the partner is being deleted). */
  async revokeAll(partnerId: string): Promise<void> {
    this.cache.clear();
    await transact(this.ds, (m) =>
      m
        .getRepository(ApiKey)
        .update({ partnerId, revokedAt: IsNull() }, { revokedAt: new Date().toISOString() }),
    );
  }

  async revoke(partnerId: string, keyId: string): Promise<boolean> {
    this.cache.clear();
    const r = await transact(this.ds, (m) =>
      m
        .getRepository(ApiKey)
        .update({ id: keyId, partnerId, revokedAt: IsNull() }, { revokedAt: new Date().toISOString() }),
    );
    return (r.affected ?? 0) > 0;
  }
}
