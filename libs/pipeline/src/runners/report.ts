import type { DeliveryOutcome } from '../deliver/deliver.stage';
import type { ErpOutcome } from '../erp/erp.stage';
import type { ReceiveOutcome } from '../inbound/receive.stage';
import { FLOW, type Outcomes, type StageName } from '../flow';
import type { Metrics } from '../metrics';
import type { ShipOutcome } from '../ship/ship.stage';
import { translatedLogLine, type TranslateOutcome } from '../translate/translate.stage';

/** Where runners write their log lines (a Nest Logger is one). */
export interface LogSink {
  log(message: unknown): void;
  warn(message: unknown): void;
}

/** The metrics and log lines of a stage's runs: the same from the in-process runner and a worker. */
export class StageReport {
  constructor(
    private readonly metrics: Metrics,
    private readonly log: LogSink,
  ) {}

  done<S extends StageName>(stage: S, outcome: Outcomes[S], seconds: number): void {
    this.metrics.stageSeconds.observe({ stage }, seconds);
    const line = this.lineOf(stage, outcome, seconds);
    if (line) this.log.log(line);
  }

  failed(stage: StageName, id: string | undefined, attempt: number | undefined, error: unknown): void {
    // the channel is not known from a failed try; the label keeps the series it has always had
    if (stage === 'deliver') this.metrics.deliveries.inc({ channel: 'webhook', result: 'failed' });
    this.log.warn({ [FLOW[stage].id]: id, attempt, error: (error as Error)?.message ?? String(error) });
  }

  private lineOf<S extends StageName>(stage: S, outcome: Outcomes[S], seconds: number) {
    const o: Outcomes[StageName] = outcome;
    switch (stage) {
      case 'translate':
        this.metrics.translated.inc({ status: (o as TranslateOutcome).status });
        // one JSON line per interchange translated, with its ids
        return translatedLogLine(o as TranslateOutcome, seconds);
      case 'erp': {
        const e = o as ErpOutcome;
        return { msg: 'erp checked', transactionId: e.transactionId, status: e.status, orderId: e.orderId };
      }
      case 'receive': {
        const r = o as ReceiveOutcome;
        return {
          msg: 'received',
          transactionId: r.transactionId,
          status: r.status,
          receiptId: r.receiptId,
          ...(r.mismatches.length ? { mismatches: r.mismatches.map((m) => m.message) } : {}),
        };
      }
      case 'ship': {
        const s = o as ShipOutcome;
        return s.sent.length ? { msg: 'shipped', transactionId: s.transactionId, sent: s.sent } : undefined;
      }
      default: {
        const d = o as DeliveryOutcome;
        if (d.status !== 'delivered') return undefined;
        this.metrics.deliveries.inc({ channel: d.channel, result: 'ok' });
        return { msg: 'delivered', documentId: d.documentId, channel: d.channel };
      }
    }
  }
}
