import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/**
 * A client that sends its body a byte at a time holds a connection (and a body parser) for as
 * long as it likes. Past `ms` from the request's arrival, a body not yet complete gets 408 and the
 * connection is closed (the body parser then fails on the closed request; the error filter sees
 * the answer already sent). Node's own requestTimeout is checked only every 30 s, so it is the
 * backstop (and the only guard while headers are still arriving); this timer is the precise one.
 */
export function bodyTimeout(ms: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // a GET, or a body that arrived with its headers, has nothing left to wait for
    if (req.complete) return next();
    const timer = setTimeout(() => timedOut(req, res, ms), ms);
    const stop = () => clearTimeout(timer);
    req.once('end', stop);
    res.once('finish', stop);
    res.once('close', stop);
    next();
  };
}

function timedOut(req: Request, res: Response, ms: number): void {
  if (req.complete || res.writableEnded) return;
  const close = (): void => void req.socket.destroy();
  if (res.headersSent) return close();
  const body = JSON.stringify({
    statusCode: 408,
    message: `the request body did not arrive within ${ms} ms`,
  });
  res.writeHead(408, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body, close);
}

/** Node's own limits: the whole request within `ms`, headers within it too (checked every 30 s). */
export function limitRequestTime(server: Server, ms: number): void {
  server.requestTimeout = ms;
  server.headersTimeout = Math.min(server.headersTimeout, ms);
}
