import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@edi/contracts';
import type { MapRegistry } from '@edi/mapping';
import {
  AcksRepository,
  EventsRepository,
  ThreadsRepository,
  TradingPartners,
  type StaffUser,
} from '@edi/persistence';
import { ResendDocument, orderThread, type Pipeline } from '@edi/pipeline';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { DATA_SOURCE, MAPS, PIPELINE } from '../common/tokens';
import { parseInput } from '../common/validate';
import { NeedsRole, SESSION_COOKIE, Staff, StaffGuard } from '../console/staff.guard';
import { ConsoleThreadQuery, Id, Page, PoNumber } from './order-input';

type Signed = { user: StaffUser };

/**
 * The console's view of order threads (any partner's) and of what needs attention: documents a
 * partner rejected or never acknowledged, each resolvable by hand or by a resend.
 */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console')
@UseGuards(StaffGuard)
export class ConsoleOrdersController {
  private readonly threads: ThreadsRepository;
  private readonly events: EventsRepository;
  private readonly acks: AcksRepository;
  private readonly resender: ResendDocument;

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(MAPS) maps: MapRegistry,
    @Inject(PIPELINE) pipeline: Pipeline,
    @Inject(TradingPartners) private readonly partners: TradingPartners,
  ) {
    this.threads = new ThreadsRepository(ds);
    this.events = new EventsRepository(ds);
    this.acks = new AcksRepository(ds);
    this.resender = new ResendDocument(ds, maps, (p, input) => pipeline.send(p, input));
  }

  @Get('orders')
  @ApiOperation({
    summary: 'Find order threads of any partner by PO, invoice number, shipment id, SSCC or ERP order',
  })
  async search(@Query() query: Record<string, string>) {
    const { partnerId, ...keys } = parseInput(ConsoleThreadQuery, query);
    const [found, names] = await Promise.all([this.threads.find(keys, partnerId), this.partners.names()]);
    return { items: found.map((f) => ({ ...f, partnerName: names.get(f.partnerId) ?? null })) };
  }

  @Get('orders/:partnerId/:poNumber')
  @ApiOperation({ summary: "One PO's thread, with each document's acknowledgment and what it was resent as" })
  async thread(@Param('partnerId') partnerId: string, @Param('poNumber') poNumber: string) {
    const id = parseInput(Id, partnerId);
    const po = parseInput(PoNumber, poNumber);
    const records = await this.threads.records(id, po);
    if (!records.transactions.length) throw new NotFoundError(`no order ${po} of partner ${id}`);
    const names = await this.partners.names();
    const thread = orderThread(id, po, records);
    // lineage both ways: what each document replaced, and what replaced it
    const resentAs = new Map<string, string>();
    for (const d of records.documents) if (d.resentFrom) resentAs.set(d.resentFrom, d.id);
    return {
      ...thread,
      partnerName: names.get(id) ?? null,
      documents: thread.documents.map((d) => {
        const doc = records.documents.find((x) => x.transactionId === d.id);
        return { ...d, documentId: doc?.id ?? null, resentAs: doc ? (resentAs.get(doc.id) ?? null) : null };
      }),
    };
  }

  @Get('attention')
  @ApiOperation({
    summary: 'Needs attention: documents a partner rejected or did not acknowledge in time, newest first',
  })
  async attention(@Query() query: Record<string, string>) {
    const { limit, offset } = parseInput(Page, query);
    const [[rows, total], names] = await Promise.all([
      this.events.needsAttention(limit, offset),
      this.partners.names(),
    ]);
    return {
      total,
      items: rows.map((e) => ({
        id: e.id,
        type: e.type,
        partnerId: e.partnerId,
        partnerName: names.get(e.partnerId) ?? null,
        documentId: e.documentId,
        createdAt: e.createdAt,
        delivery: { status: e.status, attempts: e.attempts, lastError: e.lastError },
        event: JSON.parse(e.payload) as unknown,
      })),
    };
  }

  @Post('attention/:id/resolve')
  @HttpCode(200)
  @NeedsRole('operator')
  @ApiOperation({ summary: 'Take an entry off the needs-attention list (dealt with outside the gateway)' })
  async resolve(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const { note } = parseInput(z.object({ note: z.string().max(500).optional() }), body ?? {});
    const by = note ? `${s.user.username}: ${note}` : s.user.username;
    if (!(await this.events.resolve(parseInput(Id, id), by, new Date().toISOString())))
      throw new NotFoundError('no such open entry');
    return { id, resolved: true };
  }

  @Post('documents/:id/resend')
  @HttpCode(200)
  @NeedsRole('operator')
  @ApiOperation({
    summary:
      'Resend a document we sent: the same content under new control numbers, pending again; the lineage is kept',
  })
  async resend(@Param('id') id: string, @Staff() s: Signed) {
    const composed = await this.resender.run(parseInput(Id, id), s.user.username);
    const previous = await this.acks.resentAs(id);
    return {
      id: composed.document.id,
      resentFrom: id,
      controlNumber: composed.document.controlNumber,
      transactionId: composed.transaction.id,
      resends: previous.length,
    };
  }
}
