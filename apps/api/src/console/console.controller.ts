import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiKey,
  AuditEvent,
  Delivery,
  Interchange,
  OutboundDocument,
  TRANSACTION_STATUSES,
  TradingPartner,
  TransactionSet,
  recordAudit,
  transact,
  type ApiKeys,
  type StaffUser,
} from '@edi/persistence';
import { REVIEWABLE, ReviewError, explainIssue, type Review, type StageQueue } from '@edi/pipeline';
import type { X12Issue } from '@edi/x12';
import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';
import { API_KEYS, DATA_SOURCE, ERP_STATE, REVIEW, STAGE_QUEUE } from '../common/tokens';
import { parseInput } from '../common/validate';
import { partnerView } from '../common/partner-view';
import { NeedsRole, SESSION_COOKIE, Staff, StaffGuard } from './staff.guard';

const Id = z.string().uuid();
/** A day (the whole day) or an instant. */
const When = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.string().datetime({ offset: true })]);

/** One status, or several separated by commas (rejected,failed,held: everything waiting for a person). */
const Statuses = z
  .string()
  .transform((v) => v.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(TRANSACTION_STATUSES)).min(1));

const Filter = z.object({
  status: Statuses.optional(),
  partner: Id.optional(),
  set: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  direction: z.enum(['in', 'out']).optional(),
  po: z.string().max(30).optional(),
  q: z.string().trim().max(64).optional(),
  from: When.optional(),
  to: When.optional(),
});
const ListQuery = Filter.extend({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const Edit = z
  .object({
    x12: z.string().min(1).max(5_000_000).optional(),
    document: z.record(z.string(), z.unknown()).optional(),
    note: z.string().max(2000).optional(),
  })
  .refine(
    (e) => (e.x12 === undefined) !== (e.document === undefined),
    'send exactly one of x12 and document',
  );

type Signed = { user: StaffUser };

/**
 * The staff console's API: every partner's transactions (not one partner's, as /v1/transactions),
 * the review actions, and partner health. Everything a staff member changes is in the audit
 * trail under their username.
 */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console')
@UseGuards(StaffGuard)
export class ConsoleController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(REVIEW) private readonly review: Review,
    @Inject(STAGE_QUEUE) private readonly queue: StageQueue,
    @Inject(API_KEYS) private readonly keys: ApiKeys,
    @Inject(ERP_STATE) private readonly erpState: (() => string) | null,
  ) {}

  @Get('dashboard')
  @ApiOperation({
    summary:
      'Documents by status, set, partner and day; partners with errors; ERP and delivery health. `partner` narrows everything but the ERP circuit to one partner',
  })
  async dashboard(@Query() query: Record<string, string>) {
    const { days, partner } = parseInput(
      z.object({ days: z.coerce.number().int().min(1).max(90).default(14), partner: Id.optional() }),
      query,
    );
    const today = new Date(new Date().toISOString().slice(0, 10));
    const since = new Date(today.getTime() - (days - 1) * 86_400_000);
    // one partner's figures, or everyone's
    const mine = partner ? { partnerId: partner } : {};
    const tx = () =>
      this.ds
        .getRepository(TransactionSet)
        .createQueryBuilder('t')
        .where('t.createdAt >= :since', { since })
        .andWhere(partner ? 't.partnerId = :partner' : '1 = 1', { partner });
    const problem = `CASE WHEN t.status IN ('rejected', 'failed', 'held') THEN 1 ELSE 0 END`;
    const day =
      this.ds.options.type === 'postgres'
        ? `to_char(t.created_at, 'YYYY-MM-DD')`
        : `substr(t.created_at, 1, 10)`;
    const [byStatus, bySet, daily, byPartner, names] = await Promise.all([
      tx()
        .select('t.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .groupBy('t.status')
        .getRawMany<Record<string, unknown>>(),
      tx()
        .select('t.setId', 'setId')
        .addSelect('t.direction', 'direction')
        .addSelect('COUNT(*)', 'count')
        .groupBy('t.setId')
        .addGroupBy('t.direction')
        .orderBy('COUNT(*)', 'DESC')
        .getRawMany<Record<string, unknown>>(),
      tx()
        .select(day, 'day')
        .addSelect('COUNT(*)', 'total')
        .addSelect(`SUM(${problem})`, 'problems')
        .groupBy(day)
        .getRawMany<Record<string, unknown>>(),
      tx()
        .select('t.partnerId', 'partnerId')
        .addSelect('COUNT(*)', 'total')
        .addSelect(`SUM(${problem})`, 'problems')
        .addSelect(`SUM(CASE WHEN t.status = 'rejected' THEN 1 ELSE 0 END)`, 'rejected')
        .addSelect(`SUM(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END)`, 'failed')
        .addSelect(`SUM(CASE WHEN t.status = 'held' THEN 1 ELSE 0 END)`, 'held')
        .addSelect(
          `MAX(CASE WHEN t.status IN ('rejected', 'failed', 'held') THEN t.created_at END)`,
          'lastProblemAt',
        )
        .groupBy('t.partnerId')
        .getRawMany<Record<string, unknown>>(),
      this.partnerNames(),
    ]);
    const n = (v: unknown) => Number(v ?? 0);
    const perDay = new Map(daily.map((d: Record<string, unknown>) => [String(d.day), d]));
    const partners = byPartner.map((p: Record<string, unknown>) => ({
      partnerId: String(p.partnerId),
      partnerName: names.get(String(p.partnerId)) ?? '(deleted partner)',
      total: n(p.total),
      problems: n(p.problems),
      rejected: n(p.rejected),
      failed: n(p.failed),
      held: n(p.held),
      lastProblemAt: p.lastProblemAt ? isoOf(p.lastProblemAt) : null,
    }));
    const [pending, oldest] = await Promise.all([
      this.ds.getRepository(TransactionSet).countBy({ status: 'erp_pending', ...mine }),
      this.ds.getRepository(TransactionSet).findOne({
        where: { status: 'erp_pending', ...mine },
        order: { createdAt: 'ASC' },
        select: { id: true, createdAt: true },
      }),
    ]);
    const docs = this.ds.getRepository(OutboundDocument);
    const [deliveryPending, deliveryFailed, failures, interchanges] = await Promise.all([
      docs.countBy({ status: 'pending', channel: In(['webhook', 'sftp']), ...mine }),
      docs.countBy({ status: 'failed', ...mine }),
      docs.find({ where: { status: 'failed', ...mine }, order: { createdAt: 'DESC' }, take: 5 }),
      this.ds
        .getRepository(Interchange)
        .createQueryBuilder('x')
        .select('x.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .where('x.receivedAt >= :since AND x.status IN (:...bad)', { since, bad: ['rejected', 'failed'] })
        .andWhere(partner ? 'x.partnerId = :partner' : '1 = 1', { partner })
        .groupBy('x.status')
        .getRawMany<Record<string, unknown>>(),
    ]);
    const circuit = this.erpState?.() ?? null;
    return {
      days,
      partner: partner ?? null,
      byStatus: byStatus.map((r: Record<string, unknown>) => ({ status: r.status, count: n(r.count) })),
      bySet: bySet.map((r: Record<string, unknown>) => ({
        setId: r.setId,
        direction: r.direction,
        count: n(r.count),
      })),
      daily: Array.from({ length: days }, (_, k) => {
        const d = new Date(since.getTime() + k * 86_400_000).toISOString().slice(0, 10);
        const row = perDay.get(d);
        return { day: d, total: n(row?.total), problems: n(row?.problems) };
      }),
      byPartner: partners.map(({ partnerId, partnerName, total, problems }) => ({
        partnerId,
        partnerName,
        total,
        problems,
      })),
      partnersWithErrors: partners
        .filter((p) => p.problems > 0)
        .sort((a, b) => b.problems - a.problems)
        .map(({ partnerId, partnerName, rejected, failed, held, lastProblemAt }) => ({
          partnerId,
          partnerName,
          rejected,
          failed,
          held,
          lastProblemAt,
        })),
      erp: {
        configured: this.erpState !== null,
        circuit: circuit === 'halfOpen' ? 'half-open' : circuit,
        pending,
        oldestPendingAt: oldest ? oldest.createdAt.toISOString() : null,
      },
      delivery: {
        pending: deliveryPending,
        failed: deliveryFailed,
        recentFailures: failures.map((d) => ({
          documentId: d.id,
          partnerName: names.get(d.partnerId) ?? '',
          kind: d.kind,
          channel: d.channel,
          error: d.lastError,
          at: d.createdAt.toISOString(),
        })),
      },
      interchanges: {
        rejected: n(interchanges.find((r: Record<string, unknown>) => r.status === 'rejected')?.count),
        failed: n(interchanges.find((r: Record<string, unknown>) => r.status === 'failed')?.count),
      },
    };
  }

  @Get('transactions')
  @ApiOperation({
    summary:
      "Every partner's transactions, newest first: filter by status, partner, set, direction, PO number, date; q searches PO, control number and id. Paged by cursor (next), so page 1,000 is as quick as page 1",
  })
  async list(@Query() query: Record<string, string>) {
    const q = parseInput(ListQuery, query);
    const pg = this.ds.options.type === 'postgres';
    // the cursor carries created_at exactly as stored (Postgres keeps microseconds, a Date does not)
    const at = pg ? `to_char(t.created_at, 'YYYY-MM-DD HH24:MI:SS.US')` : 't.created_at';
    const base = this.filtered(q);
    const page = base.clone();
    if (q.cursor) {
      const [cAt, cId] = decodeCursor(q.cursor);
      page.andWhere('(t.createdAt < :cAt OR (t.createdAt = :cAt AND t.id < :cId))', { cAt, cId });
    }
    const [{ entities, raw }, total, names] = await Promise.all([
      page
        .addSelect(at, 'cursor_at')
        .orderBy('t.createdAt', 'DESC')
        .addOrderBy('t.id', 'DESC')
        .limit(q.limit + 1)
        .getRawAndEntities(),
      base.getCount(),
      this.partnerNames(),
    ]);
    const more = entities.length > q.limit;
    const items = entities.slice(0, q.limit);
    const last = raw[items.length - 1] as Record<string, unknown> | undefined;
    return {
      items: items.map((t) => row(t, names)),
      next: more && last ? encodeCursor(String(last.cursor_at), items[items.length - 1]!.id) : null,
      total,
    };
  }

  @Get('transactions/:id')
  @ApiOperation({
    summary:
      'One transaction for review: its own X12 segments with each problem placed and explained, its JSON, what went out for it, its versions and timeline, and what you may do',
  })
  async get(@Param('id') id: string, @Staff() s: Signed) {
    const tx = await this.transaction(id);
    const names = await this.partnerNames();
    const [source, answers, resubmissions, interchange, audit] = await Promise.all([
      this.review.source(tx),
      this.ds.getRepository(TransactionSet).find({
        where: { inReplyTo: tx.id },
        select: { id: true, setId: true, status: true, createdAt: true },
        order: { createdAt: 'ASC' },
      }),
      this.ds.getRepository(TransactionSet).find({
        where: { resubmittedFrom: tx.id },
        select: { id: true, status: true, createdAt: true },
        order: { createdAt: 'ASC' },
      }),
      tx.interchangeId ? this.ds.getRepository(Interchange).findOneBy({ id: tx.interchangeId }) : null,
      this.ds.getRepository(AuditEvent).find({ where: { subjectId: tx.id }, order: { at: 'ASC' } }),
    ]);
    const made = tx.resubmittedFrom
      ? (
          await this.ds.getRepository(AuditEvent).find({
            where: {
              subjectId: tx.resubmittedFrom,
              action: In(['console.resubmitted', 'console.reprocessed']),
            },
          })
        ).filter((a) => a.detail?.interchangeId === tx.interchangeId)
      : [];
    const docs = this.ds.getRepository(OutboundDocument);
    const outbound = [
      ...(tx.interchangeId
        ? await docs.find({ where: { interchangeId: tx.interchangeId }, order: { createdAt: 'ASC' } })
        : []),
      ...(answers.length
        ? await docs.find({
            where: { transactionId: In(answers.map((a) => a.id)) },
            order: { createdAt: 'ASC' },
          })
        : []),
      ...(tx.direction === 'out' ? await docs.findBy({ transactionId: tx.id }) : []),
    ];
    const deliveries = outbound.length
      ? await this.ds
          .getRepository(Delivery)
          .find({ where: { documentId: In(outbound.map((d) => d.id)) }, order: { at: 'ASC' } })
      : [];
    const operator = s.user.role !== 'viewer';
    const reviewable = REVIEWABLE.includes(tx.status);
    const timeline = [
      ...(interchange
        ? [
            {
              at: interchange.receivedAt.toISOString(),
              action:
                interchange.source === 'console'
                  ? 'received from the console'
                  : `received by ${interchange.source}`,
              actor: interchange.source === 'console' ? 'console' : 'partner',
              detail: { interchangeId: interchange.id, bytes: interchange.size },
            },
          ]
        : []),
      {
        at: tx.createdAt.toISOString(),
        action: tx.direction === 'in' ? 'translated' : 'composed',
        actor: 'system',
        detail: null,
      },
      ...audit.map((a) => ({ at: a.at.toISOString(), action: a.action, actor: a.actor, detail: a.detail })),
      // who made this version, with their note (recorded on the version it replaced)
      ...made.map((a) => ({
        at: a.at.toISOString(),
        action:
          a.action === 'console.reprocessed'
            ? 'reprocessed from an earlier version'
            : 'resubmitted as a new version',
        actor: a.actor,
        detail: a.detail,
      })),
      ...outbound.flatMap((d) =>
        deliveries
          .filter((x) => x.documentId === d.id)
          .map((x) => ({
            at: x.at.toISOString(),
            action: `${d.kind} ${x.ok ? 'delivered' : 'delivery failed'} (${d.channel})`,
            actor: 'system',
            detail: x.detail ? { detail: x.detail } : null,
          })),
      ),
    ].sort((a, b) => a.at.localeCompare(b.at));
    return {
      transaction: {
        ...row(tx, names),
        version: tx.version,
        groupControl: tx.groupControl,
        interchangeId: tx.interchangeId,
        duplicateOf: tx.duplicateOf,
        updatedAt: tx.updatedAt.toISOString(),
        resubmittedFrom: tx.resubmittedFrom,
      },
      partner: { id: tx.partnerId, name: names.get(tx.partnerId) ?? '(deleted partner)' },
      x12: source?.x12 ?? null,
      delimiters: source ? { ...source.delimiters } : null,
      segments: source?.segments ?? [],
      issues: issuesOf(tx).map((i) => ({
        code: i.code,
        severity: i.severity,
        message: i.message,
        plain: explainIssue(i),
        segmentId: i.segmentId,
        position: i.position,
        element: i.element,
        value: i.value,
      })),
      document: tx.document,
      outbound: outbound.map((d) => ({
        id: d.id,
        kind: d.kind,
        controlNumber: d.controlNumber,
        channel: d.channel,
        status: d.status,
        createdAt: d.createdAt.toISOString(),
        x12: d.x12,
        deliveries: deliveries
          .filter((x) => x.documentId === d.id)
          .map((x) => ({
            attempt: x.attempt,
            ok: x.ok,
            statusCode: x.statusCode,
            detail: x.detail,
            at: x.at.toISOString(),
          })),
      })),
      answers: answers.map((a) => ({
        id: a.id,
        setId: a.setId,
        status: a.status,
        createdAt: a.createdAt.toISOString(),
      })),
      resubmissions: resubmissions.map((r) => ({
        id: r.id,
        status: r.status,
        createdAt: r.createdAt.toISOString(),
      })),
      timeline,
      can: {
        reprocess: operator && reviewable && !!source,
        resubmit: operator && reviewable && !!source,
        resolve: operator && reviewable,
      },
    };
  }

  @Post('transactions/reprocess')
  @HttpCode(200)
  @NeedsRole('operator')
  @ApiOperation({
    summary:
      'Reprocess every rejected or failed transaction matching the filter (held ones are released one by one), at most 500; those still wrong are counted as skipped',
  })
  async bulk(@Body() body: unknown, @Staff() s: Signed) {
    const filter = parseInput(Filter, body ?? {});
    // held sets are left out: releasing one is a judgement about that one PO, not a batch job
    const qb = this.filtered(filter).andWhere("t.status IN ('rejected', 'failed')");
    const matching = await qb.orderBy('t.createdAt', 'ASC').limit(500).getMany();
    let reprocessed = 0;
    for (const tx of matching) {
      try {
        await this.newVersion(tx, undefined, s.user, 'reprocessed', 'bulk reprocess');
        reprocessed++;
      } catch (e) {
        // still wrong, or changed meanwhile: counted as skipped, the others go on
        if (!(
          e instanceof UnprocessableEntityException ||
          e instanceof ConflictException ||
          e instanceof NotFoundException
        ))
          throw e;
      }
    }
    return { matched: matching.length, reprocessed, skipped: matching.length - reprocessed };
  }

  @Post('transactions/:id/reprocess')
  @HttpCode(200)
  @NeedsRole('operator')
  @ApiOperation({
    summary:
      'Run the set again as it came (after a map or partner fix): a new version goes through the pipeline and this one is kept, superseded. 422 when it would still fail, saying why',
  })
  async reprocess(@Param('id') id: string, @Staff() s: Signed) {
    const tx = await this.transaction(id);
    return this.newVersion(tx, undefined, s.user, 'reprocessed');
  }

  @Post('transactions/:id/resubmit')
  @HttpCode(200)
  @NeedsRole('operator')
  @ApiOperation({
    summary:
      'Resubmit a corrected version: edited X12 (the set in its envelopes) or edited JSON (made into X12 through the maps). The original is kept and linked; 422 names what is still wrong and stores nothing',
  })
  async resubmit(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const edit = parseInput(Edit, body ?? {});
    const tx = await this.transaction(id);
    return this.newVersion(tx, edit, s.user, 'resubmitted', edit.note);
  }

  @Post('transactions/:id/resolve')
  @HttpCode(200)
  @NeedsRole('operator')
  @ApiOperation({
    summary: 'Close a problem without a new version, saying why (the note goes in the audit trail)',
  })
  async resolve(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const { note } = parseInput(z.object({ note: z.string().trim().min(1).max(2000) }), body ?? {});
    const tx = await this.transaction(id);
    try {
      await this.review.resolve(tx, s.user.username, note);
    } catch (e) {
      throw httpError(e);
    }
    return { id: tx.id, status: 'resolved' };
  }

  @Get('partners')
  @ApiOperation({ summary: 'Partners with their channel, SFTP health, last activity and problem count' })
  partners() {
    return this.partnerRows();
  }

  /** Every partner, or only one, with its counts. */
  private async partnerRows(only?: string) {
    const partners = await this.ds
      .getRepository(TradingPartner)
      .find({ where: only ? { id: only } : {}, order: { name: 'ASC' } });
    const [counts, activity] = await Promise.all([
      this.ds
        .getRepository(TransactionSet)
        .createQueryBuilder('t')
        .where(only ? 't.partnerId = :only' : '1 = 1', { only })
        .select('t.partnerId', 'partnerId')
        .addSelect('COUNT(*)', 'total')
        .addSelect(`SUM(CASE WHEN t.status IN ('rejected', 'failed', 'held') THEN 1 ELSE 0 END)`, 'problems')
        .groupBy('t.partnerId')
        .getRawMany<Record<string, unknown>>(),
      this.ds
        .getRepository(Interchange)
        .createQueryBuilder('x')
        .where(only ? 'x.partnerId = :only' : '1 = 1', { only })
        .select('x.partnerId', 'partnerId')
        .addSelect('MAX(x.receivedAt)', 'last')
        .groupBy('x.partnerId')
        .getRawMany<Record<string, unknown>>(),
    ]);
    const count = new Map(counts.map((c: Record<string, unknown>) => [String(c.partnerId), c]));
    const last = new Map(activity.map((a: Record<string, unknown>) => [String(a.partnerId), a.last]));
    return {
      items: partners.map((p) => {
        const c = count.get(p.id);
        const l = last.get(p.id);
        return {
          id: p.id,
          name: p.name,
          isaQualifier: p.isaQualifier,
          isaId: p.isaId,
          deliveryChannel: p.deliveryChannel,
          sftpHealth: p.sftpHealth,
          lastActivityAt: l ? isoOf(l) : null,
          transactions: Number(c?.total ?? 0),
          problems: Number(c?.problems ?? 0),
        };
      }),
    };
  }

  @Get('partners/:id')
  @ApiOperation({
    summary: "A partner's profile, channels, SFTP health and API keys (never the keys themselves)",
  })
  async partner(@Param('id') id: string) {
    const p = await this.ds
      .getRepository(TradingPartner)
      .createQueryBuilder('p')
      .addSelect('p.webhookSecret')
      .addSelect('p.sftp')
      .where('p.id = :id', { id: parseInput(Id, id) })
      .getOne();
    if (!p) throw new NotFoundException('no such partner');
    const row = (await this.partnerRows(p.id)).items[0]!;
    const keys = await this.ds
      .getRepository(ApiKey)
      .find({ where: { partnerId: p.id }, order: { createdAt: 'DESC' } });
    const { webhookSigned: _w, ...profile } = partnerView(p);
    return {
      ...profile,
      ...row,
      createdAt: p.createdAt.toISOString(),
      keys: keys.map((k) => ({
        id: k.id,
        prefix: k.prefix,
        label: k.label,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt,
      })),
    };
  }

  @Post('partners/:id/keys')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'Issue an API key for the partner: the key is in this answer and nowhere else' })
  async issueKey(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const partnerId = parseInput(Id, id);
    const { label } = parseInput(z.object({ label: z.string().trim().max(100).optional() }), body ?? {});
    if (!(await this.ds.getRepository(TradingPartner).existsBy({ id: partnerId })))
      throw new NotFoundException('no such partner');
    const { key, record } = await this.keys.issue(partnerId, label || undefined);
    await this.audit(partnerId, 'key.issued', s.user, { keyId: record.id, prefix: record.prefix });
    return { id: record.id, prefix: record.prefix, key };
  }

  @Delete('partners/:id/keys/:keyId')
  @HttpCode(204)
  @NeedsRole('admin')
  @ApiOperation({
    summary: "Revoke one of the partner's API keys (at once in this process, within 5 s in others)",
  })
  async revokeKey(@Param('id') id: string, @Param('keyId') keyId: string, @Staff() s: Signed): Promise<void> {
    const partnerId = parseInput(Id, id);
    if (!(await this.keys.revoke(partnerId, parseInput(Id, keyId))))
      throw new NotFoundException('no such active key');
    await this.audit(partnerId, 'key.revoked', s.user, { keyId });
  }

  /** A new version of a transaction: checked, stored, superseding the original, and translated before answering. */
  private async newVersion(
    tx: TransactionSet,
    edit: { x12?: string; document?: Record<string, unknown> } | undefined,
    user: StaffUser,
    action: 'reprocessed' | 'resubmitted',
    note?: string,
  ) {
    if (tx.direction !== 'in')
      throw new ConflictException('only a transaction we received can be resubmitted');
    if (!REVIEWABLE.includes(tx.status))
      throw new ConflictException(`a ${tx.status} transaction is not waiting for review`);
    const partner = await this.ds.getRepository(TradingPartner).findOneBy({ id: tx.partnerId });
    if (!partner) throw new NotFoundException('the partner of this transaction is gone');
    let interchangeId: string;
    try {
      const raw = edit
        ? await this.review.edited(tx, partner, edit)
        : Buffer.from((await this.review.source(tx))?.x12 ?? '', 'latin1');
      this.review.check(tx, partner, raw);
      interchangeId = await this.review.resubmit(tx, raw, user.username, { action, note });
    } catch (e) {
      throw httpError(e);
    }
    const outcome = await this.queue.done(interchangeId);
    return {
      interchangeId,
      transactions: outcome.transactions.map((t) => ({ id: t.id, setId: t.setId, status: t.status })),
      acknowledgments: outcome.acknowledgments,
    };
  }

  private filtered(f: z.infer<typeof Filter>): SelectQueryBuilder<TransactionSet> {
    const qb = this.ds.getRepository(TransactionSet).createQueryBuilder('t').where('1 = 1');
    if (f.status) qb.andWhere('t.status IN (:...statuses)', { statuses: f.status });
    if (f.partner) qb.andWhere('t.partnerId = :partner', { partner: f.partner });
    if (f.set) qb.andWhere('t.setId = :set', { set: f.set });
    if (f.direction) qb.andWhere('t.direction = :direction', { direction: f.direction });
    if (f.po) qb.andWhere('t.poNumber = :po', { po: f.po });
    if (f.q) {
      const prefix = `${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        "(t.poNumber LIKE :prefix ESCAPE '\\' OR t.controlNumber = :q OR t.id LIKE :prefix ESCAPE '\\')",
        { prefix, q: f.q },
      );
    }
    if (f.from) qb.andWhere('t.createdAt >= :from', { from: new Date(f.from) });
    if (f.to)
      qb.andWhere('t.createdAt < :to', {
        // a day means the whole of it
        to: f.to.length === 10 ? new Date(new Date(f.to).getTime() + 86_400_000) : new Date(f.to),
      });
    return qb;
  }

  private async transaction(id: string): Promise<TransactionSet> {
    const tx = await this.ds.getRepository(TransactionSet).findOneBy({ id: parseInput(Id, id) });
    if (!tx) throw new NotFoundException('no such transaction');
    return tx;
  }

  private async partnerNames(): Promise<Map<string, string>> {
    const rows = await this.ds.getRepository(TradingPartner).find({ select: { id: true, name: true } });
    return new Map(rows.map((p) => [p.id, p.name]));
  }

  private audit(subjectId: string, action: string, user: StaffUser, detail: Record<string, unknown>) {
    return transact(this.ds, (m) => recordAudit(m, subjectId, action, user.username, detail));
  }
}

function issuesOf(tx: TransactionSet): X12Issue[] {
  return ((tx.issues ?? []) as X12Issue[]).filter((i) => i && typeof i === 'object' && 'message' in i);
}

function row(t: TransactionSet, names: Map<string, string>) {
  const first = issuesOf(t).find((i) => i.severity === 'error');
  return {
    id: t.id,
    partnerId: t.partnerId,
    partnerName: names.get(t.partnerId) ?? '(deleted partner)',
    direction: t.direction,
    setId: t.setId,
    controlNumber: t.controlNumber,
    poNumber: t.poNumber,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    problem: first
      ? explainIssue(first)
      : t.status === 'held'
        ? `Held as a possible duplicate: ${t.duplicateOf}`
        : null,
  };
}

/** The database's timestamp (a Date from Postgres, text from SQLite) as ISO. */
function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`).toISOString();
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(String(v[1]))
    )
      return [v[0], String(v[1])];
  } catch {
    // falls through to the 422 below
  }
  throw new UnprocessableEntityException('cursor is not one this API gave out');
}

function httpError(e: unknown): unknown {
  if (!(e instanceof ReviewError)) return e;
  if (e.reason === 'conflict') return new ConflictException(e.message);
  return new UnprocessableEntityException({ message: e.message, problems: e.problems });
}
