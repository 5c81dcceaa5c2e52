import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

/** One error body everywhere: status, message, and a correlation id that is also in the log line. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    // answered already (a 408 for a body too slow, whose parser then fails on the closed socket)
    if (res.headersSent) return;
    const correlationId = randomUUID();
    // body-parser's own errors (413 too large, 400 bad JSON) carry a status too
    const status =
      e instanceof HttpException
        ? e.getStatus()
        : ((e as { status?: number }).status ?? HttpStatus.INTERNAL_SERVER_ERROR);
    const message =
      e instanceof HttpException ? messageOf(e) : status < 500 ? (e as Error).message : 'internal error';
    if (status >= 500)
      this.log.error({ correlationId, path: req.path, error: (e as Error)?.stack ?? String(e) });
    // where the input went wrong, field by field or segment by segment, when the error says
    const problems =
      e instanceof HttpException ? (e.getResponse() as { problems?: unknown }).problems : undefined;
    res
      .status(status)
      .json({ statusCode: status, message, ...(problems ? { problems } : {}), correlationId });
  }
}

function messageOf(e: HttpException): string {
  const r = e.getResponse();
  if (typeof r === 'string') return r;
  const m = (r as { message?: unknown }).message;
  return Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : e.message;
}
