import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { OutboundRefused, type OutboundPolicy } from './outbound-policy';

export interface GuardedFetchOptions {
  /** The whole request (connect, send, the answer's last byte), unless init.signal ends it sooner. */
  timeoutMs?: number;
  /** An answer longer than this is cut off and the call fails: nobody's webhook needs to send us megabytes. */
  maxResponseBytes?: number;
  /**
   * Connections kept open between requests to the same host and port (default true): the ERP
   * stage makes a few requests per PO, and a new TCP (and TLS) connection for each cost more than
   * the request. False opens a fresh socket for every request.
   */
  keepAlive?: boolean;
}

/** An idle kept connection is closed after this long (before the usual 5 s of a server's own timeout). */
const IDLE_MS = 4_000;

/**
 * fetch's own init, so this stands in for fetch. Honoured: method, headers, a body of string,
 * bytes or URLSearchParams, signal, and redirect ('error' throws on a 3xx as fetch does; otherwise
 * the 3xx is returned). A redirect is never followed; a stream, Blob or FormData body is refused.
 */
export type GuardedInit = RequestInit;

export type GuardedFetch = (url: string | URL, init?: GuardedInit) => Promise<Response>;

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * fetch with the outbound policy applied where it counts: node:http with the policy's lookup,
 * so the address is checked as the socket connects (no DNS rebinding between a check and the
 * call). No redirect is followed, no proxy is used, one timeout covers the whole request and the
 * answer is capped. Returns a standard Response, so it stands in for the global fetch.
 */
export function guardedFetch(policy: OutboundPolicy, options: GuardedFetchOptions = {}): GuardedFetch {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 1_048_576;
  // one pool per guarded fetch, so per policy: a kept socket was connected, and its address
  // checked, by this policy's lookup for the same host and port (the pool's key), and an
  // address checked once stays the address of that socket; no other policy's request reuses it
  const agents =
    options.keepAlive === false
      ? undefined
      : {
          http: new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
          https: new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
        };
  return async (input, init = {}) => {
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefused(`${url.protocol} URLs are not called: only http and https`, url.hostname);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    // node connects to an IP literal without calling lookup: its check is here
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal)) {
      const why = policy.refusal(literal, port, literal);
      if (why) throw new OutboundRefused(why, literal);
    }
    const agent = agents && (url.protocol === 'https:' ? agents.https : agents.http);
    const res = await send(url, port, init, policy, { timeoutMs, maxBytes }, agent);
    if (init.redirect === 'error' && res.status >= 300 && res.status < 400)
      throw new TypeError(`${url.origin} answered ${res.status} (a redirect): not followed`);
    return res;
  };
}

function send(
  url: URL,
  port: number,
  init: GuardedInit,
  policy: OutboundPolicy,
  limits: { timeoutMs: number; maxBytes: number },
  agent: http.Agent | undefined,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const body = bodyBytes(init.body);
    const headers = headerRecord(init.headers);
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['content-length'] = String(body.length);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: init.method ?? 'GET',
      headers,
      lookup: policy.lookupFor(port),
      agent: agent ?? false,
    });
    const fail = (e: Error) => {
      cleanup();
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(named('TimeoutError', `no complete answer within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    const onAbort = () => fail((init.signal?.reason as Error | undefined) ?? named('AbortError', 'aborted'));
    const cleanup = () => {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
    };
    if (init.signal?.aborted) return onAbort();
    init.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      readCapped(res, limits.maxBytes).then((bytes) => {
        cleanup();
        resolve(toResponse(res, bytes));
      }, fail);
    });
    req.end(body);
  });
}

/** The answer's bytes, refusing (and closing) one longer than the cap. */
function readCapped(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(new Error(`the answer is larger than ${maxBytes} bytes: cut off`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

function toResponse(res: IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
    headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 0;
  // Response takes 200-599 only; a 1xx final answer or a nonsense code is the server's fault
  if (status < 200 || status > 599) throw new Error(`the server answered with status ${status}`);
  return new Response(NULL_BODY.has(status) ? null : bytes, {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

/** Errors named as fetch names them, so callers that tell a timeout apart keep doing so. */
function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function bodyBytes(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(
    'guardedFetch sends a string, bytes or URLSearchParams body, not a stream, Blob or FormData',
  );
}

function headerRecord(h: RequestInit['headers']): Record<string, string> {
  return h ? Object.fromEntries(new Headers(h)) : {};
}
