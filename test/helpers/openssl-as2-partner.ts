import { createServer, type IncomingMessage, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openssl, asHttp, type Party } from './as2-certs';

export interface Received {
  headers: Record<string, string>;
  /** The EDI, as OpenSSL took it out. */
  payload: Buffer;
  /** base64 SHA-256 OpenSSL computed over the signed part: the MIC its receipt returns. */
  mic: string;
}

/**
 * A trading partner's AS2 server made of OpenSSL: it decrypts and verifies what we send with
 * `openssl cms`, digests the signed part with `openssl dgst`, and answers with a receipt it signs
 * with `openssl cms -sign`. Nothing of libs/as2 is used to read or answer.
 */
export class OpensslAs2Partner {
  readonly received: Received[] = [];
  /** What the next answers say. */
  answer: 'processed' | 'error' | 'wrong-mic' | 'http-500' = 'processed';
  private server?: Server;
  private n = 0;
  url = '';

  constructor(
    private readonly dir: string,
    private readonly me: Party,
    private readonly sender: Party,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        (a) => res.writeHead(a.status, a.headers).end(a.body),
        (e: Error) => res.writeHead(400, { 'content-type': 'text/plain' }).end(e.message),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/as2`;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private file(bytes: Buffer): string {
    const p = join(this.dir, `partner-${this.n++}`);
    writeFileSync(p, bytes);
    return p;
  }

  private async handle(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const body = /base64/i.test(headers['content-transfer-encoding'] ?? '')
      ? Buffer.from(raw.toString(), 'base64')
      : raw;
    if (this.answer === 'http-500') return { status: 500, headers: {}, body: 'down for maintenance' };
    // decrypt (DER EnvelopedData), then verify the multipart/signed that comes out
    const signed = openssl([
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      this.file(body),
      '-recip',
      this.me.certFile,
      '-inkey',
      this.me.keyFile,
    ]);
    const signedPart = openssl([
      'cms',
      '-verify',
      '-in',
      this.file(signed),
      '-CAfile',
      this.sender.certFile,
      '-purpose',
      'any',
    ]);
    const mic = openssl(['dgst', '-sha256', '-binary', this.file(signedPart)]).toString('base64');
    const split = signedPart.indexOf('\r\n\r\n');
    const base64 = /content-transfer-encoding:\s*base64/i.test(signedPart.subarray(0, split).toString());
    const content = signedPart.subarray(split + 4);
    const payload = base64 ? Buffer.from(content.toString(), 'base64') : content;
    this.received.push({ headers, payload, mic });
    const originalId = headers['message-id'] ?? '';
    const disposition = this.answer === 'error' ? 'processed/error: decryption-failed' : 'processed';
    const boundary = `report-${this.n}`;
    const report = [
      `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'Receipt from the OpenSSL partner.',
      `--${boundary}`,
      'Content-Type: message/disposition-notification',
      '',
      'Reporting-UA: openssl-partner',
      `Final-Recipient: rfc822; ${headers['as2-to']}`,
      `Original-Message-ID: ${originalId}`,
      `Received-Content-MIC: ${this.answer === 'wrong-mic' ? 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' : mic}, sha-256`,
      `Disposition: automatic-action/MDN-sent-automatically; ${disposition}`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const smime = openssl([
      'cms',
      '-sign',
      '-in',
      this.file(Buffer.from(report)),
      '-signer',
      this.me.certFile,
      '-inkey',
      this.me.keyFile,
      '-md',
      'sha256',
      '-crlfeol',
    ]);
    const mdn = asHttp(smime);
    return {
      status: 200,
      headers: {
        ...mdn.headers,
        'as2-from': headers['as2-to'] ?? '',
        'as2-to': headers['as2-from'] ?? '',
        'message-id': `<mdn-${this.n}@openssl-partner>`,
      },
      body: mdn.body,
    };
  }
}
