import type { TimelineEvent, TransactionDetail, TransactionRow } from '@edi/contracts';
import type { StaffUser, TransactionRecords, TransactionSet } from '@edi/persistence';
import { explainIssue, REVIEWABLE, type SetSource } from '@edi/pipeline';
import type { X12Issue } from '@edi/x12';

/** The issues stored with a transaction (a JSON column: older rows may hold other shapes). */
export function issuesOf(tx: TransactionSet): X12Issue[] {
  return ((tx.issues ?? []) as X12Issue[]).filter((i) => i && typeof i === 'object' && 'message' in i);
}

/** A transaction as the console lists it, with its first problem in plain words. */
export function transactionRow(t: TransactionSet, names: Map<string, string>): TransactionRow {
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
    test: t.test,
    problem: first
      ? explainIssue(first)
      : t.status === 'held'
        ? `Held as a possible duplicate: ${t.duplicateOf}`
        : null,
  };
}

/** One transaction for review: its segments with each problem placed, what went out, its history, what the user may do. */
export function transactionDetail(
  tx: TransactionSet,
  r: TransactionRecords,
  source: SetSource | null,
  names: Map<string, string>,
  user: StaffUser,
): TransactionDetail {
  const operator = user.role !== 'viewer';
  const reviewable = REVIEWABLE.includes(tx.status);
  const deliveriesOf = (documentId: string) => r.deliveries.filter((x) => x.documentId === documentId);
  return {
    transaction: {
      ...transactionRow(tx, names),
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
    outbound: r.outbound.map((d) => ({
      id: d.id,
      kind: d.kind,
      controlNumber: d.controlNumber,
      channel: d.channel,
      status: d.status,
      createdAt: d.createdAt.toISOString(),
      x12: d.x12,
      deliveries: deliveriesOf(d.id).map((x) => ({
        attempt: x.attempt,
        ok: x.ok,
        statusCode: x.statusCode,
        detail: x.detail,
        at: x.at.toISOString(),
      })),
    })),
    answers: r.answers.map((a) => ({
      id: a.id,
      setId: a.setId,
      status: a.status,
      createdAt: a.createdAt.toISOString(),
    })),
    resubmissions: r.resubmissions.map((v) => ({
      id: v.id,
      status: v.status,
      createdAt: v.createdAt.toISOString(),
    })),
    timeline: timeline(tx, r),
    can: {
      reprocess: operator && reviewable && !!source,
      resubmit: operator && reviewable && !!source,
      resolve: operator && reviewable,
      release: operator && releasable(tx),
    },
  };
}

/** A partner's 856 or 810 held for mismatches with its PO, which staff may release to the ERP. */
function releasable(tx: TransactionSet): boolean {
  const issues = (tx.issues ?? []) as Array<{ code?: string; severity?: string }>;
  return (
    tx.status === 'held' &&
    tx.direction === 'in' &&
    (tx.setId === '856' || tx.setId === '810') &&
    issues.some((i) => i.code === 'INBOUND_MISMATCH' && i.severity === 'error')
  );
}

/** Received, translated, what staff did, who made this version, each delivery try: in time order. */
function timeline(tx: TransactionSet, r: TransactionRecords): TimelineEvent[] {
  const ic = r.interchange;
  const events: TimelineEvent[] = [
    ...(ic
      ? [
          {
            at: ic.receivedAt.toISOString(),
            action: ic.source === 'console' ? 'received from the console' : `received by ${ic.source}`,
            actor: ic.source === 'console' ? 'console' : 'partner',
            detail: { interchangeId: ic.id, bytes: ic.size },
          },
        ]
      : []),
    {
      at: tx.createdAt.toISOString(),
      action: tx.direction === 'in' ? 'translated' : 'composed',
      actor: 'system',
      detail: null,
    },
    ...r.audit.map((a) => ({ at: a.at.toISOString(), action: a.action, actor: a.actor, detail: a.detail })),
    // who made this version, with their note (recorded on the version it replaced)
    ...r.madeBy.map((a) => ({
      at: a.at.toISOString(),
      action:
        a.action === 'console.reprocessed'
          ? 'reprocessed from an earlier version'
          : 'resubmitted as a new version',
      actor: a.actor,
      detail: a.detail,
    })),
    ...r.outbound.flatMap((d) =>
      r.deliveries
        .filter((x) => x.documentId === d.id)
        .map((x) => ({
          at: x.at.toISOString(),
          action: `${d.kind} ${x.ok ? 'delivered' : 'delivery failed'} (${d.channel})`,
          actor: 'system',
          detail: x.detail ? { detail: x.detail } : null,
        })),
    ),
  ];
  return events.sort((a, b) => a.at.localeCompare(b.at));
}
