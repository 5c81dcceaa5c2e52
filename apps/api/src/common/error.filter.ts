import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DomainError, type ErrorCode } from '@edi/contracts';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { correlationOf } from './correlation';

/** The one place that knows which HTTP status each domain error code is. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_input: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  disabled: HttpStatus.NOT_FOUND,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Nest's and Express's own errors (guards, body-parser) say a status; their code follows from it. */
const CODE_OF_STATUS = new Map<number, ErrorCode>([
  [HttpStatus.BAD_REQUEST, 'invalid_input'],
  [HttpStatus.UNAUTHORIZED, 'unauthenticated'],
  [HttpStatus.FORBIDDEN, 'forbidden'],
  [HttpStatus.NOT_FOUND, 'not_found'],
  [HttpStatus.CONFLICT, 'conflict'],
  [HttpStatus.UNPROCESSABLE_ENTITY, 'unprocessable'],
  [HttpStatus.TOO_MANY_REQUESTS, 'rate_limited'],
  [HttpStatus.SERVICE_UNAVAILABLE, 'unavailable'],
]);

export interface ErrorBody {
  statusCode: number;
  /** Machine-readable; absent for what we did not foresee (a 500). */
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
    const statusCode = HTTP_STATUS[e.code];
    const problems = e.problems;
    return { statusCode, code: e.code, message: e.message, ...(problems ? { problems } : {}), correlationId };
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
