import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { ErpError, type ErpAdapter } from './port';

export interface ResilienceOptions {
  /** Tries per call (the first included), with jittered exponential backoff between them. */
  attempts?: number;
  /** This many failed calls in a row open the circuit: calls fail at once, without waiting on a dead ERP… */
  breakAfter?: number;
  /** …until this long has passed, when one call is let through to test it. */
  halfOpenAfterMs?: number;
  initialDelayMs?: number;
}

/**
 * Wraps an adapter with retries and a circuit breaker. Every operation of the port is safe to
 * repeat (orders and receipts are idempotent by externalRef), so all are retried; a 4xx is not retried, and
 * neither it nor an unusable answer counts against the ERP's health.
 */
export class ResilientErp implements ErpAdapter {
  private readonly policy: IPolicy;
  readonly breaker: ReturnType<typeof circuitBreaker>;
  /** How long the circuit stays open before one call may test the ERP again. */
  readonly halfOpenAfterMs: number;

  constructor(
    private readonly inner: ErpAdapter,
    options: ResilienceOptions = {},
  ) {
    const transient = handleWhen((e) => !(e instanceof ErpError) || e.retryable);
    // an answer that does not fit (one item's bad record, a proxy's cut-off page) is worth
    // another try, but is no sign the ERP is down: it must not make every other PO fail fast,
    // and the PO itself must see the real error to be held for it in the end
    const down = handleWhen((e) => !(e instanceof ErpError) || e.kind === 'unavailable');
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? 5_000;
    this.breaker = circuitBreaker(down, {
      halfOpenAfter: this.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakAfter ?? 5),
    });
    const retries = retry(transient, {
      maxAttempts: (options.attempts ?? 3) - 1,
      backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 100, maxDelay: 2_000 }),
    });
    this.policy = wrap(retries, this.breaker);
  }

  /** 'closed' (healthy), 'open' (failing fast) or 'halfOpen' (testing). */
  get state(): string {
    return ['closed', 'open', 'halfOpen', 'isolated'][this.breaker.state] ?? 'unknown';
  }

  findProducts(q: Parameters<ErpAdapter['findProducts']>[0]) {
    return this.policy.execute(() => this.inner.findProducts(q));
  }
  availability(skus: string[], warehouses?: string[]) {
    return this.policy.execute(() => this.inner.availability(skus, warehouses));
  }
  contractPrices(customerId: string, skus: string[]) {
    return this.policy.execute(() => this.inner.contractPrices(customerId, skus));
  }
  createSalesOrder(order: Parameters<ErpAdapter['createSalesOrder']>[0]) {
    return this.policy.execute(() => this.inner.createSalesOrder(order));
  }
  shipments(orderId: string) {
    return this.policy.execute(() => this.inner.shipments(orderId));
  }
  invoices(orderId: string) {
    return this.policy.execute(() => this.inner.invoices(orderId));
  }
  quote(request: Parameters<ErpAdapter['quote']>[0]) {
    return this.policy.execute(() => this.inner.quote(request));
  }
  receiveShipment(asn: Parameters<ErpAdapter['receiveShipment']>[0]) {
    return this.policy.execute(() => this.inner.receiveShipment(asn));
  }
  receiveInvoice(invoice: Parameters<ErpAdapter['receiveInvoice']>[0]) {
    return this.policy.execute(() => this.inner.receiveInvoice(invoice));
  }
}
