import { DomainError } from '@edi/contracts';
import {
  buildX12,
  documentSchema,
  translateX12,
  type CanonicalDocument,
  type MapRegistry,
} from '@edi/mapping';
import {
  ControlNumbers,
  Outbox,
  Transactions,
  type OutboundDocument,
  type TradingPartner,
  type TransactionSet,
  type TransactionStatus,
  ThreadsRepository,
} from '@edi/persistence';
import { serialize, type X12Issue } from '@edi/x12';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { DataSource, EntityManager } from 'typeorm';
import { pendingAck } from '../reconcile/windows';
import { businessKeys } from '../threads/business-keys';

/** A document we cannot send: each problem names where it is (a JSON path or a segment/element). */
export class OutboundError extends DomainError {
  constructor(
    message: string,
    override readonly problems: Array<{
      path?: string;
      segmentId?: string;
      element?: number;
      message: string;
    }>,
  ) {
    super('unprocessable', message, { problems });
  }
}

/** What a caller gives: the set's body (and optionally the version); the envelope is ours to fill. */
export interface OutboundInput {
  transactionSet: string;
  version?: string;
  /** The body under the map's document key (purchaseOrderAcknowledgment, shipment, invoice…). */
  document: Record<string, unknown>;
  /** The inbound transaction this answers (an 855 for an 850), if any. */
  inReplyTo?: string | null;
  /**
   * The test flag of `inReplyTo`, when the caller read that transaction and knows it is this
   * partner's (the ERP stage answering its PO): saves reading it again. Never from a request.
   */
  inReplyToTest?: boolean;
  poNumber?: string | null;
  /** The ERP shipment or invoice it announces: sent once per partner, whatever races. */
  erpRef?: string | null;
}

export interface Composed {
  transaction: TransactionSet;
  document: OutboundDocument;
}

/**
 * Builds an outbound business document (855, 856, 810…) for a partner: checks the JSON against the
 * set's published schema, numbers the envelope from the partner's counters, writes the X12 through
 * the map, reads it back through our own guide (we never send what we would reject), and records
 * the outbound transaction and the outbox row. Runs inside the caller's database transaction, so
 * a failure anywhere takes no control number and leaves nothing half-made.
 */
export class OutboundComposer {
  private readonly counters: ControlNumbers;
  // the maps write dates as YYYY-MM-DD (documentSchema says format: date)
  private readonly ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    formats: { date: /^\d{4}-\d{2}-\d{2}$/ },
  });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    ds: DataSource,
    private readonly maps: MapRegistry,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.counters = new ControlNumbers(ds);
  }

  /** The checks that need no database: run them before opening a transaction. */
  check(partner: TradingPartner, input: OutboundInput): CanonicalDocument {
    const wanted = input.version ?? partner.x12Version ?? '004010';
    const version = this.maps.resolveVersion(input.transactionSet, wanted);
    if (!version)
      throw new OutboundError(`no map for transaction set ${input.transactionSet}`, [
        { path: '/transactionSet', message: `no map for ${input.transactionSet} ${wanted}` },
      ]);
    const map = this.maps.get(input.transactionSet, version, partner.mapProfile ?? undefined);
    const doc: CanonicalDocument = {
      transactionSet: input.transactionSet,
      version: wanted,
      controlNumber: '0001',
      sender: {
        qualifier: partner.ourIsaQualifier,
        id: partner.ourIsaId,
        applicationCode: partner.ourGsId ?? partner.ourIsaId,
      },
      receiver: {
        qualifier: partner.isaQualifier,
        id: partner.isaId,
        applicationCode: partner.gsId ?? partner.isaId,
      },
      [map.document]: input.document as CanonicalDocument[string],
    };
    const key = `${input.transactionSet}/${version}/${partner.mapProfile ?? ''}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(documentSchema(map));
      this.validators.set(key, validate);
    }
    if (!validate(doc))
      throw new OutboundError(
        `the ${input.transactionSet} does not match its schema`,
        (validate.errors ?? []).map((e) => ({
          path: e.instancePath || '/',
          message: `${e.instancePath || 'document'} ${e.message ?? 'is invalid'}`,
        })),
      );
    return doc;
  }

  async compose(
    m: EntityManager,
    partner: TradingPartner,
    input: OutboundInput,
    status: TransactionStatus = 'responded',
  ): Promise<Composed> {
    const doc = this.check(partner, input);
    // test data (ISA15 T, marked test) exactly when what it answers was: the thread's 850 keeps
    // its mode though the partner is switched while it waits; a document of its own, the mode now
    let test = partner.mode === 'test';
    if (input.inReplyTo && input.inReplyToTest !== undefined) test = input.inReplyToTest;
    else if (input.inReplyTo) {
      const replyTo = await new Transactions(m).partnersTestFlag(input.inReplyTo, partner.id);
      // an answer to another partner's document would leak that it exists: same error as none
      if (replyTo === null)
        throw new OutboundError(`no transaction ${input.inReplyTo} of this partner to answer`, [
          { path: '/inReplyTo', message: 'not a transaction of this partner' },
        ]);
      test = replyTo;
    }
    const {
      ISA: isa,
      GS: gs,
      ST: st,
    } = await this.counters.nextMany(partner.id, { ISA: 1, GS: 1, ST: 1 }, m);
    doc.controlNumber = String(st).padStart(4, '0');
    const { x12, written } = this.write(partner, input, doc, isa, gs, test);
    const transactions = new Transactions(m);
    const transaction = transactions.create({
      interchangeId: null,
      inReplyTo: input.inReplyTo ?? null,
      partnerId: partner.id,
      direction: 'out',
      setId: doc.transactionSet,
      version: doc.version.slice(0, 12),
      controlNumber: doc.controlNumber,
      groupControl: String(gs),
      poNumber: (input.poNumber ?? poNumberOf(input.document))?.slice(0, 30) ?? null,
      erpRef: input.erpRef ?? null,
      status,
      test,
      document: written,
      issues: [],
      duplicateOf: null,
    });
    await transactions.insert(transaction);
    // its invoice number, shipment id and SSCCs find its order thread
    await new ThreadsRepository(m).recordKeys(
      partner.id,
      transaction.id,
      businessKeys(doc.transactionSet, written),
    );
    const outbox = new Outbox(m);
    const document = outbox.create({
      partnerId: partner.id,
      interchangeId: null,
      transactionId: transaction.id,
      kind: doc.transactionSet,
      controlNumber: String(isa).padStart(9, '0'),
      x12,
      channel: partner.deliveryChannel,
      status: 'pending',
      test,
      // the partner owes a TA1/997/999 for it within its window
      ...pendingAck(partner, doc.transactionSet, this.clock()),
    });
    await outbox.insert(document);
    return { transaction, document };
  }

  /** The X12 of the document, read back through our own guide: we never send what we would reject. */
  private write(
    partner: TradingPartner,
    input: OutboundInput,
    doc: CanonicalDocument,
    isa: number,
    gs: number,
    test: boolean,
  ): { x12: string; written: Record<string, unknown> } {
    const profile = partner.mapProfile ?? undefined;
    const tree = buildX12([doc], this.maps, {
      interchangeControl: isa,
      groupControl: gs,
      partner: profile,
      now: this.clock(),
      // ISA15: test data answers test data (a test partner refuses anything else)
      usage: test ? 'T' : 'P',
    });
    // the serializer writes UTF-8: the text is stored, pushed and signed as UTF-8 too
    const x12 = serialize(tree).toString('utf8');
    // what we send must pass the guide we hold partners to
    const back = translateX12(x12, this.maps, { partner: profile });
    const errors: X12Issue[] = [...back.report.issues, ...back.translations.flatMap((t) => t.issues)].filter(
      (i) => i.severity === 'error',
    );
    if (errors.length || back.translations.length !== 1)
      throw new OutboundError(
        `the ${input.transactionSet} would not pass its own guide`,
        errors.map((i) => ({ segmentId: i.segmentId, element: i.element, message: i.message })),
      );
    return { x12, written: back.translations[0]!.document };
  }
}

/** The PO number a document refers to (BAK03 of an 855, BIG04 of an 810), for search by PO. */
function poNumberOf(body: Record<string, unknown>): string | null {
  for (const key of ['purchaseOrderNumber', 'poNumber', 'number'])
    if (typeof body[key] === 'string') return body[key];
  return null;
}
