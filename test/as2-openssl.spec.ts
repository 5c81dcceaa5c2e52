import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  As2Error,
  buildEntity,
  buildMdn,
  composeMessage,
  openMessage,
  parseEntity,
  readMdn,
  type Cipher,
  type HashName,
} from '@edi/as2';
import { openssl, TestCertificates, type Party } from './helpers/as2-certs';

/**
 * libs/as2 against OpenSSL's own CMS code: OpenSSL builds what we open, and checks what we build.
 * (Debian's OpenSSL has no zlib, so compressed data is built with `openssl asn1parse -genconf` over
 * Python's zlib, and checked by reading its structure with `openssl asn1parse`.)
 */
const certs = new TestCertificates();
const us = certs.party('us');
const partner = certs.party('partner');
const stranger = certs.party('stranger');
const expired = certs.expired('old-partner');
const X12 = Buffer.from(
  'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*US             *251127*1200*U*00401*000000001*0*P*>~GS*PO*PARTNER*US*20251127*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO1**20251127~SE*3*0001~GE*1*1~IEA*1*000000001~',
);
const content = buildEntity([['Content-Type', 'application/edi-x12']], X12);

let n = 0;
function file(bytes: Buffer | string): string {
  const p = join(certs.dir, `f${n++}`);
  writeFileSync(p, bytes);
  return p;
}

const CIPHER_FLAGS: Record<Cipher, string> = {
  'aes128-cbc': '-aes128',
  'aes192-cbc': '-aes192',
  'aes256-cbc': '-aes256',
  'des-ede3-cbc': '-des3',
};
const MD: Record<HashName, string> = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

/** `openssl cms -sign`: an S/MIME multipart/signed entity (headers and body). */
function opensslSign(entity: Buffer, signer: Party, hash: HashName): Buffer {
  return openssl([
    'cms',
    '-sign',
    '-binary',
    '-crlfeol',
    '-in',
    file(entity),
    '-signer',
    signer.certFile,
    '-inkey',
    signer.keyFile,
    '-md',
    MD[hash],
  ]);
}

/** `openssl cms -encrypt` to `to`, wrapped as the application/pkcs7-mime entity AS2 sends. */
function opensslEncrypt(entity: Buffer, to: Party, cipher: Cipher, oaep = false): Buffer {
  const der = openssl([
    'cms',
    '-encrypt',
    '-binary',
    '-outform',
    'DER',
    '-in',
    file(entity),
    CIPHER_FLAGS[cipher],
    ...(oaep ? ['-recip', to.certFile, '-keyopt', 'rsa_padding_mode:oaep'] : [to.certFile]),
  ]);
  return buildEntity(
    [['Content-Type', 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m']],
    der,
  );
}

/** RFC 3274 CompressedData from a description OpenSSL's ASN.1 generator encodes, over Python's zlib. */
function opensslCompress(entity: Buffer): Buffer {
  const zlib = execFileSync(
    'python3',
    ['-c', 'import sys,zlib;sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))'],
    { input: entity },
  );
  const conf = file(
    [
      'asn1=SEQUENCE:ci',
      '[ci]',
      'type=OID:1.2.840.113549.1.9.16.1.9',
      'content=EXPLICIT:0,SEQUENCE:cd',
      '[cd]',
      'version=INTEGER:0',
      'alg=SEQUENCE:alg',
      'encap=SEQUENCE:encap',
      '[alg]',
      'oid=OID:1.2.840.113549.1.9.16.3.8',
      '[encap]',
      'type=OID:1.2.840.113549.1.7.1',
      `content=EXPLICIT:0,FORMAT:HEX,OCTETSTRING:${zlib.toString('hex')}`,
      '',
    ].join('\n'),
  );
  const out = join(certs.dir, `f${n++}.der`);
  openssl(['asn1parse', '-genconf', conf, '-out', out, '-noout']);
  return buildEntity(
    [['Content-Type', 'application/pkcs7-mime; smime-type=compressed-data']],
    readFileSync(out),
  );
}

const open = (entity: Buffer, partnerCerts = [partner.identity.certificate], micHash?: HashName) =>
  Promise.resolve().then(() =>
    openMessage(parseEntity(entity), { ours: [us.identity], partnerCerts, micHash }),
  );

/** The MIC as an independent digest computes it: `openssl dgst` over the bytes that were signed. */
function dgst(bytes: Buffer, hash: HashName): string {
  return openssl(['dgst', `-${MD[hash]}`, '-binary', file(bytes)]).toString('base64');
}

describe('receiving what OpenSSL builds', () => {
  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as HashName[])(
    'signed with %s: verified, MIC over the signed part',
    async (hash) => {
      const opened = await open(opensslSign(content, partner, hash));
      expect(opened.payload.equals(X12)).toBe(true);
      expect(opened.signer?.hash).toBe(hash);
      expect(opened.mic).toEqual({ hash, digest: dgst(content, hash) });
    },
  );

  it.each(['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'des-ede3-cbc'] as Cipher[])(
    'encrypted with %s (RSA PKCS#1 v1.5 and OAEP key transport)',
    async (cipher) => {
      for (const oaep of [false, true]) {
        const opened = await open(opensslEncrypt(content, us, cipher, oaep));
        expect(opened.payload.equals(X12)).toBe(true);
        expect(opened.encrypted).toBe(cipher);
        expect(opened.signer).toBeNull();
        // unsigned: the MIC is over the decrypted entity
        expect(opened.mic.digest).toBe(dgst(content, 'sha256'));
      }
    },
  );

  it('compressed (RFC 5402)', async () => {
    const opened = await open(opensslCompress(content));
    expect(opened.payload.equals(X12)).toBe(true);
    expect(opened.compressed).toBe(true);
  });

  it.each(['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'des-ede3-cbc'] as Cipher[])(
    'compressed, signed and encrypted (%s)',
    async (cipher) => {
      for (const hash of ['sha1', 'sha256', 'sha384', 'sha512'] as HashName[]) {
        const compressed = opensslCompress(content);
        const signed = opensslSign(compressed, partner, hash);
        const opened = await open(opensslEncrypt(signed, us, cipher), undefined, 'sha256');
        expect(opened.payload.equals(X12)).toBe(true);
        expect([opened.compressed, opened.encrypted, opened.signer?.hash]).toEqual([true, cipher, hash]);
        // the MIC is in the digest the partner asked for, over what was signed (the compressed entity)
        expect(opened.mic).toEqual({ hash: 'sha256', digest: dgst(compressed, 'sha256') });
      }
    },
  );

  it('a signature by someone else is authentication-failed', async () => {
    await expect(open(opensslSign(content, stranger, 'sha256'))).rejects.toMatchObject({
      code: 'authentication-failed',
    });
  });

  it('a body changed after signing is integrity-check-failed', async () => {
    const signed = opensslSign(content, partner, 'sha256');
    const tampered = Buffer.from(signed.toString('latin1').replace('PO1', 'PO9'), 'latin1');
    await expect(open(tampered)).rejects.toMatchObject({ code: 'integrity-check-failed' });
  });

  it('a message encrypted for another certificate is decryption-failed', async () => {
    await expect(open(opensslEncrypt(content, stranger, 'aes256-cbc'))).rejects.toMatchObject({
      code: 'decryption-failed',
    });
  });

  it("a signature by the partner's expired certificate is refused", async () => {
    const err = await open(opensslSign(content, expired, 'sha256'), [expired.identity.certificate]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(As2Error);
    expect(err).toMatchObject({ code: 'authentication-failed' });
    expect((err as Error).message).toMatch(/not valid now.*2021/);
  });

  it('during a rollover a message for our next certificate opens too', () => {
    const next = certs.party('us-next');
    const opened = openMessage(parseEntity(opensslEncrypt(content, next, 'aes128-cbc')), {
      ours: [us.identity, next.identity],
      partnerCerts: [],
    });
    expect(opened.payload.equals(X12)).toBe(true);
  });
});

describe('OpenSSL checking what we build', () => {
  const asFile = (headers: [string, string][], body: Buffer) =>
    file(buildEntity([['MIME-Version', '1.0'], ...headers], body));

  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as HashName[])(
    'our %s signature verifies, over the content we sent',
    async (hash) => {
      const m = await composeMessage(X12, {
        contentType: 'application/edi-x12',
        sign: { identity: us.identity, hash },
      });
      const out = openssl([
        'cms',
        '-verify',
        '-in',
        asFile(m.headers, m.body),
        '-CAfile',
        us.certFile,
        '-purpose',
        'any',
      ]);
      expect(parseEntity(out).body.equals(X12)).toBe(true);
    },
  );

  it.each(['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'des-ede3-cbc'] as Cipher[])(
    'our %s encryption decrypts',
    async (cipher) => {
      for (const keyEncryption of ['rsa-pkcs1', 'rsa-oaep'] as const) {
        const m = await composeMessage(X12, {
          contentType: 'application/edi-x12',
          encrypt: { certificate: partner.identity.certificate, cipher, keyEncryption },
        });
        const out = openssl([
          'cms',
          '-decrypt',
          '-binary',
          '-inform',
          'DER',
          '-in',
          file(m.body),
          '-recip',
          partner.certFile,
          '-inkey',
          partner.keyFile,
        ]);
        expect(parseEntity(out).body.equals(X12)).toBe(true);
      }
    },
  );

  it('our compressed data is RFC 3274 CompressedData with zlib, holding the entity', async () => {
    const m = await composeMessage(X12, { contentType: 'application/edi-x12', compress: true });
    const der = file(Buffer.from(m.body.toString('latin1'), 'base64'));
    const structure = openssl(['asn1parse', '-inform', 'DER', '-in', der]).toString();
    expect(structure).toMatch(/id-smime-ct-compressedData/);
    expect(structure).toMatch(/zlib compression|1\.2\.840\.113549\.1\.9\.16\.3\.8/);
    const lastOctets = [
      ...structure.matchAll(/^\s*(\d+):d=\d+\s+hl=(\d+)\s+l=\s*(\d+)\s+prim:\s+OCTET STRING/gm),
    ].pop()!;
    const zlib = readFileSync(der).subarray(
      Number(lastOctets[1]) + Number(lastOctets[2]),
      Number(lastOctets[1]) + Number(lastOctets[2]) + Number(lastOctets[3]),
    );
    const inflated = execFileSync(
      'python3',
      ['-c', 'import sys,zlib;sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))'],
      { input: zlib },
    );
    expect(parseEntity(inflated).body.equals(X12)).toBe(true);
  });

  it('compressed, signed and encrypted: OpenSSL decrypts and verifies, and our MIC is its digest of the signed part', async () => {
    const m = await composeMessage(X12, {
      contentType: 'application/edi-x12',
      compress: true,
      sign: { identity: us.identity, hash: 'sha256' },
      encrypt: { certificate: partner.identity.certificate, cipher: 'aes256-cbc' },
    });
    const signed = openssl([
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      file(m.body),
      '-recip',
      partner.certFile,
      '-inkey',
      partner.keyFile,
    ]);
    const signedPart = openssl([
      'cms',
      '-verify',
      '-in',
      file(signed),
      '-CAfile',
      us.certFile,
      '-purpose',
      'any',
    ]);
    expect(m.mic.digest).toBe(dgst(signedPart, 'sha256'));
  });

  it('our signed receipt verifies, and reads back', async () => {
    const mdn = await buildMdn({
      originalMessageId: 'abc@partner',
      ourName: 'US',
      error: null,
      explanation: 'received',
      mic: { digest: 'AAAA', hash: 'sha256' },
      sign: { identity: us.identity, hash: 'sha256' },
    });
    openssl([
      'cms',
      '-verify',
      '-in',
      asFile(mdn.headers, mdn.body),
      '-CAfile',
      us.certFile,
      '-purpose',
      'any',
    ]);
    const read = readMdn(parseEntity(buildEntity(mdn.headers, mdn.body)), [us.identity.certificate]);
    expect(read).toMatchObject({
      originalMessageId: 'abc@partner',
      processed: true,
      problem: null,
      mic: { digest: 'AAAA', hash: 'sha256' },
    });
  });

  it('a receipt signed by OpenSSL is checked against the partner certificate', async () => {
    const unsigned = await buildMdn({
      originalMessageId: 'x@us',
      ourName: 'P',
      error: 'decryption-failed',
      explanation: 'no',
      mic: null,
    });
    const signed = opensslSign(buildEntity(unsigned.headers, unsigned.body), partner, 'sha256');
    expect(readMdn(parseEntity(signed), [partner.identity.certificate])).toMatchObject({
      processed: false,
      problem: 'error: decryption-failed',
    });
    expect(() => readMdn(parseEntity(signed), [stranger.identity.certificate])).toThrow(
      /not made with the key/,
    );
  });
});
