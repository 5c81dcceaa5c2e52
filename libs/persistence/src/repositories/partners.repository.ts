import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { recordAudit } from '../audit';
import { transact } from '../data-source';
import { Interchange } from '../entities/interchange.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { TransactionSet } from '../entities/transaction.entity';
import { isoOf } from './sql-values';

export interface PartnerActivity {
  partnerId: string;
  transactions: number;
  /** Rejected, failed or held: waiting for a person. */
  problems: number;
  lastActivityAt: string | null;
}

/**
 * Trading partners as the admin API and the console manage them. Every write goes through
 * transact() with its audit row: on SQLite a write made beside a running transaction would join it
 * on the one connection, and vanish if that transaction rolled back.
 */
export class TradingPartners {
  constructor(private readonly ds: DataSource) {}

  byId(id: string): Promise<TradingPartner | null> {
    return this.ds.getRepository(TradingPartner).findOneBy({ id });
  }

  exists(id: string): Promise<boolean> {
    return this.ds.getRepository(TradingPartner).existsBy({ id });
  }

  /** With the sealed columns (webhook secret, SFTP settings), which are never read otherwise. */
  withSecrets(id: string): Promise<TradingPartner | null> {
    return this.sealed().where('p.id = :id', { id }).getOne();
  }

  allWithSecrets(): Promise<TradingPartner[]> {
    return this.sealed().orderBy('p.name', 'ASC').getMany();
  }

  byIsa(isaQualifier: string, isaId: string): Promise<TradingPartner | null> {
    return this.ds.getRepository(TradingPartner).findOneBy({ isaQualifier, isaId });
  }

  byMailbox(mailbox: string): Promise<TradingPartner | null> {
    return this.ds.getRepository(TradingPartner).findOneBy({ mailbox });
  }

  async names(): Promise<Map<string, string>> {
    const rows = await this.ds.getRepository(TradingPartner).find({ select: { id: true, name: true } });
    return new Map(rows.map((p) => [p.id, p.name]));
  }

  /** Every partner, or one, by name. */
  list(only?: string): Promise<TradingPartner[]> {
    return this.ds
      .getRepository(TradingPartner)
      .find({ where: only ? { id: only } : {}, order: { name: 'ASC' } });
  }

  /** Each partner's transaction and problem counts and its last received interchange, or one partner's. */
  async activity(only?: string): Promise<Map<string, PartnerActivity>> {
    const [counts, last] = await Promise.all([
      this.ds
        .getRepository(TransactionSet)
        .createQueryBuilder('t')
        .where(only ? 't.partnerId = :only' : '1 = 1', { only })
        .select('t.partnerId', 'partnerId')
        .addSelect('COUNT(*)', 'total')
        .addSelect(`SUM(CASE WHEN t.status IN ('rejected', 'failed', 'held') THEN 1 ELSE 0 END)`, 'problems')
        .groupBy('t.partnerId')
        .getRawMany<{ partnerId: string; total: unknown; problems: unknown }>(),
      this.ds
        .getRepository(Interchange)
        .createQueryBuilder('x')
        .where(only ? 'x.partnerId = :only' : '1 = 1', { only })
        .select('x.partnerId', 'partnerId')
        .addSelect('MAX(x.receivedAt)', 'last')
        .groupBy('x.partnerId')
        .getRawMany<{ partnerId: string; last: unknown }>(),
    ]);
    const out = new Map<string, PartnerActivity>();
    const entry = (partnerId: string) =>
      out.get(partnerId) ??
      out.set(partnerId, { partnerId, transactions: 0, problems: 0, lastActivityAt: null }).get(partnerId)!;
    for (const c of counts)
      Object.assign(entry(String(c.partnerId)), {
        transactions: Number(c.total ?? 0),
        problems: Number(c.problems ?? 0),
      });
    for (const l of last) if (l.last) entry(String(l.partnerId)).lastActivityAt = isoOf(l.last);
    return out;
  }

  async create(fields: Partial<TradingPartner>, actor: string): Promise<TradingPartner> {
    const row = this.ds.getRepository(TradingPartner).create(fields);
    return transact(this.ds, async (m) => {
      const saved = await m.getRepository(TradingPartner).save(row);
      await recordAudit(m, saved.id, 'partner.created', actor);
      return saved;
    });
  }

  /** Saves the changed partner; `fields` names what changed, for the audit trail (never the values). */
  update(partner: TradingPartner, fields: string[], actor: string): Promise<TradingPartner> {
    return transact(this.ds, async (m) => {
      const saved = await m.getRepository(TradingPartner).save(partner);
      await recordAudit(m, partner.id, 'partner.updated', actor, { fields });
      return saved;
    });
  }

  async remove(id: string, actor: string): Promise<void> {
    await transact(this.ds, async (m) => {
      await m.getRepository(TradingPartner).delete({ id });
      await recordAudit(m, id, 'partner.deleted', actor);
    });
  }

  /** Something done to a partner (a key issued or revoked), in its audit trail. */
  async record(
    partnerId: string,
    action: string,
    actor: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await transact(this.ds, (m) => recordAudit(m, partnerId, action, actor, detail));
  }

  /**
   * The demo partner (ZZ/DEMOPARTNER), made when missing; `erp` is what it needs to order from the
   * sandbox ERP, set on an existing one that has no ERP customer yet.
   */
  async demo(erp: Partial<TradingPartner> | undefined): Promise<TradingPartner> {
    const found = await this.byIsa('ZZ', 'DEMOPARTNER');
    if (found && (!erp || found.erpCustomerId)) return found;
    const row = found
      ? Object.assign(found, erp)
      : this.ds.getRepository(TradingPartner).create({
          name: 'Demo partner',
          isaQualifier: 'ZZ',
          isaId: 'DEMOPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
          ...erp,
        });
    // through transact(): the resumed stages may be writing on SQLite's one connection already
    return transact(this.ds, (m) => m.getRepository(TradingPartner).save(row));
  }

  private sealed(): SelectQueryBuilder<TradingPartner> {
    return this.ds
      .getRepository(TradingPartner)
      .createQueryBuilder('p')
      .addSelect('p.webhookSecret')
      .addSelect('p.sftp');
  }
}
