import { InvalidInputError } from '@edi/contracts';
import type { z } from 'zod';

/** Parses input with a zod schema; a mismatch is an invalid_input error (a 400) naming each field. */
export function parseInput<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new InvalidInputError(
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return r.data;
}
