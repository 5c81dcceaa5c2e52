import { DIRECTIONS, DomainError, TRANSACTION_STATUSES } from '@edi/contracts';
import type { PageCursor } from '@edi/persistence';
import { z } from 'zod';

export const Id = z.string().uuid();

/** A day (the whole day) or an instant. */
const When = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.string().datetime({ offset: true })]);

/** One status, or several separated by commas (rejected,failed,held: everything waiting for a person). */
const Statuses = z
  .string()
  .transform((v) => v.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(TRANSACTION_STATUSES)).min(1));

export const Filter = z.object({
  status: Statuses.optional(),
  partner: Id.optional(),
  set: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  direction: z.enum(DIRECTIONS).optional(),
  po: z.string().max(30).optional(),
  q: z.string().trim().max(64).optional(),
  from: When.optional(),
  to: When.optional(),
});

export const ListQuery = Filter.extend({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const Edit = z
  .object({
    x12: z.string().min(1).max(5_000_000).optional(),
    document: z.record(z.string(), z.unknown()).optional(),
    note: z.string().max(2000).optional(),
  })
  .refine(
    (e) => (e.x12 === undefined) !== (e.document === undefined),
    'send exactly one of x12 and document',
  );

/** A page cursor is opaque to the client: base64url of [created_at as stored, id]. */
export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PageCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(String(v[1]))
    )
      return { at: v[0], id: String(v[1]) };
  } catch {
    // falls through to the refusal below
  }
  throw new DomainError('unprocessable', 'cursor is not one this API gave out');
}
