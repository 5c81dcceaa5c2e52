import { z } from 'zod';

/** BEG03 is AN 1-22; the column holds 30. */
export const PoNumber = z.string().min(1).max(30);

const key = z.string().min(1).max(80).optional();

/** A search by business keys: at least one. */
export const ThreadQuery = z
  .object({ po: PoNumber.optional(), invoice: key, shipment: key, sscc: key, erpOrder: key })
  .refine((q) => Object.values(q).some((v) => v !== undefined), {
    message: 'give at least one of po, invoice, shipment, sscc, erpOrder',
  });

export const ConsoleThreadQuery = z
  .object({
    partnerId: z.string().uuid().optional(),
    po: PoNumber.optional(),
    invoice: key,
    shipment: key,
    sscc: key,
    erpOrder: key,
  })
  .refine((q) => [q.po, q.invoice, q.shipment, q.sscc, q.erpOrder].some((v) => v !== undefined), {
    message: 'give at least one of po, invoice, shipment, sscc, erpOrder',
  });

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const Id = z.string().uuid();
