import { Controller, Get, Inject, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AuditEvent,
  Delivery,
  OutboundDocument,
  Payloads,
  TRANSACTION_STATUSES,
  TransactionSet,
  type TradingPartner,
} from '@edi/persistence';
import { ackView, type DeliverStage } from '@edi/pipeline';
import { In, type DataSource } from 'typeorm';
import { z } from 'zod';
import { Partner, PartnerGuard } from '../common/partner.guard';
import { DATA_SOURCE, DELIVER } from '../common/tokens';
import { parseInput } from '../common/validate';

const ListQuery = z.object({
  status: z.enum(TRANSACTION_STATUSES).optional(),
  direction: z.enum(['in', 'out']).optional(),
  set: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  po: z.string().max(30).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const Id = z.string().uuid();

/** A partner's own transactions and outbox. Another partner's id is a 404, never a 403: nothing leaks. */
@ApiTags('transactions')
@ApiHeader({ name: 'X-API-Key', required: true })
@Controller('v1')
@UseGuards(PartnerGuard)
export class TransactionsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(DELIVER) private readonly deliver: DeliverStage,
  ) {}

  @Get('transactions')
  @ApiOperation({
    summary: 'List transactions: filter by status, set, PO number, date range; newest first',
  })
  async list(@Partner() partner: TradingPartner, @Query() query: Record<string, string>) {
    const q = parseInput(ListQuery, query);
    const qb = this.ds
      .getRepository(TransactionSet)
      .createQueryBuilder('t')
      .where('t.partnerId = :p', { p: partner.id });
    if (q.status) qb.andWhere('t.status = :s', { s: q.status });
    if (q.direction) qb.andWhere('t.direction = :d', { d: q.direction });
    if (q.set) qb.andWhere('t.setId = :set', { set: q.set });
    if (q.po) qb.andWhere('t.poNumber = :po', { po: q.po });
    if (q.from) qb.andWhere('t.createdAt >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('t.createdAt < :to', { to: new Date(q.to) });
    const [rows, total] = await qb
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip(q.offset)
      .take(q.limit)
      .getManyAndCount();
    return {
      total,
      limit: q.limit,
      offset: q.offset,
      items: rows.map(({ document: _d, ...row }) => row),
    };
  }

  @Get('transactions/:id')
  @ApiOperation({
    summary:
      'One transaction: its JSON, errors, the raw X12 it came in, what went out for it (acks, 855…) with each delivery try, its audit trail',
  })
  async get(@Partner() partner: TradingPartner, @Param('id') id: string) {
    const tx = await this.ds
      .getRepository(TransactionSet)
      .findOneBy({ id: parseInput(Id, id), partnerId: partner.id });
    if (!tx) throw new NotFoundException('no such transaction');
    const raw = tx.interchangeId ? await new Payloads(this.ds).load(tx.interchangeId) : undefined;
    const docs = this.ds.getRepository(OutboundDocument);
    // in: the acks of its interchange; out: the document that carries it
    const outbound = tx.interchangeId
      ? await docs.findBy({
          interchangeId: tx.interchangeId,
          partnerId: partner.id,
        })
      : await docs.findBy({ transactionId: tx.id, partnerId: partner.id });
    const deliveries = outbound.length
      ? await this.ds.getRepository(Delivery).find({
          where: { documentId: In(outbound.map((d) => d.id)) },
          order: { at: 'ASC' },
        })
      : [];
    const answers = await this.ds.getRepository(TransactionSet).find({
      where: { inReplyTo: tx.id, partnerId: partner.id },
      select: { id: true, setId: true, status: true },
    });
    const audit = await this.ds
      .getRepository(AuditEvent)
      .find({ where: { subjectId: tx.id }, order: { at: 'ASC' } });
    return {
      ...tx,
      raw: raw?.toString('latin1'),
      outbound: outbound.map((d) => ({
        id: d.id,
        kind: d.kind,
        controlNumber: d.controlNumber,
        channel: d.channel,
        status: d.status,
        // what the partner's TA1/997/999 said of it (null: our own acknowledgments expect none)
        ack: ackView(d),
        x12: d.x12,
        // the status code only: the answer's text (and our reasons, which name addresses) are for staff
        deliveries: deliveries
          .filter((x) => x.documentId === d.id)
          .map(({ attempt, ok, statusCode, at, ms }) => ({
            attempt,
            ok,
            statusCode,
            at,
            ms,
          })),
      })),
      answers,
      audit,
    };
  }

  @Get('outbox')
  @ApiOperation({
    summary: 'What waits for the partner to fetch: acknowledgments, 855/856/810, oldest first',
  })
  async outbox(@Partner() partner: TradingPartner) {
    const rows = await this.ds.getRepository(OutboundDocument).find({
      where: { partnerId: partner.id, status: 'pending', channel: 'outbox' },
      order: { createdAt: 'ASC' },
      take: 500,
    });
    return {
      items: rows.map((a) => ({
        id: a.id,
        kind: a.kind,
        controlNumber: a.controlNumber,
        interchangeId: a.interchangeId,
        transactionId: a.transactionId,
        createdAt: a.createdAt,
        ack: ackView(a),
        x12: a.x12,
      })),
    };
  }

  @Post('outbox/:id/ack')
  @ApiOperation({
    summary: 'Mark an outbox item fetched (its delivery), so it is not offered again',
  })
  async fetched(@Partner() partner: TradingPartner, @Param('id') id: string) {
    if (!(await this.deliver.fetched(partner.id, parseInput(Id, id))))
      throw new NotFoundException('no such item waiting in the outbox');
    return { id, fetched: true };
  }
}
