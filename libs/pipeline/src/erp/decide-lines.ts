import type { ErpAdapter, ErpProduct, ErpProductQuery } from '@edi/erp';
import type { PartnerRules } from './rules';

/** ACK01 codes we answer with. */
export type LineStatus = 'IA' | 'IB' | 'IP' | 'IR';

export interface PoLine {
  lineNumber?: string;
  quantity?: number;
  unitOfMeasure?: string;
  unitPrice?: number;
  buyerPartNumber?: string;
  /** PO1 CB: many retailers send their catalog number instead of a BP part number. */
  buyerCatalogNumber?: string;
  vendorPartNumber?: string;
  upc?: string;
  [k: string]: unknown;
}

export interface LineDecision {
  line: PoLine;
  sku?: string;
  product?: ErpProduct;
  /** What we charge per unit. */
  price: number;
  shipNow: number;
  backorder: number;
  acks: Array<{ status: LineStatus; quantity: number }>;
  /** Why, in words, for the audit trail and the console. */
  reason: string;
  /** A price no one should order at (onBadPrice: hold): the PO waits for a person, nothing is ordered. */
  hold?: string;
}

/** Each line: which SKU, how many now, how many later, at what price, and the ACK codes that say so. */
export async function decideLines(
  erp: ErpAdapter,
  customerId: string,
  rules: PartnerRules,
  lines: PoLine[],
): Promise<LineDecision[]> {
  // the whole PO in one call: product, stock and price of every line (one round trip where the ERP offers it)
  const quotes = await erp.quote({
    customerId,
    lines: lines.map((l) => ({ tries: productTries(rules, l) })),
    warehouses: rules.warehouses,
  });
  const products = quotes.map((q) => q.product);
  // stock is shared by the lines of one PO that order the same SKU: counted once per SKU
  const left = new Map<string, number>();
  const contract = new Map<string, number>();
  for (const q of quotes) {
    if (!q.product || left.has(q.product.sku)) continue;
    // an oversold item (negative stock) has none to give, and takes none from another warehouse
    left.set(
      q.product.sku,
      q.stock.reduce((n, s) => n + Math.max(0, s.available), 0),
    );
    if (q.price !== undefined) contract.set(q.product.sku, q.price);
  }

  return lines.map((line, k) => {
    const qty = Number(line.quantity ?? 0);
    const product = products[k];
    const asked = typeof line.unitPrice === 'number' ? line.unitPrice : undefined;
    if (!product)
      return {
        line,
        price: asked ?? 0,
        shipNow: 0,
        backorder: 0,
        acks: [{ status: 'IR', quantity: qty }],
        reason: 'unknown item',
      };
    const ours = contract.get(product.sku);
    const reject = (why: string): LineDecision => ({
      line,
      sku: product.sku,
      product,
      price: asked ?? ours ?? 0,
      shipNow: 0,
      backorder: 0,
      acks: [{ status: 'IR', quantity: qty }],
      reason: why,
    });
    // no contract price for the item: we do not sell at whatever the PO says unless the rules say so
    if (ours === undefined && (rules.onNoContractPrice === 'reject' || asked === undefined))
      return reject(`no contract price for ${product.sku}`);
    const bad = badPrice(product.sku, ours, asked, rules);
    if (bad) return rules.onBadPrice === 'reject' ? reject(bad) : { ...reject(bad), hold: bad };
    let price = asked ?? ours ?? 0;
    let accepted: LineStatus = 'IA';
    let reason =
      ours === undefined
        ? `no contract price; their price ${asked} accepted`
        : 'in stock at the contract price';
    if (ours !== undefined && asked !== undefined && Math.abs(asked - ours) > rules.priceTolerance * ours) {
      if (rules.onPriceMismatch === 'reject')
        return reject(`price ${asked} is not the contract price ${ours}`);
      if (rules.onPriceMismatch === 'change') {
        price = ours;
        accepted = 'IP';
        reason = `price changed from ${asked} to the contract price ${ours}`;
      } else reason = `their price ${asked} accepted (contract ${ours})`;
    }
    const available = left.get(product.sku) ?? 0;
    const shipNow = Math.min(qty, available);
    if (shipNow < qty && rules.onShortStock === 'reject')
      return reject(`only ${available} in stock of ${qty}`);
    // only a line that is taken uses up stock: a rejected one leaves it for the next
    left.set(product.sku, available - shipNow);
    if (shipNow === qty)
      return {
        line,
        sku: product.sku,
        product,
        price,
        shipNow,
        backorder: 0,
        acks: [{ status: accepted, quantity: qty }],
        reason,
      };
    const acks: LineDecision['acks'] = [];
    if (shipNow > 0) acks.push({ status: accepted, quantity: shipNow });
    acks.push({ status: 'IB', quantity: qty - shipNow });
    return {
      line,
      sku: product.sku,
      product,
      price,
      shipNow,
      backorder: qty - shipNow,
      acks,
      reason: `${shipNow} of ${qty} in stock, ${qty - shipNow} back-ordered; ${reason}`,
    };
  });
}

/**
 * Why a line's price cannot be right, or undefined. A contract price of -5 once became a sales
 * order and an 855 line at -5: a price of 0 or less, or one far off the other side's, is a
 * mistake in the ERP or the PO, never a price to order at.
 */
function badPrice(
  sku: string,
  ours: number | undefined,
  asked: number | undefined,
  rules: PartnerRules,
): string | undefined {
  if (ours !== undefined && !(ours > 0))
    return `the contract price of ${sku} is ${ours}, not a price to sell at`;
  // theirs is the price when there is no contract price, or the rules take theirs
  const theirsTaken = ours === undefined || rules.onPriceMismatch === 'accept';
  if (theirsTaken && asked !== undefined && !(asked > 0))
    return `the PO's price of ${sku} is ${asked}, not a price to sell at`;
  if (ours === undefined || asked === undefined || !(asked > 0)) return undefined;
  const ratio = Math.max(ours / asked, asked / ours);
  return ratio > rules.maxPriceRatio
    ? `the contract price of ${sku} (${ours}) and the PO's (${asked}) are ${Math.round(ratio * 10) / 10} times apart, more than maxPriceRatio ${rules.maxPriceRatio}`
    : undefined;
}

/**
 * Our SKU for a PO line: the partner's cross-reference (of its BP part number, or its CB catalog
 * number when it sends no BP), then the ERP by vendor part, UPC, and the buyer's number as a SKU.
 */
function productTries(rules: PartnerRules, line: PoLine): ErpProductQuery[] {
  const buyer = line.buyerPartNumber ?? line.buyerCatalogNumber;
  const xref = buyer ? rules.crossReference[buyer] : undefined;
  const tries: ErpProductQuery[] = [];
  if (xref) tries.push({ sku: xref });
  if (line.vendorPartNumber) tries.push({ vendorPart: line.vendorPartNumber });
  if (line.upc) tries.push({ upc: line.upc });
  if (buyer) tries.push({ sku: buyer });
  return tries;
}
