import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@edi/contracts';
import { ThreadsRepository, type TradingPartner } from '@edi/persistence';
import { orderThread } from '@edi/pipeline';
import type { DataSource } from 'typeorm';
import { Partner, PartnerGuard } from '../common/partner.guard';
import { DATA_SOURCE } from '../common/tokens';
import { parseInput } from '../common/validate';
import { PoNumber, ThreadQuery } from './order-input';

/** A partner's own order threads: every document about one PO, and what became of each line. */
@ApiTags('orders')
@ApiHeader({ name: 'X-API-Key', required: true })
@Controller('v1/orders')
@UseGuards(PartnerGuard)
export class OrdersController {
  private readonly threads: ThreadsRepository;

  constructor(@Inject(DATA_SOURCE) ds: DataSource) {
    this.threads = new ThreadsRepository(ds);
  }

  @Get()
  @ApiOperation({
    summary:
      'Find order threads by business key: po, invoice (BIG02), shipment (BSN02), sscc, erpOrder; several must all match',
  })
  async search(@Partner() partner: TradingPartner, @Query() query: Record<string, string>) {
    const found = await this.threads.find(parseInput(ThreadQuery, query), partner.id);
    return { items: found.map((f) => ({ poNumber: f.poNumber })) };
  }

  @Get(':poNumber')
  @ApiOperation({
    summary:
      "One PO's thread: the 850 and its versions, our 997, 855, 856, 810 and the partner's 997/999s in time order, each with its acknowledgment; per line ordered, acknowledged, shipped and invoiced",
  })
  async thread(@Partner() partner: TradingPartner, @Param('poNumber') poNumber: string) {
    const po = parseInput(PoNumber, poNumber);
    const records = await this.threads.records(partner.id, po);
    // another partner's PO is as unknown as one that does not exist
    if (!records.transactions.length) throw new NotFoundError(`no order ${po} of this partner`);
    const { partnerId: _own, ...thread } = orderThread(partner.id, po, records);
    return thread;
  }
}
