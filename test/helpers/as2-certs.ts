import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromPem, type Identity } from '@edi/as2';

export interface Party {
  keyFile: string;
  certFile: string;
  keyPem: string;
  certPem: string;
  identity: Identity;
}

/** RSA keys and self-signed certificates made by openssl in a fresh temp folder: nothing private is committed. */
export class TestCertificates {
  readonly dir = mkdtempSync(join(tmpdir(), 'as2-certs-'));

  /** A certificate valid from now for a year. */
  party(name: string): Party {
    const keyFile = join(this.dir, `${name}.key`);
    const certFile = join(this.dir, `${name}.crt`);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '365',
      '-subj',
      `/CN=${name}`,
    ]);
    return this.read(keyFile, certFile);
  }

  /** A certificate that expired in 2021 (made with `openssl ca`, which takes explicit dates). */
  expired(name: string): Party {
    const keyFile = join(this.dir, `${name}.key`);
    const csr = join(this.dir, `${name}.csr`);
    const certFile = join(this.dir, `${name}.crt`);
    openssl([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      csr,
      '-subj',
      `/CN=${name}`,
    ]);
    const conf = join(this.dir, `${name}-ca.cnf`);
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
    writeFileSync(
      conf,
      [
        '[ ca ]',
        'default_ca = here',
        '[ here ]',
        `database = ${join(this.dir, 'index.txt')}`,
        `new_certs_dir = ${this.dir}`,
        `serial = ${join(this.dir, 'serial')}`,
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        '[ any ]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    openssl([
      'ca',
      '-batch',
      '-selfsign',
      '-config',
      conf,
      '-keyfile',
      keyFile,
      '-in',
      csr,
      '-out',
      certFile,
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20210101000000Z',
      '-notext',
    ]);
    return this.read(keyFile, certFile);
  }

  private read(keyFile: string, certFile: string): Party {
    const keyPem = readFileSync(keyFile, 'utf8');
    const certPem = readFileSync(certFile, 'utf8');
    return { keyFile, certFile, keyPem, certPem, identity: identityFromPem(keyPem, certPem) };
  }
}

export function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `openssl cms -sign` with the given party's key: an S/MIME multipart/signed entity (headers and body). */
export function opensslSign(dir: string, entity: Buffer, signer: Party, md = 'sha256'): Buffer {
  const input = join(dir, `sign-${process.hrtime.bigint()}`);
  writeFileSync(input, entity);
  return openssl([
    'cms',
    '-sign',
    '-binary',
    '-crlfeol',
    '-in',
    input,
    '-signer',
    signer.certFile,
    '-inkey',
    signer.keyFile,
    '-md',
    md,
  ]);
}

/** `openssl cms -encrypt` for `to`: DER EnvelopedData. */
export function opensslEncrypt(dir: string, entity: Buffer, to: Party, cipher = '-aes256'): Buffer {
  const input = join(dir, `enc-${process.hrtime.bigint()}`);
  writeFileSync(input, entity);
  return openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', input, cipher, to.certFile]);
}

/** Splits what openssl writes (headers, a blank line, a body) into HTTP headers and body. */
export function asHttp(entity: Buffer): { headers: Record<string, string>; body: Buffer } {
  let end = entity.indexOf('\r\n\r\n');
  let skip = 4;
  if (end < 0) {
    end = entity.indexOf('\n\n');
    skip = 2;
  }
  const headers: Record<string, string> = {};
  for (const line of entity
    .subarray(0, end)
    .toString('latin1')
    .split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
  }
  return { headers, body: entity.subarray(end + skip) };
}
