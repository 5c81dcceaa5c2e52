import { Controller, HttpCode, HttpStatus, Inject, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, NotFoundError } from '@edi/contracts';
import { PartnerTransactions } from '@edi/persistence';
import { timingSafeEqual } from 'node:crypto';
import { webhookSignature } from '@edi/pipeline';
import type { Request } from 'express';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config';
import { SHIP_QUEUE } from '../common/tokens';
import { parseInput } from '../common/validate';

const Event = z.object({
  type: z.enum(['shipment.created', 'invoice.created']),
  orderId: z.string().min(1).max(64),
  shipmentId: z.string().max(64).optional(),
  /** What we gave the ERP as the order's external reference: `<partner id>:<PO number>`. */
  externalReference: z.string().max(200).optional(),
});

/** How far an event's timestamp may be from our clock: an old signed event cannot be replayed later. */
const TOLERANCE_S = 300;

/**
 * The ERP tells us an order shipped (or was invoiced): we read the order's shipments and invoices
 * from the ERP and send the 856 and 810 that are not sent yet. Signed like our own webhooks:
 * `X-ERP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with EDI_ERP_EVENT_SECRET.
 */
@ApiTags('erp')
@Controller('v1/erp/events')
export class ErpEventsController {
  constructor(
    @Inject(PartnerTransactions) private readonly transactions: PartnerTransactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SHIP_QUEUE) private readonly ships: { enqueue(id: string): void },
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'An ERP event (shipment.created, invoice.created): the 856/810 follow' })
  @ApiHeader({
    name: 'X-ERP-Signature',
    required: true,
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256>',
  })
  @ApiResponse({ status: 202, description: 'the order is known: its 856/810 are on their way' })
  @ApiResponse({ status: 401, description: 'missing or wrong signature, or too old' })
  @ApiResponse({ status: 404, description: 'no PO of ours became this order (or events are off)' })
  async receive(@Req() req: Request) {
    const secret = this.config.EDI_ERP_EVENT_SECRET;
    if (!secret) throw new DomainError('disabled', 'ERP events are off (EDI_ERP_EVENT_SECRET is not set)');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    verify(secret, String(req.header('x-erp-signature') ?? ''), raw);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const event = parseInput(Event, body);
    // order numbers are only unique within one ERP: the external reference says whose PO it was
    const partnerId = event.externalReference?.split(':')[0];
    const po = await this.transactions.poOfErpOrder(
      event.orderId,
      partnerId && /^[0-9a-f-]{36}$/.test(partnerId) ? partnerId : undefined,
    );
    if (!po) throw new NotFoundError(`no PO became ERP order ${event.orderId}`);
    // stored before the 202: the ERP will not send the event again, so it must not be lost
    await this.transactions.requestShipment(po.id);
    this.ships.enqueue(po.id);
    return { transactionId: po.id, orderId: event.orderId };
  }
}

function verify(secret: string, header: string, body: Buffer): void {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) throw new DomainError('unauthenticated', 'X-ERP-Signature is missing or malformed');
  const t = Number(m[1]);
  if (Math.abs(Date.now() / 1000 - t) > TOLERANCE_S)
    throw new DomainError('unauthenticated', 'X-ERP-Signature is too old');
  // the same scheme as the webhooks we send
  const want = Buffer.from(webhookSignature(secret, t, body), 'hex');
  if (!timingSafeEqual(want, Buffer.from(m[2]!, 'hex')))
    throw new DomainError('unauthenticated', 'X-ERP-Signature does not match');
}
