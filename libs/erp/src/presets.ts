import type { HttpErpConfig } from './http-adapter';

/**
 * apps/erp-sandbox as the http-json adapter sees it. This is also the worked example of mapping an
 * ERP whose field names are its own (itemNo, qtyAvailable, orderNo…) onto ours with JSONata.
 */
export function sandboxJsonConfig(baseUrl: string, apiKey?: string): HttpErpConfig {
  return {
    adapter: 'http-json',
    baseUrl,
    ...(apiKey ? { auth: { type: 'header' as const, name: 'x-erp-key', value: apiKey } } : {}),
    endpoints: {
      findProducts: {
        path: '/api/items?itemNo={sku}&upc={upc}&vendorItemNo={vendorPart}',
        response:
          'items.{ "sku": itemNo, "description": description, "upc": upc, "vendorPart": vendorItemNo, "unitOfMeasure": uom }',
      },
      availability: {
        path: '/api/stock?items={skus}&locations={warehouses}',
        response: 'stock.{ "sku": itemNo, "warehouse": location, "available": qtyAvailable }',
      },
      contractPrices: {
        path: '/api/customers/{customerId}/prices?items={skus}',
        response: 'prices.{ "sku": itemNo, "price": contractPrice }',
      },
      createSalesOrder: {
        method: 'POST',
        path: '/api/sales-orders',
        body: '{ "customerNo": customerId, "externalReference": externalRef, "customerPo": poNumber, "lines": [lines.{ "lineNo": lineNumber, "itemNo": sku, "qty": quantity, "qtyBackordered": backordered, "price": unitPrice, "uom": unitOfMeasure }] }',
        response: '{ "id": orderNo, "created": created }',
      },
      // several POs in one request each: the lines' items, stock and prices, then the orders
      quote: {
        method: 'POST',
        path: '/api/quotes',
        body: '{ "requests": [requests.{ "customerNo": customerId, "locations": [warehouses], "lines": [lines.{ "tries": [tries.{ "itemNo": sku, "upc": upc, "vendorItemNo": vendorPart }] }] }] }',
        response:
          'quotes.( error ? { "error": { "status": error.status, "message": error.message } } : { "lines": [lines.{ "product": item ? { "sku": item.itemNo, "description": item.description, "upc": item.upc, "vendorPart": item.vendorItemNo, "unitOfMeasure": item.uom }, "stock": [stock.{ "sku": itemNo, "warehouse": location, "available": qtyAvailable }], "price": contractPrice }] } )',
      },
      createSalesOrders: {
        method: 'POST',
        path: '/api/sales-orders/batch',
        body: '{ "orders": [orders.{ "customerNo": customerId, "externalReference": externalRef, "customerPo": poNumber, "lines": [lines.{ "lineNo": lineNumber, "itemNo": sku, "qty": quantity, "qtyBackordered": backordered, "price": unitPrice, "uom": unitOfMeasure }] }] }',
        response:
          'orders.( error ? { "error": { "status": error.status, "message": error.message } } : { "id": orderNo, "created": created } )',
      },
      // a supplier's ship notice and invoice against one of our POs
      receiveShipment: {
        method: 'POST',
        path: '/api/goods-receipts',
        body: '{ "vendorNo": partnerRef, "externalReference": externalRef, "poNumber": poNumber, "asnNo": shipmentId, "shipDate": shippedAt, "lines": [lines.{ "lineNo": lineNumber, "itemNo": product, "qty": quantity, "uom": unitOfMeasure }], "ssccs": [ssccs] }',
        response: '{ "id": receiptNo, "created": created }',
      },
      receiveInvoice: {
        method: 'POST',
        path: '/api/ap-invoices',
        body: '{ "vendorNo": partnerRef, "externalReference": externalRef, "poNumber": poNumber, "vendorInvoiceNo": invoiceNumber, "invoiceDate": date, "lines": [lines.{ "lineNo": lineNumber, "itemNo": product, "qty": quantity, "price": unitPrice, "uom": unitOfMeasure }], "total": total }',
        response: '{ "id": apInvoiceNo, "created": created }',
      },
      shipments: {
        path: '/api/sales-orders/{orderId}/shipments',
        response:
          'shipments.{ "id": shipmentNo, "orderId": orderNo, "shippedAt": shipDate, "carrierScac": carrier.scac, "carrierName": carrier.name, "trackingNumber": trackingNo, "cartons": [cartons.{ "sscc": sscc, "weightLb": weightLb, "lines": [lines.{ "lineNumber": lineNo, "sku": itemNo, "quantity": qty, "unitOfMeasure": uom }] }] }',
      },
      invoices: {
        path: '/api/sales-orders/{orderId}/invoices',
        response:
          'invoices.{ "id": invoiceNo, "number": invoiceNo, "date": invoiceDate, "orderId": orderNo, "shipmentId": shipmentNo, "lines": [lines.{ "lineNumber": lineNo, "sku": itemNo, "quantity": qty, "unitOfMeasure": uom, "unitPrice": price }], "allowancesCharges": [charges.{ "indicator": type = "allowance" ? "A" : "C", "code": code, "amount": amount, "description": description }], "taxes": [taxes.{ "type": type, "amount": amount, "percent": rate }], "total": total, "netDays": termsNetDays }',
      },
    },
  };
}

/** The same sandbox through its XML API: the http-xml adapter, every value read as text and typed here. */
export function sandboxXmlConfig(baseUrl: string, apiKey?: string): HttpErpConfig {
  return {
    adapter: 'http-xml',
    baseUrl,
    xmlRoot: 'salesOrder',
    ...(apiKey ? { auth: { type: 'header' as const, name: 'x-erp-key', value: apiKey } } : {}),
    endpoints: {
      findProducts: {
        path: '/xml/items?itemNo={sku}&upc={upc}&vendorItemNo={vendorPart}',
        response:
          'items.item.{ "sku": itemNo, "description": description, "upc": upc, "vendorPart": vendorItemNo, "unitOfMeasure": uom }',
      },
      availability: {
        path: '/xml/stock?items={skus}&locations={warehouses}',
        response: 'stock.item.{ "sku": itemNo, "warehouse": location, "available": $number(qtyAvailable) }',
      },
      contractPrices: {
        path: '/xml/customers/{customerId}/prices?items={skus}',
        response: 'prices.item.{ "sku": itemNo, "price": $number(contractPrice) }',
      },
      createSalesOrder: {
        method: 'POST',
        path: '/xml/sales-orders',
        body: '{ "customerNo": customerId, "externalReference": externalRef, "customerPo": poNumber, "lines": { "line": [lines.{ "lineNo": lineNumber, "itemNo": sku, "qty": quantity, "qtyBackordered": backordered, "price": unitPrice, "uom": unitOfMeasure }] } }',
        response: '{ "id": order.orderNo, "created": order.created = "true" }',
      },
      receiveShipment: {
        method: 'POST',
        path: '/xml/goods-receipts',
        body: '{ "vendorNo": partnerRef, "externalReference": externalRef, "poNumber": poNumber, "asnNo": shipmentId, "shipDate": shippedAt, "lines": { "line": [lines.{ "lineNo": lineNumber, "itemNo": product, "qty": quantity, "uom": unitOfMeasure }] } }',
        response: '{ "id": receipt.receiptNo, "created": receipt.created = "true" }',
      },
      receiveInvoice: {
        method: 'POST',
        path: '/xml/ap-invoices',
        body: '{ "vendorNo": partnerRef, "externalReference": externalRef, "poNumber": poNumber, "vendorInvoiceNo": invoiceNumber, "invoiceDate": date, "lines": { "line": [lines.{ "lineNo": lineNumber, "itemNo": product, "qty": quantity, "price": unitPrice, "uom": unitOfMeasure }] }, "total": total }',
        response: '{ "id": apInvoice.apInvoiceNo, "created": apInvoice.created = "true" }',
      },
      shipments: {
        path: '/xml/sales-orders/{orderId}/shipments',
        response:
          'shipments.shipment.{ "id": shipmentNo, "orderId": orderNo, "shippedAt": shipDate, "carrierScac": carrier.scac, "carrierName": carrier.name, "trackingNumber": trackingNo, "cartons": [cartons.carton.{ "sscc": sscc, "weightLb": $number(weightLb), "lines": [lines.line.{ "lineNumber": lineNo, "sku": itemNo, "quantity": $number(qty), "unitOfMeasure": uom }] }] }',
      },
      invoices: {
        path: '/xml/sales-orders/{orderId}/invoices',
        response:
          'invoices.invoice.{ "id": invoiceNo, "number": invoiceNo, "date": invoiceDate, "orderId": orderNo, "shipmentId": shipmentNo, "lines": [lines.line.{ "lineNumber": lineNo, "sku": itemNo, "quantity": $number(qty), "unitOfMeasure": uom, "unitPrice": $number(price) }], "allowancesCharges": [charges.charge.{ "indicator": type = "allowance" ? "A" : "C", "code": code, "amount": $number(amount), "description": description }], "taxes": [taxes.tax.{ "type": type, "amount": $number(amount), "percent": $number(rate) }], "total": $number(total), "netDays": $number(termsNetDays) }',
      },
    },
  };
}
