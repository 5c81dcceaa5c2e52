import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A staff member's browser, as far as the API can tell: the session cookie and the CSRF token. */
export class StaffClient {
  cookie = '';
  csrf = '';

  constructor(private readonly url: string) {}

  async signIn(username: string, password: string): Promise<Response> {
    const r = await fetch(`${this.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const set = r.headers.get('set-cookie');
    if (r.ok && set) {
      this.cookie = set.split(';')[0]!;
      this.csrf = ((await r.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return r;
  }

  call(method: string, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && options.csrf !== false) headers['x-csrf-token'] = this.csrf;
    return fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call(method, path, body);
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Our own 850 (fixtures/x12/service): the envelope and lines of a partner's PO, written for these suites. */
export const CORPUS_850 = join(__dirname, '../../fixtures/x12/service/partner-850-004010.x12');

/**
 * A partner's 850 (from 08/AAAAAAAAAA to ZZ/test22222) as the partner's system might get
 * it wrong: the first PO1 quantity written as a word. `isa13` (also the GS06) and `po` make each copy a new file.
 */
export function damagedCorpus850(isa13: number, po: string): { bad: string; good: string } {
  const good = readFileSync(CORPUS_850, 'latin1')
    .replace('*112240001*', `*${String(isa13).padStart(9, '0')}*`)
    .replace('IEA*1*112240001', `IEA*1*${String(isa13).padStart(9, '0')}`)
    .replace('*1220*123456789*X*', `*1220*${isa13}*X*`)
    .replace('GE*1*123456789', `GE*1*${isa13}`)
    .replace('BEG*00*SA*91393058*', `BEG*00*SA*${po}*`);
  return { good, bad: good.replace('PO1**6*EA*12**CB*17920108', 'PO1**SIX*EA*12**CB*17920108') };
}

/** The corpus 850's partner, with the ERP's demo customer and its catalog numbers cross-referenced. */
export const CORPUS_PARTNER = {
  name: 'Peps Ridgefield',
  isaQualifier: '08',
  isaId: 'AAAAAAAAAA',
  ourIsaQualifier: 'ZZ',
  ourIsaId: 'test22222',
  erpCustomerId: 'C-TEST',
  rules: {
    onPriceMismatch: 'accept',
    crossReference: Object.fromEntries(
      ['17920108', '17920207', '17930107', '17930206', '17940106', '17940205', '17950105', '17950204'].map(
        (cb) => [cb, 'WID-BLUE'],
      ),
    ),
  },
};
