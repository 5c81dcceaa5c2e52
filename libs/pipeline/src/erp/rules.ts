import { DomainError } from '@edi/contracts';
import { z } from 'zod';

/**
 * A partner's rules for the ERP stage (TradingPartner.rules). Each has a default, so a partner
 * with no rules gets: every warehouse, 1 % price tolerance, short stock back-ordered, a price
 * off the contract answered with ours (IP), a price of 0 or less or ten times off held.
 */
export const PartnerRules = z
  .object({
    /** Warehouses whose stock counts for this partner; empty = all. */
    warehouses: z.array(z.string()).default([]),
    /** How far the PO price may be from the contract price, as a fraction (0.01 = 1 %). */
    priceTolerance: z.number().min(0).max(1).default(0.01),
    /** Not enough stock: ship what there is and back-order the rest (IB), or reject the line (IR). */
    onShortStock: z.enum(['backorder', 'reject']).default('backorder'),
    /** PO price off the contract: answer with our price (IP), reject the line (IR), or take theirs. */
    onPriceMismatch: z.enum(['change', 'reject', 'accept']).default('change'),
    /** An item with no contract price for the customer: reject the line (IR), or take the PO's price. */
    onNoContractPrice: z.enum(['reject', 'accept']).default('reject'),
    /**
     * The largest ratio, either way, between the contract price and the PO's price that is taken
     * as real (10: a 9.25 item may be ordered at 0.93 to 92.50). Past it, or at a price of 0 or
     * less, the price is bad and onBadPrice decides.
     */
    maxPriceRatio: z.number().min(1).default(10),
    /** A bad price (above): hold the PO for a person, nothing ordered, or reject the line (IR). */
    onBadPrice: z.enum(['hold', 'reject']).default('hold'),
    /**
     * The partner's retry limit for an ERP answer that cannot be used (unreadable, too big, too
     * slow, missing fields): after this many runs of the ERP stage meet one, the PO is held for a
     * person instead of tried again. An ERP that is down (no answer, a 5xx) is waited out for ever.
     */
    erpAnswerAttempts: z.number().int().min(1).max(1000).default(5),
    /** The partner's item numbers (BP, or CB when a line has no BP) → our SKUs, for items the ERP does not know by their number. */
    crossReference: z.record(z.string(), z.string()).default({}),
    /** Send the 856 and 810 as soon as the ERP has the shipment, without waiting for its event. */
    autoShip: z.boolean().default(false),
    /**
     * An inbound 856 or 810 that does not match its PO (shipped over what was ordered; billed
     * over what was ordered, acknowledged or shipped, or at another price): hold it for a person,
     * nothing handed to the ERP, or hand it over all the same with the mismatches noted.
     */
    onInboundMismatch: z.enum(['hold', 'accept']).default('hold'),
    /** The partner's own ERP connection (an http-json or http-xml configuration), instead of the global one. */
    erp: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type PartnerRules = z.output<typeof PartnerRules>;

export function partnerRules(rules: unknown): PartnerRules {
  const r = PartnerRules.safeParse(rules ?? {});
  if (!r.success)
    throw new DomainError(
      'misconfigured',
      `partner rules: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}
