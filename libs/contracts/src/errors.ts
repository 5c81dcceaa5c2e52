/**
 * What went wrong, as a code a program can act on. Libraries throw a DomainError subclass for
 * every condition they know; only the API's exception filter knows which HTTP status each code
 * is (a table there), so a library never speaks HTTP and a controller never translates by hand.
 *
 * These are the codes any part may use. A library's own error class adds codes of its own
 * (X12Error's ISA_TRUNCATED…, ErpError's erp_unavailable…, As2Error's MDN words), listed beside
 * the class; the table gives each one that can reach HTTP its status. This file imports nothing,
 * so libs/x12 and libs/as2, which depend on nothing else of ours, can extend DomainError.
 */
export const ERROR_CODES = [
  /** The input is not acceptable as it is; `problems` says where. */
  'invalid_input',
  /** A thing asked for by id does not exist (or belongs to someone else: we never say which). */
  'not_found',
  /** The request contradicts what is stored (a duplicate, a state that moved on). */
  'conflict',
  /** The request is well formed but cannot be carried out as it stands (a resubmission that would still fail). */
  'unprocessable',
  /** Who is asking is not known: no or wrong credentials. */
  'unauthenticated',
  /** Known, but not allowed to. */
  'forbidden',
  /** The request's body is over the limit (EDI_BODY_LIMIT, or the partner's maxBodyBytes). */
  'body_too_large',
  /** Too many tries: wait (`retryAfterSeconds`). */
  'rate_limited',
  /** A feature switched off by the configuration. */
  'disabled',
  /** Something we depend on (database, Redis, ERP) does not answer. */
  'unavailable',
  /** This process is not set up for what was asked (a setting or a partner's settings missing). */
  'misconfigured',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DomainErrorOptions {
  problems?: readonly unknown[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** `C`: the codes of a subclass; a plain DomainError carries one of ERROR_CODES. */
export class DomainError<C extends string = ErrorCode> extends Error {
  readonly problems?: readonly unknown[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: C,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.problems) this.problems = options.problems;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class InvalidInputError extends DomainError {
  constructor(message: string, problems?: readonly unknown[]) {
    super('invalid_input', message, { problems });
  }
}
