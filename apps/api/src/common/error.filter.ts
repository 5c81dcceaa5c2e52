import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DomainError, type ErrorCode } from '@edi/contracts';
import { X12_FATAL_CODES, type X12FatalCode } from '@edi/x12';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { correlationOf } from './correlation';

/**
 * The one place that knows which HTTP status each domain error code is: every code of
 * ERROR_CODES, and the library codes that can reach a request. A library code not listed here
 * (an ERP, SFTP or AS2 failure: those happen in the stages, not in a request) is answered like
 * anything unforeseen, a 500 without its message, and logged.
 */
export const HTTP_STATUS = {
  invalid_input: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  body_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  disabled: HttpStatus.NOT_FOUND,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  misconfigured: HttpStatus.INTERNAL_SERVER_ERROR,
  // X12 that cannot be read at all (a body read as it streams in): the sender's to fix
  ...(Object.fromEntries(X12_FATAL_CODES.map((c) => [c, HttpStatus.BAD_REQUEST])) as Record<
    X12FatalCode,
    number
  >),
  // our own maps or standard files are wrong: ours to fix, said so
  map_invalid: HttpStatus.INTERNAL_SERVER_ERROR,
} as const satisfies Readonly<Record<ErrorCode, number> & Partial<Record<string, number>>>;

/** The status of a domain error's code; undefined for a code that is not expected at HTTP. */
export function statusOf(code: string): number | undefined {
  return Object.hasOwn(HTTP_STATUS, code) ? HTTP_STATUS[code as keyof typeof HTTP_STATUS] : undefined;
}

/** Nest's and Express's own errors (guards, body-parser) say a status; their code follows from it. */
const CODE_OF_STATUS = new Map<number, ErrorCode>([
  [HttpStatus.BAD_REQUEST, 'invalid_input'],
  [HttpStatus.UNAUTHORIZED, 'unauthenticated'],
  [HttpStatus.FORBIDDEN, 'forbidden'],
  [HttpStatus.NOT_FOUND, 'not_found'],
  [HttpStatus.CONFLICT, 'conflict'],
  [HttpStatus.UNPROCESSABLE_ENTITY, 'unprocessable'],
  // body-parser's own limit and limitedBody's PayloadTooLargeException alike
  [HttpStatus.PAYLOAD_TOO_LARGE, 'body_too_large'],
  [HttpStatus.TOO_MANY_REQUESTS, 'rate_limited'],
  [HttpStatus.SERVICE_UNAVAILABLE, 'unavailable'],
]);

export interface ErrorBody {
  statusCode: number;
  /** Machine-readable; absent for what we did not foresee at all (a 500). */
  code?: string;
  message: string;
  problems?: unknown;
  correlationId: string;
}

/**
 * One error body everywhere: status, code, message, where the input went wrong when known, and
 * the request's correlation id, which is also in its X-Correlation-Id header and log lines.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    // answered already (a 408 for a body too slow, whose parser then fails on the closed socket)
    if (res.headersSent) return;
    // from the response: a body parser's error arrives outside the request's async context
    const id = correlationOf(res) ?? randomUUID();
    const body = errorBody(e, id);
    if (body.statusCode >= 500)
      this.log.error({ correlationId: id, path: req.path, error: (e as Error)?.stack ?? String(e) });
    if (e instanceof DomainError && e.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(e.retryAfterSeconds));
    res.status(body.statusCode).json(body);
  }
}

export function errorBody(e: unknown, correlationId: string): ErrorBody {
  if (e instanceof DomainError) {
    const { code, message, problems } = e as DomainError<string>;
    const statusCode = statusOf(code);
    if (statusCode === undefined)
      return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code, message: 'internal error', correlationId };
    return { statusCode, code, message, ...(problems ? { problems } : {}), correlationId };
  }
  // body-parser's own errors (413 too large, 400 bad JSON) carry a status too
  const statusCode =
    e instanceof HttpException
      ? e.getStatus()
      : ((e as { status?: number }).status ?? HttpStatus.INTERNAL_SERVER_ERROR);
  const message =
    e instanceof HttpException ? messageOf(e) : statusCode < 500 ? (e as Error).message : 'internal error';
  const code = CODE_OF_STATUS.get(statusCode);
  const problems =
    e instanceof HttpException ? (e.getResponse() as { problems?: unknown }).problems : undefined;
  return { statusCode, ...(code ? { code } : {}), message, ...(problems ? { problems } : {}), correlationId };
}

function messageOf(e: HttpException): string {
  const r = e.getResponse();
  if (typeof r === 'string') return r;
  const m = (r as { message?: unknown }).message;
  return Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : e.message;
}
