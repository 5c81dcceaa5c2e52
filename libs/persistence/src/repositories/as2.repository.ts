import { In, type DataSource, type EntityManager } from 'typeorm';
import { placeholders, transact } from '../data-source';
import { As2Message, As2Partner } from '../entities/as2.entity';
import { TradingPartner } from '../entities/trading-partner.entity';

export type NewAs2Message = Pick<As2Message, 'partnerId' | 'direction' | 'messageId' | 'status' | 'headers'> &
  Partial<Pick<As2Message, 'mic' | 'documentId' | 'interchangeId'>>;

/** AS2 partners, and every AS2 message in and out with its receipt and their bytes. */
export class As2Store {
  constructor(private readonly ds: DataSource) {}

  /** The partner an inbound AS2-From names, with its trading partner row. */
  async partnerByName(as2Name: string): Promise<{ as2: As2Partner; partner: TradingPartner } | null> {
    const as2 = await this.ds.getRepository(As2Partner).findOneBy({ as2Name });
    if (!as2) return null;
    const partner = await this.ds.getRepository(TradingPartner).findOneBy({ id: as2.partnerId });
    return partner ? { as2, partner } : null;
  }

  settings(partnerId: string): Promise<As2Partner | null> {
    return this.ds.getRepository(As2Partner).findOneBy({ partnerId });
  }

  /** Creates or replaces a partner's AS2 settings. */
  async saveSettings(settings: Partial<As2Partner> & { partnerId: string }): Promise<As2Partner> {
    const repo = this.ds.getRepository(As2Partner);
    const current = await repo.findOneBy({ partnerId: settings.partnerId });
    await repo.save(repo.create({ ...current, ...settings }));
    return repo.findOneByOrFail({ partnerId: settings.partnerId });
  }

  /** Every partner's AS2 settings (the certificate expiry list reads them). */
  allSettings(): Promise<As2Partner[]> {
    return this.ds.getRepository(As2Partner).find({ order: { as2Name: 'ASC' } });
  }

  async removeSettings(partnerId: string): Promise<void> {
    await this.ds.getRepository(As2Partner).delete({ partnerId });
  }

  /**
   * Stores a message and its bytes in one commit. A Message-ID this partner already sent returns
   * the earlier row instead (`repeat`), whatever became of it.
   */
  async store(row: NewAs2Message, bytes: Buffer): Promise<{ message: As2Message; repeat: boolean }> {
    const earlier = await this.find(row.partnerId, row.direction, row.messageId);
    if (earlier) return { message: earlier, repeat: true };
    const message = this.ds.getRepository(As2Message).create(row);
    try {
      await transact(this.ds, async (m) => {
        await m.getRepository(As2Message).insert(message);
        await this.savePayload(m, message.id, 'message', bytes);
      });
    } catch (e) {
      // the same Message-ID at the same moment on another connection: that one is the message
      const raced = await this.find(row.partnerId, row.direction, row.messageId);
      if (raced) return { message: raced, repeat: true };
      throw e;
    }
    return { message, repeat: false };
  }

  find(partnerId: string | null, direction: 'in' | 'out', messageId: string): Promise<As2Message | null> {
    return this.ds
      .getRepository(As2Message)
      .createQueryBuilder('m')
      .where(partnerId === null ? 'm.partner_id IS NULL' : 'm.partner_id = :partnerId', { partnerId })
      .andWhere('m.direction = :direction AND m.message_id = :messageId', { direction, messageId })
      .getOne();
  }

  byId(id: string): Promise<As2Message | null> {
    return this.ds.getRepository(As2Message).findOneBy({ id });
  }

  /** What happened to a message, with its receipt's bytes when there is one. */
  async update(
    id: string,
    fields: Partial<
      Pick<As2Message, 'status' | 'mic' | 'disposition' | 'error' | 'interchangeId' | 'mdnHeaders'>
    >,
    mdn?: Buffer,
  ): Promise<void> {
    await transact(this.ds, async (m) => {
      await m.getRepository(As2Message).update({ id }, fields);
      if (mdn) {
        const [a, b] = placeholders(this.ds, 2);
        await m.query(`DELETE FROM as2_payloads WHERE as2_message_id = ${a} AND part = ${b}`, [id, 'mdn']);
        await this.savePayload(m, id, 'mdn', mdn);
      }
    });
  }

  async payload(id: string, part: 'message' | 'mdn'): Promise<Buffer | null> {
    const [a, b] = placeholders(this.ds, 2);
    const rows = await this.ds.query<Array<{ data: Buffer }>>(
      `SELECT data FROM as2_payloads WHERE as2_message_id = ${a} AND part = ${b}`,
      [id, part],
    );
    return rows[0]?.data ?? null;
  }

  /** Inbound messages stored but not yet answered (a crash between storing and answering). */
  unanswered(): Promise<As2Message[]> {
    return this.ds
      .getRepository(As2Message)
      .find({ where: { direction: 'in', status: 'received' }, order: { createdAt: 'ASC' } });
  }

  /** The AS2 messages that brought an interchange or carried outbound documents, oldest first (a transaction's timeline). */
  forTimeline(interchangeId: string | null, documentIds: readonly string[]): Promise<As2Message[]> {
    const where = [
      ...(interchangeId ? [{ interchangeId }] : []),
      ...(documentIds.length ? [{ documentId: In([...documentIds]) }] : []),
    ];
    if (!where.length) return Promise.resolve([]);
    return this.ds.getRepository(As2Message).find({ where, order: { createdAt: 'ASC' } });
  }

  private async savePayload(m: EntityManager, id: string, part: string, data: Buffer): Promise<void> {
    const [a, b, c] = placeholders(this.ds, 3);
    await m.query(`INSERT INTO as2_payloads (as2_message_id, part, data) VALUES (${a}, ${b}, ${c})`, [
      id,
      part,
      data,
    ]);
  }
}
