import { ErpError } from './port';

/** 5 MB: far more than any stock, price or order answer of a real PO needs. */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** fetch's shape: the global fetch, or one that checks where it connects (the outbound policy). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface SendLimits {
  /** The whole answer, headers and body, must be in within this long. */
  timeoutMs: number;
  /** An answer longer than this is cut off and refused, never read to its end. */
  maxBytes: number;
}

export interface ErpAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * The one way the ERP adapters talk HTTP: every call (operations and the OAuth2 token) goes
 * through here, so a guard on where a request may connect belongs here and nowhere else.
 *
 * One timer covers the whole exchange: an ERP that sends its headers at once and then dribbles
 * the body would otherwise hold a worker for as long as it likes. The body is read chunk by
 * chunk and the connection dropped as soon as it passes the cap, so a runaway answer costs at
 * most the cap in memory, not its own size (a 25 MB answer once took the server to 1.9 GB).
 * `what` names the call in errors ("ERP availability").
 */
export async function send(
  what: string,
  url: string,
  init: RequestInit,
  limits: SendLimits,
  transport: FetchLike = fetch,
): Promise<ErpAnswer> {
  const abort = new AbortController();
  let timedOut = false;
  let read = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, limits.timeoutMs);
  try {
    // a redirect could lead past the allowed hosts
    const res = await transport(url, { ...init, redirect: 'error', signal: abort.signal });
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > limits.maxBytes) {
      abort.abort();
      throw tooBig(what, limits.maxBytes, res.status);
    }
    const body = await readCapped(res, limits.maxBytes, () => tooBig(what, limits.maxBytes, res.status));
    read = true;
    return { status: res.status, headers: res.headers, body };
  } catch (e) {
    if (e instanceof ErpError) throw e;
    // the outbound policy refused the address: waiting will not change that, a person must
    if ((e as { code?: string }).code === 'OUTBOUND_REFUSED')
      throw new ErpError(`${what}: ${(e as Error).message}`, undefined, 'refused');
    if (timedOut)
      throw new ErpError(`${what}: no complete answer within ${limits.timeoutMs} ms`, undefined, 'answer');
    // refused, reset, DNS: the ERP is not there, which is worth waiting out
    throw new ErpError(`${what}: ${causeOf(e)}`);
  } finally {
    clearTimeout(timer);
    // frees the socket of an answer we stopped reading; one read to its end is free already, and
    // an abort costs a DOMException with its stack (1% of the embedded flow's CPU)
    if (!read) abort.abort();
  }
}

async function readCapped(res: Response, maxBytes: number, over: () => ErpError): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw over();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function tooBig(what: string, maxBytes: number, status: number): ErpError {
  return new ErpError(
    `${what}: the answer is over ${maxBytes} bytes (EDI_ERP_MAX_RESPONSE_BYTES)`,
    status,
    'answer',
  );
}

/** fetch says "fetch failed" and hides the reason (ECONNREFUSED…) in its cause. */
function causeOf(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : err.message;
}
