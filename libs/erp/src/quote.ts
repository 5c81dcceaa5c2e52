import type { ErpAdapter, ErpLineQuote, ErpProduct, ErpQuoteRequest } from './port';

/**
 * A quote from the single operations, for an ERP without a quote endpoint: each line's tries in
 * turn (lines side by side), then the stock and prices of the items found, asked once each.
 */
export async function quoteByParts(
  erp: Pick<ErpAdapter, 'findProducts' | 'availability' | 'contractPrices'>,
  request: ErpQuoteRequest,
): Promise<ErpLineQuote[]> {
  const products = await Promise.all(request.lines.map((line) => firstFound(erp, line.tries)));
  const skus = [...new Set(products.flatMap((p) => (p ? [p.sku] : [])))];
  const [stock, prices] = skus.length
    ? await Promise.all([
        erp.availability(skus, request.warehouses),
        erp.contractPrices(request.customerId, skus),
      ])
    : [[], []];
  const price = new Map(prices.map((p) => [p.sku, p.price]));
  return products.map((product) =>
    product
      ? { product, stock: stock.filter((s) => s.sku === product.sku), price: price.get(product.sku) }
      : { stock: [] },
  );
}

async function firstFound(
  erp: Pick<ErpAdapter, 'findProducts'>,
  tries: ErpQuoteRequest['lines'][number]['tries'],
): Promise<ErpProduct | undefined> {
  for (const q of tries) {
    const [found] = await erp.findProducts(q);
    if (found) return found;
  }
  return undefined;
}
