import { bareMessageId, formatAs2Name, parseAs2Name, receiptRequest } from './headers';
import { formatMic, parseMic } from './mic';
import { decodeBody, MimeError, parseContentType, parseEntity, splitMultipart } from './mime';

describe('MIME as AS2 partners write it', () => {
  it('reads folded headers, quoted parameters and a body after CRLF or bare LF', () => {
    const e = parseEntity(
      Buffer.from('Content-Type: multipart/signed;\r\n\tboundary="a;b"; micalg=sha-256\r\n\r\nBODY'),
    );
    expect(parseContentType(e.headers.get('content-type'))).toEqual({
      type: 'multipart/signed',
      params: { boundary: 'a;b', micalg: 'sha-256' },
    });
    expect(e.body.toString()).toBe('BODY');
    expect(parseEntity(Buffer.from('Content-Type: text/plain\n\nX')).body.toString()).toBe('X');
  });

  it('splits multipart exactly: a preamble is skipped, the line break before a boundary is not content', () => {
    const body = Buffer.from('preamble\r\n--b\r\nA: 1\r\n\r\none\r\n\r\n--b\r\n\r\ntwo\r\n--b--\r\nepilogue');
    expect(splitMultipart(body, 'b').map(String)).toEqual(['A: 1\r\n\r\none\r\n', '\r\ntwo']);
    expect(splitMultipart(Buffer.from('--b\nx\n--b--\n'), 'b').map(String)).toEqual(['x']);
  });

  it('refuses what cannot be read, saying what is missing', () => {
    expect(() => splitMultipart(Buffer.from('--b\r\nx\r\n'), 'b')).toThrow(
      /closing boundary '--b--' is missing/,
    );
    expect(() => splitMultipart(Buffer.from('x'), 'b')).toThrow(MimeError);
    expect(() => parseEntity(Buffer.from('no blank line'))).toThrow(/no empty line/);
    expect(() =>
      decodeBody({ headers: new Map([['content-transfer-encoding', 'x-uue']]), body: Buffer.alloc(0) }),
    ).toThrow(/'x-uue' is not one MIME defines/);
  });

  it('decodes base64 and quoted-printable bodies', () => {
    const b64 = {
      headers: new Map([['content-transfer-encoding', 'base64']]),
      body: Buffer.from('SVNB\r\nKjAw'),
    };
    expect(decodeBody(b64).toString()).toBe('ISA*00');
    const qp = {
      headers: new Map([['content-transfer-encoding', 'quoted-printable']]),
      body: Buffer.from('a=3Db=\r\nc'),
    };
    expect(decodeBody(qp).toString()).toBe('a=bc');
  });
});

describe('AS2 headers', () => {
  it('names: quoted when they hold a space, 1-128 printable characters', () => {
    expect(parseAs2Name('"ACME SUPPLY"')).toBe('ACME SUPPLY');
    expect(formatAs2Name('ACME SUPPLY')).toBe('"ACME SUPPLY"');
    expect(formatAs2Name('ACME')).toBe('ACME');
    expect(parseAs2Name('x'.repeat(129))).toBeNull();
    expect(parseAs2Name('')).toBeNull();
    expect(bareMessageId('<abc@x>')).toBe('abc@x');
    expect(bareMessageId('<a b>')).toBeNull();
  });

  it('the receipt asked for: signed, the first digest we can compute, async URL', () => {
    const h = new Map([
      ['disposition-notification-to', 'edi@x'],
      [
        'disposition-notification-options',
        'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, md5, SHA1',
      ],
      ['receipt-delivery-option', 'https://partner.example/mdn'],
    ]);
    expect(receiptRequest(h)).toEqual({
      wanted: true,
      signed: true,
      micHash: 'sha1',
      asyncUrl: 'https://partner.example/mdn',
    });
    expect(receiptRequest(new Map())).toEqual({
      wanted: false,
      signed: false,
      micHash: null,
      asyncUrl: null,
    });
  });

  it('MIC fields in either spelling of the digest', () => {
    expect(parseMic('abc=, SHA-256')).toEqual({ digest: 'abc=', hash: 'sha256' });
    expect(parseMic('abc=, sha1')).toEqual({ digest: 'abc=', hash: 'sha1' });
    expect(parseMic('abc=, md5')).toBeNull();
    expect(formatMic({ digest: 'abc=', hash: 'sha384' })).toBe('abc=, sha-384');
  });
});
