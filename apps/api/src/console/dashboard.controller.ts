import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Dashboard, TransactionStatus } from '@edi/contracts';
import { DashboardQueries, TradingPartners } from '@edi/persistence';
import { z } from 'zod';
import { ERP_STATE } from '../common/tokens';
import { parseInput } from '../common/validate';
import { SESSION_COOKIE, StaffGuard } from './staff.guard';

const DAY_MS = 86_400_000;
const DashboardQuery = z.object({
  days: z.coerce.number().int().min(1).max(90).default(14),
  partner: z.string().uuid().optional(),
});

/** The console's first page: documents by status, set, partner and day; what needs a person; ERP and delivery health. */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console/dashboard')
@UseGuards(StaffGuard)
export class DashboardController {
  constructor(
    @Inject(DashboardQueries) private readonly figures: DashboardQueries,
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(ERP_STATE) private readonly erpState: (() => string) | null,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Documents by status, set, partner and day; partners with errors; ERP and delivery health. `partner` narrows everything but the ERP circuit to one partner',
  })
  async dashboard(@Query() query: Record<string, string>): Promise<Dashboard> {
    const { days, partner } = parseInput(DashboardQuery, query);
    const today = new Date(new Date().toISOString().slice(0, 10));
    const since = new Date(today.getTime() - (days - 1) * DAY_MS);
    const [f, names] = await Promise.all([this.figures.figures(since, partner), this.partners.names()]);
    const nameOf = (id: string) => names.get(id) ?? '(deleted partner)';
    const perDay = new Map(f.daily.map((d) => [d.day, d]));
    const circuit = this.erpState?.() ?? null;
    return {
      days,
      partner: partner ?? null,
      byStatus: f.byStatus.map((r) => ({ status: r.status as TransactionStatus, count: r.count })),
      bySet: f.bySet.map((r) => ({ setId: r.setId, direction: r.direction as 'in' | 'out', count: r.count })),
      // every day of the window, those without a transaction too
      daily: Array.from({ length: days }, (_, k) => {
        const day = new Date(since.getTime() + k * DAY_MS).toISOString().slice(0, 10);
        return { day, total: perDay.get(day)?.total ?? 0, problems: perDay.get(day)?.problems ?? 0 };
      }),
      byPartner: f.byPartner.map((p) => ({
        partnerId: p.partnerId,
        partnerName: nameOf(p.partnerId),
        total: p.total,
        problems: p.problems,
      })),
      partnersWithErrors: f.byPartner
        .filter((p) => p.problems > 0)
        .sort((a, b) => b.problems - a.problems)
        .map(({ partnerId, rejected, failed, held, lastProblemAt }) => ({
          partnerId,
          partnerName: nameOf(partnerId),
          rejected,
          failed,
          held,
          lastProblemAt,
        })),
      erp: {
        configured: this.erpState !== null,
        circuit: (circuit === 'halfOpen' ? 'half-open' : circuit) as Dashboard['erp']['circuit'],
        pending: f.erpPending,
        oldestPendingAt: f.oldestErpPendingAt,
      },
      delivery: {
        pending: f.deliveryPending,
        failed: f.deliveryFailed,
        recentFailures: f.recentDeliveryFailures.map((d) => ({
          documentId: d.id,
          partnerName: names.get(d.partnerId) ?? '',
          kind: d.kind,
          channel: d.channel,
          error: d.lastError,
          at: d.createdAt.toISOString(),
        })),
      },
      interchanges: { rejected: f.interchangesRejected, failed: f.interchangesFailed },
    };
  }
}
