/**
 * The path of one document, as data: each stage, what runs it, how it is retried and what follows
 * it. The in-process runner (embedded mode) and the BullMQ runner (scaled mode) both read this
 * table, so the two modes run the same stages in the same order with the same retries.
 *
 *   ingest ─▶ translate ─▶ erp ─▶ ship ─▶ deliver
 *                 │  │       │             ▲
 *                 │  │       └─────────────┤  (855, 856, 810 to push)
 *                 │  └─────────────────────┘  (997/999 to push)
 *                 └─▶ receive                 (a partner's 856/810 against a PO: checked, to the ERP)
 *
 * Ingest is not a queued stage: the bytes are stored before the sender is answered, and the
 * stored row is the translate stage's work (HTTP, SFTP and resubmission all go in that way).
 *
 * Transient or final: a stage decides what is final and returns it as its outcome (a rejected
 * interchange, a PO held for review, a refusal by the ERP are recorded, not retried). Whatever a
 * stage throws is transient (a database hiccup, a partner's server down, the ERP down) and tried
 * again after a backoff, until the policy's attempts are spent.
 */
import type { DeliveryOutcome } from './deliver/deliver.stage';
import type { ErpOutcome } from './erp/erp.stage';
import type { ReceiveOutcome } from './inbound/receive.stage';
import type { ShipOutcome } from './ship/ship.stage';
import { pagedStages, type TranslateOutcome } from './translate/outcome';

export const STAGES = ['translate', 'erp', 'receive', 'ship', 'deliver'] as const;
export type StageName = (typeof STAGES)[number];

export interface RetryPolicy {
  /** Tries before the id is given up on. */
  attempts: number;
  /** The first retry waits about 2 × baseMs, doubling each try (±50% jitter), never more than maxMs. */
  baseMs: number;
  maxMs: number;
  /**
   * When the attempts are spent: 'mark-failed' sets the row failed for a person to see;
   * 'sweep' leaves it as it is, and the minute sweep queues it again (what must never be dropped).
   */
  exhausted: 'mark-failed' | 'sweep';
}

/** What each stage's run gives back. */
export interface Outcomes {
  translate: TranslateOutcome;
  erp: ErpOutcome;
  receive: ReceiveOutcome;
  ship: ShipOutcome;
  deliver: DeliveryOutcome;
}

/** The ids a stage's outcome hands to each following stage. */
export type NextIds = Partial<Record<StageName, readonly string[]>>;

export interface StageSpec<O> {
  /** The handler that runs it: every runner must have exactly one for each stage. */
  handler: string;
  /** The BullMQ queue that carries its ids in the scaled mode. */
  queue: string;
  /** What the ids on its queue are, as its log lines name them. */
  id: 'interchangeId' | 'transactionId' | 'documentId';
  /**
   * One job per id at a time (the id is the job id). Not for a stage whose row may come back
   * while its first job waits: the stage itself must then make a second run harmless.
   */
  unique: boolean;
  retry: RetryPolicy;
  /** A circuit breaker in front of its calls: when it closes again, ids waiting out a backoff go at once. */
  circuit?: 'erp';
  /** The stages its outcome may hand ids to. */
  next: readonly StageName[];
  /** The ids its outcome hands to each of them. */
  handoff: (outcome: O) => NextIds;
  /**
   * The stages its outcome hands only some of their ids (a nightly batch's first sets): the
   * runner reads the rest from the database a page at a time, as the stage works through them.
   */
  paged?: (outcome: O) => readonly StageName[];
}

export const FLOW = {
  // fails only when the database does: quick retries, about a minute and a half in all
  translate: {
    handler: 'TranslateStage',
    queue: 'edi-translate',
    id: 'interchangeId',
    unique: true,
    retry: { attempts: 10, baseMs: 100, maxMs: 30_000, exhausted: 'mark-failed' },
    next: ['erp', 'receive', 'deliver'],
    handoff: (o: TranslateOutcome) => ({ erp: o.erp, receive: o.receive, deliver: o.push }),
    paged: pagedStages,
  },
  // the ERP may be down for hours: a PO is tried every 30 s at most, for about a week, then the
  // sweep queues it again; it waits in erp_pending and is never given up on
  erp: {
    handler: 'ErpStage',
    queue: 'edi-erp',
    id: 'transactionId',
    unique: true,
    retry: { attempts: 20_000, baseMs: 250, maxMs: 30_000, exhausted: 'sweep' },
    circuit: 'erp',
    next: ['ship', 'deliver'],
    handoff: (o: ErpOutcome) => ({ ship: o.ship ? [o.transactionId] : [], deliver: o.push }),
  },
  // a partner's 856 or 810 against a PO: checked, then handed to the ERP (goods receipt, AP
  // invoice). The ERP may be down for hours, as for a PO: it waits in `receiving`, never given up on
  receive: {
    handler: 'ReceiveStage',
    queue: 'edi-receive',
    id: 'transactionId',
    unique: true,
    retry: { attempts: 20_000, baseMs: 250, maxMs: 30_000, exhausted: 'sweep' },
    circuit: 'erp',
    next: [],
    handoff: (_: ReceiveOutcome) => ({}),
  },
  // an order may ship more than once (ids not unique); the stage sends each shipment only once,
  // and the ship request stays on the PO until it is read, for the sweep
  ship: {
    handler: 'ShipStage',
    queue: 'edi-ship',
    id: 'transactionId',
    unique: false,
    retry: { attempts: 20, baseMs: 250, maxMs: 30_000, exhausted: 'sweep' },
    next: ['deliver'],
    handoff: (o: ShipOutcome) => ({ deliver: o.push }),
  },
  // a partner's server may be down for a while: ten tries over about 14 minutes, then a person is asked
  deliver: {
    handler: 'DeliverStage',
    queue: 'edi-deliver',
    id: 'documentId',
    unique: true,
    retry: { attempts: 10, baseMs: 1_000, maxMs: 300_000, exhausted: 'mark-failed' },
    next: [],
    handoff: (_: DeliveryOutcome) => ({}),
  },
} as const satisfies { [S in StageName]: StageSpec<Outcomes[S]> };

export interface PeriodicSpec {
  /** How often it runs in each process that runs the flow. */
  everyMs: number;
}

/**
 * The flow's work that runs on a clock, not on ids. These are timers, not queued stages, on
 * purpose: nothing hands them an id (what is due is found by a query: a window that passed, a
 * poll that is due, a row a crash left without a job), and each is safe in any number of
 * processes at once (every row it changes is claimed by a conditional update or a lease). Every
 * process that runs stages runs all of them, the embedded service and each worker alike (a
 * scaled API, which only enqueues, runs none); compose.ts starts one timer per entry and must
 * name a job for each (it does not compile otherwise).
 */
export const PERIODIC = {
  // the acknowledgment sweep (reconcile/overdue-sweep.ts): pending documents past the partner's
  // window turn overdue, one ack.overdue event each; then the events due are posted
  ackSweep: { everyMs: 60_000 },
  // partners' SFTP servers, each when its own interval is due (a lease lets one process poll it)
  sftpPoll: { everyMs: 5_000 },
  // what gave up for now or lost its job (a ship request after its tries, a process that died
  // between its commit and its queue add) goes back on its stage's queue
  requeue: { everyMs: 60_000 },
} as const satisfies Record<string, PeriodicSpec>;

export type PeriodicName = keyof typeof PERIODIC;

/** How long to wait after the `failures`-th failure in a row before the next try (both runners). */
export function retryDelay(policy: RetryPolicy, failures: number, random = Math.random()): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures, 30)) * (0.5 + random);
}

/** What runs a stage: one try of an id, and giving up on it for good. */
export interface StageHandler<T = unknown> {
  run(id: string): Promise<T>;
  markFailed(id: string, error: unknown): Promise<T>;
  /** Every id its outcome hands `to` in part only (pagedOf), a page at a time from the database. */
  handOn?(outcome: T, to: StageName): AsyncIterable<readonly string[]>;
}

/** A handler as a runner is given it: the key it answers to (FLOW[stage].handler) and the handler. */
export interface HandlerEntry {
  key: string;
  handler: StageHandler;
}

export class FlowWiringError extends Error {
  readonly code = 'FLOW_WIRING';
  override readonly name = 'FlowWiringError';
}

/**
 * The handler of every stage in the table, checked when a runner starts: a stage with no handler
 * would leave its ids waiting for ever, a stage with two would run each id twice (or one of them
 * never), and a handler the table does not name is a stage someone forgot to add to the flow.
 */
export function handlersFor(entries: readonly HandlerEntry[]): Record<StageName, StageHandler> {
  const byKey = new Map<string, StageHandler[]>();
  for (const e of entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.handler]);
  const problems: string[] = [];
  const found = {} as Record<StageName, StageHandler>;
  for (const stage of STAGES) {
    const key = FLOW[stage].handler;
    const hs = byKey.get(key) ?? [];
    byKey.delete(key);
    if (hs.length === 0) problems.push(`stage ${stage} has no handler (${key})`);
    else if (hs.length > 1) problems.push(`stage ${stage} has ${hs.length} handlers (${key})`);
    else found[stage] = hs[0]!;
  }
  for (const key of byKey.keys()) problems.push(`handler ${key} runs no stage of the flow`);
  if (problems.length) throw new FlowWiringError(`the flow cannot start: ${problems.join('; ')}`);
  return found;
}

/**
 * Checks that an outcome hands ids only to stages the table says follow its stage, and gives them
 * in the table's order. A stage reaching one the table does not list is a flow nobody can read.
 */
export function nextOf<S extends StageName>(
  stage: S,
  outcome: Outcomes[S],
): Array<[StageName, readonly string[]]> {
  const ids = (FLOW[stage].handoff as (o: Outcomes[S]) => NextIds)(outcome);
  const allowed: readonly StageName[] = FLOW[stage].next;
  const out: Array<[StageName, readonly string[]]> = [];
  for (const [to, list] of Object.entries(ids) as Array<[StageName, readonly string[]]>) {
    if (!list.length) continue;
    if (!allowed.includes(to))
      throw new FlowWiringError(`stage ${stage} handed ids to ${to}, which does not follow it in the flow`);
    out.push([to, list]);
  }
  return out.sort((a, b) => allowed.indexOf(a[0]) - allowed.indexOf(b[0]));
}

/** The stages an outcome hands ids to in part only (checked against the table as nextOf does). */
export function pagedOf<S extends StageName>(stage: S, outcome: Outcomes[S]): readonly StageName[] {
  const paged = (FLOW[stage] as { paged?: (o: Outcomes[S]) => readonly StageName[] }).paged;
  const stages = paged?.(outcome) ?? [];
  const allowed: readonly StageName[] = FLOW[stage].next;
  for (const to of stages)
    if (!allowed.includes(to))
      throw new FlowWiringError(`stage ${stage} pages ids to ${to}, which does not follow it in the flow`);
  return stages;
}
