import { DomainError, NotFoundError } from '@edi/contracts';
import type { MapRegistry } from '@edi/mapping';
import { AcksRepository, EventsRepository, recordAudit, transact } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import type { Composed, OutboundInput } from '../deliver/outbound';
import type { TradingPartner } from '@edi/persistence';

/** Sends a document for a partner (Pipeline.send): built, numbered, stored, handed to delivery. */
export type SendDocument = (partner: TradingPartner, input: OutboundInput) => Promise<Composed>;

/**
 * Staff resend a document the partner rejected or never acknowledged: the same content under new
 * ISA13/GS06/ST02 (a partner refuses a control number it has seen), pending again with a fresh
 * window. The new document names the one it replaces (lineage), the old one's events are resolved,
 * and the audit trail of the transaction says who did it.
 */
export class ResendDocument {
  constructor(
    private readonly ds: DataSource,
    private readonly maps: MapRegistry,
    private readonly send: SendDocument,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(documentId: string, actor: string): Promise<Composed> {
    const found = await new AcksRepository(this.ds).withTransaction(documentId);
    if (!found) throw new NotFoundError('no such outbound document');
    const { document, transaction } = found;
    if (!transaction?.document)
      throw new DomainError('unprocessable', 'only a business document (855, 856, 810…) can be resent', {
        problems: [{ path: '/documentId', message: `${document.kind} carries no transaction of ours` }],
      });
    const version = this.maps.resolveVersion(transaction.setId, transaction.version);
    const map = version ? this.maps.get(transaction.setId, version) : undefined;
    const body = map
      ? (transaction.document[map.document] as Record<string, unknown> | undefined)
      : undefined;
    if (!body)
      throw new DomainError(
        'unprocessable',
        `no map reads the stored ${transaction.setId} ${transaction.version}`,
      );
    const partner = await new AcksRepository(this.ds).partner(document.partnerId);
    const composed = await this.send(partner, {
      transactionSet: transaction.setId,
      version: transaction.version,
      document: body,
      inReplyTo: transaction.inReplyTo,
      poNumber: transaction.poNumber,
    });
    const at = this.clock().toISOString();
    await transact(this.ds, async (m) => {
      await new AcksRepository(m).markResent(composed.document.id, document.id);
      await new EventsRepository(m).resolveDocument(document.id, `${actor} (resent)`, at);
      await recordAudit(m, transaction.id, 'document.resent', actor, {
        from: document.id,
        to: composed.document.id,
        interchangeControl: composed.document.controlNumber,
      });
    });
    composed.document.resentFrom = document.id;
    return composed;
  }
}
