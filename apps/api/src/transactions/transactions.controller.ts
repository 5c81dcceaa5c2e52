import { Controller, Get, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError, TRANSACTION_STATUSES } from '@edi/contracts';
import { PartnerTransactions, Payloads, type TradingPartner } from '@edi/persistence';
import { ackView, type DeliverStage } from '@edi/pipeline';
import { z } from 'zod';
import { Partner, PartnerGuard } from '../common/partner.guard';
import { DELIVER } from '../common/tokens';
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
    @Inject(PartnerTransactions) private readonly transactions: PartnerTransactions,
    @Inject(DELIVER) private readonly deliver: DeliverStage,
    @Inject(Payloads) private readonly payloads: Payloads,
  ) {}

  @Get('transactions')
  @ApiOperation({ summary: 'List transactions: filter by status, set, PO number, date range; newest first' })
  async list(@Partner() partner: TradingPartner, @Query() query: Record<string, string>) {
    const q = parseInput(ListQuery, query);
    const [rows, total] = await this.transactions.list(partner.id, {
      ...q,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    });
    return { total, limit: q.limit, offset: q.offset, items: rows.map(({ document: _d, ...row }) => row) };
  }

  @Get('transactions/:id')
  @ApiOperation({
    summary:
      'One transaction: its JSON, errors, the raw X12 it came in, what went out for it (acks, 855…) with each delivery try, its audit trail',
  })
  async get(@Partner() partner: TradingPartner, @Param('id') id: string) {
    const tx = await this.transactions.one(partner.id, parseInput(Id, id));
    if (!tx) throw new NotFoundError('no such transaction');
    const raw = tx.interchangeId ? await this.payloads.load(tx.interchangeId) : undefined;
    const { outbound, deliveries, answers, audit } = await this.transactions.records(tx);
    return {
      ...tx,
      raw: raw?.toString('latin1'),
      outbound: outbound.map((d) => ({
        id: d.id,
        kind: d.kind,
        controlNumber: d.controlNumber,
        channel: d.channel,
        status: d.status,
        test: d.test,
        // what the partner's TA1/997/999 said of it (null: our own acknowledgments expect none)
        ack: ackView(d),
        x12: d.x12,
        // the status code only: the answer's text (and our reasons, which name addresses) are for staff
        deliveries: deliveries
          .filter((x) => x.documentId === d.id)
          .map(({ attempt, ok, statusCode, at, ms }) => ({ attempt, ok, statusCode, at, ms })),
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
    const rows = await this.transactions.outbox(partner.id);
    return {
      items: rows.map((a) => ({
        id: a.id,
        kind: a.kind,
        controlNumber: a.controlNumber,
        interchangeId: a.interchangeId,
        transactionId: a.transactionId,
        createdAt: a.createdAt,
        test: a.test,
        ack: ackView(a),
        x12: a.x12,
      })),
    };
  }

  @Post('outbox/:id/ack')
  @ApiOperation({ summary: 'Mark an outbox item fetched (its delivery), so it is not offered again' })
  async fetched(@Partner() partner: TradingPartner, @Param('id') id: string) {
    if (!(await this.deliver.fetched(partner.id, parseInput(Id, id))))
      throw new NotFoundError('no such item waiting in the outbox');
    return { id, fetched: true };
  }
}
