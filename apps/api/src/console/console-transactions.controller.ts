import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError, type TransactionDetail, type TransactionPage } from '@edi/contracts';
import { ConsoleTransactions, ReviewRecords, TradingPartners, type StaffUser } from '@edi/persistence';
import type { Review } from '@edi/pipeline';
import { REVIEW } from '../common/tokens';
import { parseInput } from '../common/validate';
import { decodeCursor, encodeCursor, Id, ListQuery } from './console-input';
import { SESSION_COOKIE, Staff, StaffGuard } from './staff.guard';
import { transactionDetail, transactionRow } from './transaction-view';

/** Every partner's transactions (not one partner's, as /v1/transactions), and one of them for review. */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console/transactions')
@UseGuards(StaffGuard)
export class ConsoleTransactionsController {
  constructor(
    @Inject(ConsoleTransactions) private readonly list: ConsoleTransactions,
    @Inject(ReviewRecords) private readonly records: ReviewRecords,
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(REVIEW) private readonly review: Review,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      "Every partner's transactions, newest first: filter by status, partner, set, direction, PO number, date; q searches PO, control number and id. Paged by cursor (next), so page 1,000 is as quick as page 1",
  })
  async page(@Query() query: Record<string, string>): Promise<TransactionPage> {
    const { cursor, limit, ...filter } = parseInput(ListQuery, query);
    const [page, names] = await Promise.all([
      this.list.page(filter, limit, cursor ? decodeCursor(cursor) : undefined),
      this.partners.names(),
    ]);
    return {
      items: page.items.map((t) => transactionRow(t, names)),
      next: page.next ? encodeCursor(page.next) : null,
      total: page.total,
    };
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One transaction for review: its own X12 segments with each problem placed and explained, its JSON, what went out for it, its versions and timeline, and what you may do',
  })
  async one(@Param('id') id: string, @Staff() s: { user: StaffUser }): Promise<TransactionDetail> {
    const tx = await this.records.byId(parseInput(Id, id));
    if (!tx) throw new NotFoundError('no such transaction');
    const [names, source, records] = await Promise.all([
      this.partners.names(),
      this.review.source(tx),
      this.records.of(tx),
    ]);
    return transactionDetail(tx, records, source, names, s.user);
  }
}
