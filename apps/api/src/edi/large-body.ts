import { PayloadTooLargeException } from '@nestjs/common';
import type { TradingPartner } from '@edi/persistence';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

type LargeBodyRequest = Request & { partner?: TradingPartner; streamedBodyLimit?: number };

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** '10mb', '512kb', '1048576' → bytes, as body-parser reads EDI_BODY_LIMIT. */
export function byteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!m) throw new Error(`not a size: ${text}`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

/**
 * The body of POST /v1/edi: read whole by `buffered` (the global limit, EDI_BODY_LIMIT) unless
 * the partner is allowed a larger one (maxBodyBytes) and this body may be larger than the global
 * limit (its Content-Length says so, or it has none). Such a body is left unread here and
 * streamed to storage by the controller (streamedLimit, limitedBody). Runs after the key is known.
 */
export function ediBody(globalLimit: number, buffered: RequestHandler): RequestHandler {
  return (req: LargeBodyRequest, res: Response, next: NextFunction) => {
    const allowed = req.partner?.maxBodyBytes ?? 0;
    const declared = req.headers['content-length'];
    if (allowed <= globalLimit || (declared !== undefined && Number(declared) <= globalLimit))
      return void buffered(req, res, next);
    req.streamedBodyLimit = allowed;
    next();
  };
}

/** The partner's limit when this request's body was left to be streamed (ediBody). */
export function streamedLimit(req: Request): number | undefined {
  return (req as LargeBodyRequest).streamedBodyLimit;
}

/**
 * The request body as it arrives, refused with 413 past `limit`: at once when Content-Length
 * says so (nothing read), else as soon as the count passes it (the connection is then closed
 * after the answer, the rest of the body unread).
 */
export async function* limitedBody(req: Request, limit: number): AsyncGenerator<Buffer> {
  const tooLarge = () =>
    new PayloadTooLargeException(`the body is larger than this partner's ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  let size = 0;
  // not destroyed when we stop early: the 413 still has to be written on its socket
  for await (const piece of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > limit) {
      req.res?.setHeader('connection', 'close');
      req.res?.once('finish', () => req.socket.destroy());
      throw tooLarge();
    }
    yield piece;
  }
}
