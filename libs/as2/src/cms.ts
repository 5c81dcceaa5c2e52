import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  verify as cryptoVerify,
  webcrypto,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { inflateSync, deflateSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import * as pkijs from 'pkijs';
import { As2Error } from './errors';
import { HASHES, type HashName } from './mic';

/** Our key and certificate (one of them, during a rollover there are two). */
export interface Identity {
  certificate: X509Certificate;
  key: KeyObject;
}

export type Cipher = 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc' | 'des-ede3-cbc';
export type KeyEncryption = 'rsa-pkcs1' | 'rsa-oaep';

/** The content ciphers AS2 partners use, by OID (RFC 3565 for AES, RFC 3370 for 3DES). */
const CIPHERS: Record<string, { name: Cipher; node: string; keyBytes: number; ivBytes: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes128-cbc', node: 'aes-128-cbc', keyBytes: 16, ivBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes192-cbc', node: 'aes-192-cbc', keyBytes: 24, ivBytes: 16 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes256-cbc', node: 'aes-256-cbc', keyBytes: 32, ivBytes: 16 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', node: 'des-ede3-cbc', keyBytes: 24, ivBytes: 8 },
};
const CIPHER_OID = Object.fromEntries(Object.entries(CIPHERS).map(([oid, c]) => [c.name, oid])) as Record<
  Cipher,
  string
>;

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  zlib: '1.2.840.113549.1.9.16.3.8',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaOaep: '1.2.840.113549.1.1.7',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
};

/** A decompressed payload larger than this is refused: a few KB of zlib can inflate to gigabytes. */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** pkijs does its hashing and RSA through Node's WebCrypto (SHA-1/256/384/512, RSASSA-PKCS1-v1_5). */
const engine = new pkijs.CryptoEngine({
  name: 'node',
  // pkijs types it as the DOM's Crypto, which a Node-only build does not declare; Node's is that API
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-explicit-any
  crypto: webcrypto as any,
});

/** Which CMS structure a DER blob holds, by its ContentInfo's content type. */
export function cmsKind(der: Buffer): 'signed' | 'enveloped' | 'compressed' | 'other' {
  try {
    const type = contentInfo(der).contentType;
    if (type === OID.envelopedData) return 'enveloped';
    if (type === OID.compressedData) return 'compressed';
    if (type === OID.signedData) return 'signed';
  } catch {
    // not CMS at all
  }
  return 'other';
}

function contentInfo(der: Buffer): pkijs.ContentInfo {
  return pkijs.ContentInfo.fromBER(toArrayBuffer(der));
}

/** A detached CMS signature (RFC 5652 SignedData without its content) over `content`, as S/MIME signs. */
export async function signDetached(content: Buffer, signer: Identity, hash: HashName): Promise<Buffer> {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(signer.certificate.raw));
  const digest = createHash(HASHES[hash].node).update(content).digest();
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({
        type: OID.contentType,
        values: [new asn1js.ObjectIdentifier({ value: OID.data })],
      }),
      new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })],
      }),
    ],
  });
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs,
      }),
    ],
    certificates: [cert],
  });
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    signer.key.export({ format: 'der', type: 'pkcs8' }),
    { name: 'RSASSA-PKCS1-v1_5', hash: HASHES[hash].webcrypto },
    false,
    ['sign'],
  );
  await signed.sign(key, 0, HASHES[hash].webcrypto, undefined, engine);
  return wrap(OID.signedData, signed.toSchema(true) as asn1js.Sequence);
}

export interface Verified {
  /** The certificate (of those given) whose key made the signature. */
  signer: X509Certificate;
  hash: HashName;
}

/**
 * Checks a detached signature over `content` against the partner's certificates only: the
 * certificates the message carries are ignored, so a stranger's certificate inside it proves nothing.
 * A signature that is the partner's over a different content is integrity-check-failed (the body
 * was changed on the way); a signature that is not the partner's is authentication-failed.
 */
export function verifyDetached(
  signature: Buffer,
  content: Buffer,
  trusted: readonly X509Certificate[],
): Verified {
  let info: pkijs.SignerInfo | undefined;
  try {
    const ci = contentInfo(signature);
    if (ci.contentType !== OID.signedData) throw new Error(`content type ${ci.contentType}`);
    info = new pkijs.SignedData({ schema: ci.content }).signerInfos[0];
  } catch (e) {
    throw new As2Error(
      'authentication-failed',
      `the signature is not CMS SignedData (${(e as Error).message})`,
    );
  }
  if (!info) throw new As2Error('authentication-failed', 'the signature has no signer');
  const hash = hashOfOid(info.digestAlgorithm.algorithmId);
  const digest = createHash(HASHES[hash].node).update(content).digest();
  // with signed attributes (S/MIME always has them) the signature covers their DER as a SET (RFC 5652 5.4)
  const attrs = info.signedAttrs;
  const signedBytes = attrs ? Buffer.from(attrs.encodedValue) : content;
  if (attrs) signedBytes[0] = 0x31;
  const sig = Buffer.from(info.signature.valueBlock.valueHexView);
  const signer = trusted.find((cert) => {
    try {
      return cryptoVerify(HASHES[hash].node, signedBytes, cert.publicKey, sig);
    } catch {
      return false;
    }
  });
  if (!signer)
    throw new As2Error(
      'authentication-failed',
      "the signature was not made with the key of the partner's certificate",
    );
  if (attrs) {
    const attr = attrs.attributes.find((a) => a.type === OID.messageDigest);
    const signedDigest = attr?.values[0] instanceof asn1js.OctetString ? octets(attr.values[0]) : null;
    if (!signedDigest || !signedDigest.equals(digest))
      throw new As2Error(
        'integrity-check-failed',
        `the content's ${HASHES[hash].micalg} digest is not the one the partner signed: it was changed after signing`,
      );
  }
  return { signer, hash };
}

/** Encrypts for the partner's certificate (RFC 5652 EnvelopedData, one key-transport recipient). */
export function encrypt(
  content: Buffer,
  recipient: X509Certificate,
  cipher: Cipher,
  keyEncryption: KeyEncryption = 'rsa-pkcs1',
): Buffer {
  const spec = CIPHERS[CIPHER_OID[cipher]]!;
  const cek = randomBytes(spec.keyBytes);
  const iv = randomBytes(spec.ivBytes);
  const c = createCipheriv(spec.node, cek, iv);
  const encrypted = Buffer.concat([c.update(content), c.final()]);
  const oaep = keyEncryption === 'rsa-oaep';
  const encryptedKey = publicEncrypt(
    {
      key: recipient.publicKey,
      padding: oaep ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING,
      oaepHash: 'sha1',
    },
    cek,
  );
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(recipient.raw));
  const enveloped = new pkijs.EnvelopedData({
    version: 0,
    recipientInfos: [
      new pkijs.RecipientInfo({
        variant: 1,
        value: new pkijs.KeyTransRecipientInfo({
          version: 0,
          rid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
            algorithmId: oaep ? OID.rsaOaep : OID.rsaEncryption,
            // RSAES-OAEP-params with every field at its default (SHA-1, MGF1-SHA-1) is an empty SEQUENCE
            algorithmParams: oaep ? new asn1js.Sequence() : new asn1js.Null(),
          }),
          encryptedKey: new asn1js.OctetString({ valueHex: toArrayBuffer(encryptedKey) }),
        }),
      }),
    ],
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: OID.data,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: CIPHER_OID[cipher],
        algorithmParams: new asn1js.OctetString({ valueHex: toArrayBuffer(iv) }),
      }),
      encryptedContent: new asn1js.OctetString({ valueHex: toArrayBuffer(encrypted) }),
    }),
  });
  return wrap(OID.envelopedData, enveloped.toSchema());
}

export interface Decrypted {
  content: Buffer;
  cipher: Cipher;
  /** Which of our identities it was encrypted for (the new one, during a rollover). */
  identity: Identity;
}

/** Opens EnvelopedData with whichever of our keys it was made for. Every failure is decryption-failed. */
export function decrypt(der: Buffer, ours: readonly Identity[]): Decrypted {
  let enveloped: pkijs.EnvelopedData;
  try {
    const ci = contentInfo(der);
    if (ci.contentType !== OID.envelopedData) throw new Error(`content type ${ci.contentType}`);
    enveloped = new pkijs.EnvelopedData({ schema: ci.content });
  } catch (e) {
    throw new As2Error('decryption-failed', `the body is not CMS EnvelopedData (${(e as Error).message})`);
  }
  const algorithm = enveloped.encryptedContentInfo.contentEncryptionAlgorithm;
  const spec = CIPHERS[algorithm.algorithmId];
  if (!spec)
    throw new As2Error('decryption-failed', `content encryption ${algorithm.algorithmId} is not supported`);
  const iv = Buffer.from((algorithm.algorithmParams as asn1js.OctetString).valueBlock.valueHexView);
  const sealed = enveloped.encryptedContentInfo.encryptedContent;
  if (!sealed) throw new As2Error('decryption-failed', 'the EnvelopedData has no encrypted content');
  const encrypted = octets(sealed);
  for (const identity of ours) {
    const recipient = recipientFor(enveloped, identity);
    if (!recipient) continue;
    const cek = unwrapKey(recipient, identity.key, spec.keyBytes);
    try {
      const d = createDecipheriv(spec.node, cek, iv);
      return { content: Buffer.concat([d.update(encrypted), d.final()]), cipher: spec.name, identity };
    } catch {
      throw new As2Error('decryption-failed', 'the content does not decrypt with our key');
    }
  }
  throw new As2Error(
    'decryption-failed',
    'the message is not encrypted for our certificate (the partner may have an old one of ours)',
  );
}

function recipientFor(
  enveloped: pkijs.EnvelopedData,
  identity: Identity,
): pkijs.KeyTransRecipientInfo | null {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(identity.certificate.raw));
  for (const ri of enveloped.recipientInfos) {
    if (ri.variant !== 1) continue;
    const kt = ri.value as pkijs.KeyTransRecipientInfo;
    const rid = kt.rid;
    if (rid instanceof pkijs.IssuerAndSerialNumber) {
      if (rid.issuer.isEqual(cert.issuer) && rid.serialNumber.isEqual(cert.serialNumber)) return kt;
    }
  }
  return null;
}

/**
 * The content-encryption key. A PKCS#1 v1.5 padding error does not end here: a random key is
 * used instead, so a wrong padding and a wrong key fail alike at the content (RFC 3218's defence
 * against Bleichenbacher's oracle).
 */
function unwrapKey(kt: pkijs.KeyTransRecipientInfo, key: KeyObject, keyBytes: number): Buffer {
  const wrapped = Buffer.from(kt.encryptedKey.valueBlock.valueHexView);
  const oid = kt.keyEncryptionAlgorithm.algorithmId;
  if (oid === OID.rsaOaep) {
    const hash = oaepHash(kt.keyEncryptionAlgorithm.algorithmParams);
    try {
      // OAEP decryption is still allowed in Node (only PKCS#1 v1.5 was withdrawn)
      return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, wrapped);
    } catch {
      return randomBytes(keyBytes);
    }
  }
  if (oid !== OID.rsaEncryption)
    throw new As2Error('decryption-failed', `key encryption ${oid} is not supported (RSA only)`);
  const pem = key.export({ format: 'pem', type: 'pkcs1' }).toString();
  try {
    const cek = Buffer.from(
      forge.pki.privateKeyFromPem(pem).decrypt(wrapped.toString('binary'), 'RSAES-PKCS1-V1_5'),
      'binary',
    );
    return cek.length === keyBytes ? cek : randomBytes(keyBytes);
  } catch {
    return randomBytes(keyBytes);
  }
}

/** RSAES-OAEP-params' hash (field [0]); absent means SHA-1. */
function oaepHash(params: unknown): string {
  if (!(params instanceof asn1js.Sequence) || params.valueBlock.value.length === 0) return 'sha1';
  try {
    const p = new pkijs.RSAESOAEPParams({ schema: params });
    return HASHES[hashOfOid(p.hashAlgorithm.algorithmId)].node;
  } catch {
    return 'sha1';
  }
}

/** RFC 3274 CompressedData with zlib, built with asn1js (pkijs has no class for it). */
export function compress(content: Buffer): Buffer {
  const compressed = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.zlib })] }),
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID.data }),
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 0 },
            value: [new asn1js.OctetString({ valueHex: toArrayBuffer(deflateSync(content)) })],
          }),
        ],
      }),
    ],
  });
  return wrap(OID.compressedData, compressed);
}

/** The content of CompressedData. Anything unexpected is decompression-failed. */
export function decompress(der: Buffer): Buffer {
  try {
    const ci = contentInfo(der);
    if (ci.contentType !== OID.compressedData) throw new Error(`content type ${ci.contentType}`);
    const [version, algorithm, encap] = (ci.content as asn1js.Sequence).valueBlock.value as [
      asn1js.Integer,
      asn1js.Sequence,
      asn1js.Sequence,
    ];
    if (!(version instanceof asn1js.Integer) || !(algorithm instanceof asn1js.Sequence))
      throw new Error('not a CompressedData');
    const algorithmId = (algorithm.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
    if (algorithmId !== OID.zlib) throw new Error(`compression ${algorithmId} is not zlib`);
    const content = (encap.valueBlock.value[1] as asn1js.Constructed | undefined)?.valueBlock.value[0];
    if (!(content instanceof asn1js.OctetString)) throw new Error('no compressed content');
    return inflateSync(octets(content), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (e) {
    throw new As2Error(
      'decompression-failed',
      `the compressed content does not open (${(e as Error).message})`,
    );
  }
}

function hashOfOid(oid: string): HashName {
  const found = (Object.keys(HASHES) as HashName[]).find((h) => HASHES[h].oid === oid);
  if (!found) throw new As2Error('authentication-failed', `digest algorithm ${oid} is not supported`);
  return found;
}

/** An OCTET STRING's bytes, whether primitive or cut into constructed pieces (as BER allows). */
function octets(o: asn1js.OctetString): Buffer {
  if (!o.idBlock.isConstructed) return Buffer.from(o.valueBlock.valueHexView);
  return Buffer.concat((o.valueBlock.value as asn1js.OctetString[]).map((piece) => octets(piece)));
}

function wrap(contentType: string, content: asn1js.BaseBlock): Buffer {
  return Buffer.from(new pkijs.ContentInfo({ contentType, content }).toSchema().toBER(false));
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
