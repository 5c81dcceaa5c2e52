import { EntityNotFoundError, type EntityManager } from 'typeorm';
import { TradingPartner } from '../entities/trading-partner.entity';
import { managerOf, type Db } from './db';
import { selectRows } from './rows';

export type SftpHealth = NonNullable<TradingPartner['sftpHealth']>;

/**
 * Trading partners as the stages read them: by id, with the sealed columns a channel needs
 * (webhook secret, SFTP settings, never read otherwise), and the SFTP poll's lease and health.
 */
export class PartnerChannels {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  byId(id: string): Promise<TradingPartner> {
    return this.one(id, []);
  }

  /** With its sealed webhook secret, to sign what is pushed. */
  withWebhookSecret(id: string): Promise<TradingPartner> {
    return this.one(id, ['webhookSecret']);
  }

  /** Read for every document of the hot path: one prepared statement, no query builder. */
  private async one(id: string, hidden: Array<keyof TradingPartner>): Promise<TradingPartner> {
    const [partner] = await selectRows(this.m, TradingPartner, { id }, { hidden });
    if (!partner) throw new EntityNotFoundError(TradingPartner, { id });
    return partner;
  }

  /** With its sealed SFTP settings. */
  withSftp(id: string): Promise<TradingPartner> {
    return this.m
      .getRepository(TradingPartner)
      .createQueryBuilder('p')
      .addSelect('p.sftp')
      .where('p.id = :id', { id })
      .getOneOrFail();
  }

  /** Every partner with an SFTP server or a mailbox to poll, with the sealed settings. */
  polled(): Promise<TradingPartner[]> {
    return this.m
      .getRepository(TradingPartner)
      .createQueryBuilder('p')
      .addSelect('p.sftp')
      .where('p.sftp IS NOT NULL OR p.mailbox IS NOT NULL')
      .getMany();
  }

  /** Takes the partner's poll lease when it is free or expired; `token` starts with its end time. */
  async takePollLease(id: string, token: string, now: Date): Promise<boolean> {
    const r = await this.m
      .getRepository(TradingPartner)
      .createQueryBuilder()
      .update()
      .set({ sftpLeaseUntil: token })
      .where('id = :id AND (sftp_lease_until IS NULL OR sftp_lease_until < :now)', {
        id,
        now: now.toISOString(),
      })
      .execute();
    return !!r.affected;
  }

  /** Gives the lease back, if it is still ours (a poll that outlived it must not free the next one's). */
  async releasePollLease(id: string, token: string): Promise<void> {
    await this.m
      .getRepository(TradingPartner)
      .update({ id, sftpLeaseUntil: token }, { sftpLeaseUntil: null });
  }

  async setSftpHealth(id: string, health: SftpHealth): Promise<void> {
    await this.m.getRepository(TradingPartner).update({ id }, { sftpHealth: health });
  }
}
