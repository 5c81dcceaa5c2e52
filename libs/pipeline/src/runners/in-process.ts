import type { ResilientErp } from '@edi/erp';
import {
  FLOW,
  STAGES,
  handlersFor,
  nextOf,
  pagedOf,
  type HandlerEntry,
  type Outcomes,
  type StageHandler,
  type StageName,
} from '../flow';
import { InProcessQueue, LocalQueue, type LocalQueueOptions } from '../pipeline';
import type { TranslateStage } from '../translate/translate.stage';
import type { StageReport } from './report';

export interface InProcessRunnerOptions {
  /** How many ids of each stage run at once in this process. */
  concurrency: Record<StageName, number>;
  report: StageReport;
  /** The ERP whose circuit breaker the stages marked `circuit: 'erp'` follow. */
  erp?: ResilientErp;
}

type Queues = { translate: InProcessQueue } & {
  [S in Exclude<StageName, 'translate'>]: LocalQueue<Outcomes[S]>;
};

/**
 * The embedded mode's runner: a local queue per stage of the flow, each retrying as the table
 * says, each outcome handing its ids to the stages the table says follow it. What the queues hold
 * in memory is rebuilt from the database at start (Pipeline.resume).
 */
export class InProcessRunner {
  readonly queues: Queues;

  /** Fails (FlowWiringError) unless every stage of the flow has exactly one handler among `entries`. */
  constructor(entries: readonly HandlerEntry[], options: InProcessRunnerOptions) {
    const handlers = handlersFor(entries);
    const settings = <S extends StageName>(stage: S): LocalQueueOptions<Outcomes[S]> => {
      const retry = FLOW[stage].retry;
      return {
        concurrency: options.concurrency[stage],
        maxAttempts: retry.attempts,
        retryBaseMs: retry.baseMs,
        maxDelayMs: retry.maxMs,
        exhausted: retry.exhausted,
        onError: (id, e, attempt) => options.report.failed(stage, id, attempt, e),
        onDone: (seconds, outcome) => {
          options.report.done(stage, outcome, seconds);
          for (const [to, ids] of nextOf(stage, outcome))
            for (const id of ids) (this.queues[to] as LocalQueue<unknown>).enqueue(id);
          // the rest of a nightly batch's ids: read in pages as the stage drains (else the sweep's)
          for (const to of pagedOf(stage, outcome))
            void (this.queues[to] as LocalQueue<unknown>)
              .fromBacklog()
              .catch((e: unknown) => options.report.failed(to, undefined, undefined, e));
        },
      };
    };
    const queue = <S extends StageName>(stage: S) =>
      new LocalQueue(handlers[stage] as StageHandler<Outcomes[S]>, settings(stage));
    this.queues = {
      translate: new InProcessQueue(handlers.translate as TranslateStage, settings('translate')),
      erp: queue('erp'),
      receive: queue('receive'),
      ship: queue('ship'),
      deliver: queue('deliver'),
    };
    const erp = options.erp;
    if (erp)
      for (const s of STAGES)
        if ((FLOW[s] as { circuit?: 'erp' }).circuit === 'erp') retryWhenBack(erp, this.queues[s]);
  }

  depth(): Record<StageName, number> {
    return Object.fromEntries(STAGES.map((s) => [s, this.queues[s].depth()])) as Record<StageName, number>;
  }

  /** What runs finishes; what waits (or waits out a backoff) stays in the database for the next start. */
  async close(): Promise<void> {
    for (const s of STAGES) this.queues[s].close();
    for (const s of STAGES) await this.queues[s].idle();
  }
}

/**
 * While the ERP's circuit is open every PO's try fails at once and its backoff grows to 30 s
 * (±50%), so POs sat in erp_pending up to 45 s after the ERP was back (a restart whose ERP came
 * up late left them there past a minute). Instead, each time the circuit opens one waiting PO
 * tests it when it may half-open, and when it closes every waiting PO goes at once.
 */
function retryWhenBack(erp: ResilientErp, queue: Pick<LocalQueue<unknown>, 'retryNow' | 'retryOne'>): void {
  erp.breaker.onBreak(() => setTimeout(() => queue.retryOne(), erp.halfOpenAfterMs + 50).unref());
  erp.breaker.onReset(() => queue.retryNow());
}
