import { Body, Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConflictError, DomainError, NotFoundError, type Resubmitted } from '@edi/contracts';
import { ConsoleTransactions, ReviewRecords, TradingPartners, type StaffUser } from '@edi/persistence';
import type { TransactionSet } from '@edi/persistence';
import { REVIEWABLE, type Review, type StageQueue } from '@edi/pipeline';
import { z } from 'zod';
import { REVIEW, STAGE_QUEUE } from '../common/tokens';
import { parseInput } from '../common/validate';
import { Edit, Filter, Id } from './console-input';
import { NeedsRole, SESSION_COOKIE, Staff, StaffGuard } from './staff.guard';

type Signed = { user: StaffUser };
/** A bulk reprocess takes at most this many; the rest wait for the next one. */
const BULK_LIMIT = 500;
/** What a bulk reprocess counts as skipped and goes on: still wrong, or changed meanwhile. */
const SKIPPED: ReadonlySet<DomainError['code']> = new Set(['unprocessable', 'conflict', 'not_found']);

/**
 * What staff do about a transaction that went wrong: run it again, resubmit it corrected, or close
 * it with a note. Each is in the audit trail under the staff member's username.
 */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console/transactions')
@UseGuards(StaffGuard)
@NeedsRole('operator')
export class ReviewController {
  constructor(
    @Inject(ConsoleTransactions) private readonly list: ConsoleTransactions,
    @Inject(ReviewRecords) private readonly records: ReviewRecords,
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(REVIEW) private readonly review: Review,
    @Inject(STAGE_QUEUE) private readonly queue: StageQueue,
  ) {}

  @Post('reprocess')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reprocess every rejected or failed transaction matching the filter (held ones are released one by one), at most 500; those still wrong are counted as skipped',
  })
  async bulk(@Body() body: unknown, @Staff() s: Signed) {
    const filter = parseInput(Filter, body ?? {});
    // held sets are left out: releasing one is a judgement about that one PO, not a batch job
    const matching = await this.list.reprocessable(filter, BULK_LIMIT);
    let reprocessed = 0;
    for (const tx of matching) {
      try {
        await this.newVersion(tx, undefined, s.user, 'reprocessed', 'bulk reprocess');
        reprocessed++;
      } catch (e) {
        if (!(e instanceof DomainError) || !SKIPPED.has((e as DomainError).code)) throw e;
      }
    }
    return { matched: matching.length, reprocessed, skipped: matching.length - reprocessed };
  }

  @Post(':id/reprocess')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run the set again as it came (after a map or partner fix): a new version goes through the pipeline and this one is kept, superseded. 422 when it would still fail, saying why',
  })
  async reprocess(@Param('id') id: string, @Staff() s: Signed): Promise<Resubmitted> {
    return this.newVersion(await this.transaction(id), undefined, s.user, 'reprocessed');
  }

  @Post(':id/resubmit')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Resubmit a corrected version: edited X12 (the set in its envelopes) or edited JSON (made into X12 through the maps). The original is kept and linked; 422 names what is still wrong and stores nothing',
  })
  async resubmit(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed): Promise<Resubmitted> {
    const edit = parseInput(Edit, body ?? {});
    return this.newVersion(await this.transaction(id), edit, s.user, 'resubmitted', edit.note);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close a problem without a new version, saying why (the note goes in the audit trail)',
  })
  async resolve(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const { note } = parseInput(z.object({ note: z.string().trim().min(1).max(2000) }), body ?? {});
    const tx = await this.transaction(id);
    await this.review.resolve(tx, s.user.username, note);
    return { id: tx.id, status: 'resolved' as const };
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Release a partner's 856 or 810 held for mismatches with its PO to the ERP despite them, saying why (audited); the mismatches are kept as warnings. 409 when it is not held for mismatches",
  })
  async release(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const { reason } = parseInput(z.object({ reason: z.string().trim().min(1).max(2000) }), body ?? {});
    const tx = await this.transaction(id);
    await this.review.release(tx, s.user.username, reason);
    return { id: tx.id, status: 'receiving' as const };
  }

  /** A new version of a transaction: checked, stored, superseding the original, and translated before answering. */
  private async newVersion(
    tx: TransactionSet,
    edit: { x12?: string; document?: Record<string, unknown> } | undefined,
    user: StaffUser,
    action: 'reprocessed' | 'resubmitted',
    note?: string,
  ): Promise<Resubmitted> {
    if (tx.direction !== 'in') throw new ConflictError('only a transaction we received can be resubmitted');
    if (!REVIEWABLE.includes(tx.status))
      throw new ConflictError(`a ${tx.status} transaction is not waiting for review`);
    const partner = await this.partners.byId(tx.partnerId);
    if (!partner) throw new NotFoundError('the partner of this transaction is gone');
    const raw = edit
      ? await this.review.edited(tx, partner, edit)
      : Buffer.from((await this.review.source(tx))?.x12 ?? '', 'latin1');
    this.review.check(tx, partner, raw);
    const interchangeId = await this.review.resubmit(tx, raw, user.username, { action, note });
    const outcome = await this.queue.done(interchangeId);
    return {
      interchangeId,
      transactions: outcome.transactions.map((t) => ({ id: t.id, setId: t.setId, status: t.status })),
      acknowledgments: outcome.acknowledgments,
    };
  }

  private async transaction(id: string): Promise<TransactionSet> {
    const tx = await this.records.byId(parseInput(Id, id));
    if (!tx) throw new NotFoundError('no such transaction');
    return tx;
  }
}
