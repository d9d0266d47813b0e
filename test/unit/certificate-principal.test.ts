// A certificate's principal as Kafka names it (quorum/net/principal.ts): 'User:' + Java's
// X500Principal.getName() of the subject, read from the certificate's DER. Names are built here
// byte by byte (so every string type and escape is exact), and one real certificate made with
// openssl checks the path from a certificate's DER to its subject.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { principalOfCertificate, principalOfSocket, rfc2253OfName, subjectNameDer } from '../../quorum/net/principal.js';

const UTF8 = 0x0c;
const PRINTABLE = 0x13;
const IA5 = 0x16;
const BMP = 0x1e;
const OCTET_STRING = 0x04;
const TELETEX = 0x14;
const GENERAL = 0x1b;

const OID = { CN: '2.5.4.3', C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', UID: '0.9.2342.19200300.100.1.1', DC: '0.9.2342.19200300.100.1.25', STREET: '2.5.4.9', serialNumber: '2.5.4.5', emailAddress: '1.2.840.113549.1.9.1' };

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function oidBytes(text: string): Buffer {
  const [a, b, ...rest] = text.split('.').map(Number) as [number, number, ...number[]];
  const out = [a * 40 + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return Buffer.from(out);
}

type Ava = readonly [oid: string, tag: number, value: string];

function valueBytes(tag: number, value: string): Buffer {
  if (tag === BMP) return Buffer.from(value, 'utf16le').swap16();
  return Buffer.from(value, tag === UTF8 ? 'utf8' : 'latin1');
}

/** An X.509 Name of the RDNs given, in DER order (least specific first), each one attribute or several. */
function name(...rdns: readonly (Ava | readonly Ava[])[]): Buffer {
  const rdn = (r: Ava | readonly Ava[]) => {
    const avas = (typeof r[0] === 'string' ? [r] : r) as readonly Ava[];
    return tlv(0x31, Buffer.concat(avas.map(([oid, tag, value]) => tlv(0x30, Buffer.concat([tlv(0x06, oidBytes(oid)), tlv(tag, valueBytes(tag, value))])))));
  };
  return tlv(0x30, Buffer.concat(rdns.map(rdn)));
}

/** A Name of one attribute whose value's content is `content` as given (not encoded from a string). */
function nameOfBytes(oid: string, tag: number, content: Buffer): Buffer {
  return nameOfOid(oidBytes(oid).toString('hex'), tag, content);
}

/** A Name of one attribute whose OID's content is `oidHex`, as given. */
function nameOfOid(oidHex: string, tag: number, content: Buffer): Buffer {
  return tlv(0x30, tlv(0x31, tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from(oidHex, 'hex')), tlv(tag, content)]))));
}

describe('certificate principal (Java RFC 2253)', () => {
  it('most specific RDN first, keywords for CN, C, O, OU, UID, DC, STREET; a multi-valued RDN joined by +', () => {
    expect(rfc2253OfName(name([OID.C, PRINTABLE, 'US'], [OID.O, UTF8, 'acme, inc'], [OID.OU, UTF8, 'eng'], [OID.CN, UTF8, 'alice']))).toBe('CN=alice,OU=eng,O=acme\\, inc,C=US');
    expect(rfc2253OfName(name([[OID.CN, UTF8, 'alice'], [OID.UID, UTF8, 'a1']]))).toBe('CN=alice+UID=a1');
    expect(rfc2253OfName(name([OID.DC, IA5, 'com'], [OID.DC, IA5, 'acme'], [OID.STREET, UTF8, '1 Main St']))).toBe('STREET=1 Main St,DC=acme,DC=com');
  });

  it("values escaped as Java's AVA.toRFC2253String: , = + < > # ; \" \\ anywhere, every leading and trailing space; control characters as they are", () => {
    expect(rfc2253OfName(name([OID.OU, UTF8, 'a=b#c'], [OID.CN, UTF8, '  al+ice;"x"<> ']))).toBe('CN=\\ \\ al\\+ice\\;\\"x\\"\\<\\>\\ ,OU=a\\=b\\#c');
    expect(rfc2253OfName(name([OID.CN, UTF8, '#x']))).toBe('CN=\\#x');
    expect(rfc2253OfName(name([OID.CN, UTF8, 'a\nb\\41']))).toBe('CN=a\nb\\\\41');
  });

  it('attributes without an RFC 2253 keyword are their OID and the hex of their DER value (as Kafka shows emailAddress)', () => {
    const n = name([OID.O, UTF8, 'acme'], [OID.CN, UTF8, 'alice'], [OID.emailAddress, IA5, 'alice@acme.io'], [OID.serialNumber, PRINTABLE, '123']);
    expect(rfc2253OfName(n)).toBe('2.5.4.5=#1303313233,1.2.840.113549.1.9.1=#160d616c6963654061636d652e696f,CN=alice,O=acme');
  });

  it('a keyword attribute whose value is no string is hex too; UTF-8 beyond ASCII as it is', () => {
    expect(rfc2253OfName(name([OID.CN, UTF8, 'Ünïcødé 名前']))).toBe('CN=Ünïcødé 名前');
    expect(rfc2253OfName(name([OID.CN, OCTET_STRING, 'abc']))).toBe('CN=#0403616263');
  });

  // Expected strings below are what OpenJDK 17's new X500Principal(der).getName() printed for the same bytes.
  it("every string type's content is read as UTF-8, as Java's AVA.toRFC2253String reads it (new String(getDataBytes(), UTF_8)), and NUL written \\00", () => {
    expect(rfc2253OfName(name([OID.CN, BMP, 'admin']))).toBe('CN=\\00a\\00d\\00m\\00i\\00n'); // not CN=admin
    expect(rfc2253OfName(name([OID.CN, BMP, 'Zoë']))).toBe('CN=\\00Z\\00o\\00\uFFFD');
    expect(rfc2253OfName(name([OID.CN, TELETEX, '\u00e9']))).toBe('CN=\uFFFD'); // latin1 é is no UTF-8
    for (const tag of [TELETEX, IA5, PRINTABLE, GENERAL]) expect(rfc2253OfName(nameOfBytes(OID.CN, tag, Buffer.from('é', 'utf8')))).toBe('CN=é');
    expect(rfc2253OfName(nameOfBytes(OID.CN, UTF8, Buffer.from([0x61, 0x00, 0x62])))).toBe('CN=a\\00b');
  });

  it("invalid UTF-8 is replaced as Java's decoder replaces it (one U+FFFD per malformed sequence as Java counts them)", () => {
    const cases: [string, string][] = [
      ['eda080', '\uFFFD'], // an encoded surrogate: one, where node's decoder gives three
      ['eda041', '\uFFFDA'],
      ['41f09f98', 'A\uFFFD'],
      ['c0af41', '\uFFFD\uFFFDA'],
      ['f4908080', '\uFFFD\uFFFD\uFFFD\uFFFD'],
      ['e08041', '\uFFFD\uFFFDA'],
    ];
    for (const [hex, text] of cases) expect(rfc2253OfName(nameOfBytes(OID.CN, UTF8, Buffer.from(hex, 'hex')))).toBe(`CN=${text}`);
  });

  it('OID arcs beyond 2^53 are written exactly: two attribute types never share a name', () => {
    const a = rfc2253OfName(nameOfOid('2a898080808080808001', UTF8, Buffer.from('x')));
    const b = rfc2253OfName(nameOfOid('2a898080808080808000', UTF8, Buffer.from('x')));
    expect(a).toBe('1.2.648518346341351425=#0c0178');
    expect(b).toBe('1.2.648518346341351424=#0c0178');
    expect(rfc2253OfName(nameOfOid('8f8080808001', UTF8, Buffer.from('x')))).toBe('2.515396075441=#0c0178');
    expect(rfc2253OfName(nameOfOid('883703', UTF8, Buffer.from('x')))).toBe('2.999.3=#0c0178');
  });

  it("a hex value is written with its length in DER's shortest form, as Java re-encodes it (DerValue.toByteArray)", () => {
    const email = Buffer.from('06092a864886f70d010901', 'hex');
    const padded = tlv(0x30, tlv(0x31, tlv(0x30, Buffer.concat([email, Buffer.from('168103616263', 'hex')]))));
    expect(rfc2253OfName(padded)).toBe('1.2.840.113549.1.9.1=#1603616263');
  });

  it('an attribute Java refuses is refused: not a SEQUENCE, more than type and value, an OID not DER', () => {
    const value = tlv(UTF8, Buffer.from('admin'));
    expect(() => rfc2253OfName(tlv(0x30, tlv(0x31, Buffer.concat([tlv(0x30, Buffer.concat([tlv(0x06, oidBytes(OID.CN)), value, tlv(UTF8, Buffer.from('x'))]))]))))).toThrow(/DER/);
    expect(() => rfc2253OfName(tlv(0x30, tlv(0x31, tlv(0x31, Buffer.concat([tlv(0x06, oidBytes(OID.CN)), value])))))).toThrow(/DER/);
    for (const oid of ['55048003', '55040383', '']) expect(() => rfc2253OfName(nameOfOid(oid, UTF8, Buffer.from('admin')))).toThrow(/DER/);
  });

  it('malformed DER is refused, not misread', () => {
    expect(() => rfc2253OfName(Buffer.from([0x30, 0x05, 0x31]))).toThrow(/DER/);
    expect(() => rfc2253OfName(Buffer.from([0x31, 0x00]))).toThrow(/Name expected/);
    expect(() => rfc2253OfName(tlv(0x30, tlv(0x30, Buffer.alloc(0))))).toThrow(/RDN expected/);
    expect(() => subjectNameDer(Buffer.from([0x30, 0x03, 0x30, 0x01, 0x02]))).toThrow(/DER/);
  });

  it('a certificate made by openssl: its subject from its DER, emailAddress as Kafka names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mq-cert-principal-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/C=US/O=acme/CN=alice/emailAddress=alice@acme.io'], { stdio: 'pipe' });
      const cert = new X509Certificate(readFileSync(join(dir, 'c.pem')));
      expect(principalOfCertificate(cert)).toBe('User:1.2.840.113549.1.9.1=#160d616c6963654061636d652e696f,CN=alice,O=acme,C=US');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a verified certificate whose subject cannot be read names nobody: null (the connection is refused), never User:ANONYMOUS', () => {
    // ANONYMOUS would give such a client what User:* or User:ANONYMOUS ACLs grant and slip it past
    // a DENY on its own name; Kafka's handshake fails on a certificate Java cannot parse.
    const socket = new TLSSocket(new Socket());
    try {
      Object.assign(socket, { authorized: true, getPeerX509Certificate: () => ({ raw: Buffer.from([0x30, 0x03, 0x30, 0x01, 0x02]) }) });
      expect(principalOfSocket(socket)).toBeNull();
    } finally {
      socket.destroy();
    }
  });
});
