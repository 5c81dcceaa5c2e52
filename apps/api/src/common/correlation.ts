import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const CORRELATION_HEADER = 'X-Correlation-Id';

/** What a caller may give as its own id: short, printable, nothing that could break a log line or a header. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

const current = new AsyncLocalStorage<{ correlationId: string }>();

/** The id of the request being served, wherever in its async work we are; undefined outside one. */
export function correlationId(): string | undefined {
  return current.getStore()?.correlationId;
}

/**
 * First middleware of the app: every request gets an id, the caller's own X-Correlation-Id when it
 * is well formed (so a partner can match our logs to theirs), else a new one. It is in the response
 * header, the error body, and every log line written while serving the request.
 */
export function correlate(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const id = given !== undefined && WELL_FORMED.test(given) ? given : randomUUID();
  res.setHeader(CORRELATION_HEADER, id);
  current.run({ correlationId: id }, next);
}

/**
 * Again after the body parsers: they call on from the socket's data events, which run in the
 * connection's async context, not the request's, so the id would be lost for the controllers.
 */
export function keepCorrelation(_req: Request, res: Response, next: NextFunction): void {
  const id = correlationOf(res);
  if (id === undefined || correlationId() === id) return next();
  current.run({ correlationId: id }, next);
}

/** The id given to this response by correlate(), wherever the async context has gone. */
export function correlationOf(res: Response): string | undefined {
  const id = res.getHeader(CORRELATION_HEADER);
  return typeof id === 'string' ? id : undefined;
}

/** Nest's JSON logger, with the request's correlation id in each line written while serving one. */
export class CorrelatedLogger extends ConsoleLogger {
  protected override getJsonLogObject(
    message: unknown,
    options: {
      context: string;
      logLevel: LogLevel;
      writeStreamType?: 'stdout' | 'stderr';
      errorStack?: unknown;
    },
  ) {
    const line = super.getJsonLogObject(message, options);
    const id = correlationId();
    return id === undefined ? line : { ...line, correlationId: id };
  }
}
