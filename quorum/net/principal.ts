// Who a Kafka connection is, for the authorizer: the principal and the host, as Kafka's default
// principal builder and its session give them.
//
// - On an SSL listener whose client presented a certificate that verified against the listener's
//   truststore: 'User:' + the certificate's subject as an RFC 2253 string (Kafka's
//   DefaultKafkaPrincipalBuilder with no ssl.principal.mapping.rules: X500Principal.getName()),
//   most specific RDN first: 'User:CN=alice,OU=eng,O=acme'. It is read from the certificate's DER,
//   not from node's subject text (OpenSSL's names and escaping), and written as Java writes it:
//   CN, C, L, ST, O, OU, STREET, DC and UID by keyword, every other attribute (emailAddress,
//   serialNumber...) as its OID and the hex of its value's DER
//   ('1.2.840.113549.1.9.1=#160d616c6963654061636d652e696f'), and string values escaped as
//   AVA.toRFC2253String escapes them: a backslash before each of , = + < > # ; " \ anywhere, and
//   before every leading and trailing space; NUL as \00. Every string type's bytes are read as
//   UTF-8, as Java reads them (a BMPString 'ab' is '\00a\00b'), and a subject Java's parser
//   refuses (an attribute with extra elements, an OID not in DER) is refused.
// - Otherwise (PLAINTEXT, or SSL with no verified certificate): User:ANONYMOUS.
// - The host is the client's IP address as Java's InetAddress.getHostAddress() writes it, the
//   string Kafka matches ACL hosts against: an IPv4-mapped IPv6 address as IPv4, any other IPv6
//   address as eight groups, uncompressed ("0:0:0:0:0:0:0:1", where node writes "::1"). An ACL
//   host in either IPv6 spelling matches (authorizer.ts, hostMatches): the same address.

import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { isIPv6 } from 'node:net';

/** The principal of a connection that proved no identity (PLAINTEXT, or SSL without a client certificate). */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

/**
 * An IPv6 address (any spelling, zone kept) as Java's Inet6Address.getHostAddress() writes it:
 * eight lowercase hex groups without leading zeros, no '::' ("0:0:0:0:0:0:0:1"); null when `ip`
 * is not an IPv6 address.
 */
export function javaIpv6Form(ip: string): string | null {
  const pct = ip.indexOf('%');
  const addr = pct < 0 ? ip : ip.slice(0, pct);
  if (!isIPv6(addr)) return null;
  const zone = pct < 0 ? '' : ip.slice(pct);
  const groupsOf = (part: string): string[] => {
    if (part === '') return [];
    const out: string[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
        out.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
      } else out.push(parseInt(g, 16).toString(16));
    }
    return out;
  };
  const gap = addr.indexOf('::');
  const head = groupsOf(gap < 0 ? addr : addr.slice(0, gap));
  const tail = gap < 0 ? [] : groupsOf(addr.slice(gap + 2));
  const zeros = gap < 0 ? [] : new Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].join(':') + zone;
}

/** The attributes Java's RFC 2253 form names by keyword (sun.security.x509.AVAKeyword); any other is written as its OID. */
const RFC2253_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

/** DER tags. */
const SEQUENCE = 0x30;
const SET = 0x31;
const OBJECT_IDENTIFIER = 0x06;
const CONTEXT_0 = 0xa0;

/**
 * DER string types Java writes as text (AVA.isDerString): PrintableString, TeletexString,
 * IA5String, GeneralString, BMPString, UTF8String. Java reads the content of every one of them as
 * UTF-8 (AVA.toRFC2253String: new String(value.getDataBytes(), UTF_8)), whatever its type, so a
 * BMPString 'admin' is '\\00a\\00d...' there, not 'admin'; decoding each type by its own rules
 * would name such a certificate as another one Kafka tells apart. UniversalString is not among them: hex.
 */
const STRING_TYPES: ReadonlySet<number> = new Set([0x13, 0x14, 0x16, 0x1b, 0x1e, 0x0c]);

const REPLACEMENT = 0xfffd;
const continues = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/** How many bytes a malformed 3-byte sequence at `at` spans, as Java counts them (String.malformed3). */
function malformed3(bytes: Buffer, at: number): number {
  const b2 = bytes[at + 1];
  return (bytes[at] === 0xe0 && b2 !== undefined && (b2 & 0xe0) === 0x80) || !continues(b2) ? 1 : 2;
}

/** How many bytes a malformed 4-byte sequence at `at` spans, as Java counts them (String.malformed4). */
function malformed4(bytes: Buffer, at: number): number {
  const b1 = bytes[at]!;
  const b2 = bytes[at + 1]!;
  if (b1 > 0xf4 || (b1 === 0xf0 && (b2 < 0x90 || b2 > 0xbf)) || (b1 === 0xf4 && (b2 & 0xf0) !== 0x80) || !continues(b2)) return 1;
  return continues(bytes[at + 2]) ? 3 : 2;
}

/** UTF-16 code units as a string, a slice at a time: a spread of a long value's units would overflow the stack. */
function textOf(units: readonly number[]): string {
  let out = '';
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}

/**
 * `bytes` as Java's new String(bytes, UTF_8) reads them (String.decodeUTF8_UTF16): node's decoder
 * replaces malformed input by the WHATWG rules, which count U+FFFDs differently (an encoded
 * surrogate, ED A0 80, is one in Java and three in node), and the principal must be Java's.
 */
export function javaUtf8(bytes: Buffer): string {
  const units: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const b1 = bytes[at]!;
    const left = bytes.length - at;
    if (b1 < 0x80) {
      units.push(b1);
      at += 1;
    } else if (b1 >= 0xc2 && b1 <= 0xdf) {
      if (left < 2) return textOf([...units, REPLACEMENT]);
      if (continues(bytes[at + 1])) {
        units.push(((b1 & 0x1f) << 6) | (bytes[at + 1]! & 0x3f));
        at += 2;
      } else {
        units.push(REPLACEMENT);
        at += 1;
      }
    } else if (b1 >= 0xe0 && b1 <= 0xef) {
      if (left >= 3) {
        const b2 = bytes[at + 1]!;
        const b3 = bytes[at + 2]!;
        if ((b1 === 0xe0 && (b2 & 0xe0) === 0x80) || !continues(b2) || !continues(b3)) {
          units.push(REPLACEMENT);
          at += malformed3(bytes, at);
        } else {
          const c = ((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
          units.push(c >= 0xd800 && c <= 0xdfff ? REPLACEMENT : c);
          at += 3;
        }
      } else if (left === 2 && malformed3(bytes, at) === 1) {
        units.push(REPLACEMENT);
        at += 1;
      } else return textOf([...units, REPLACEMENT]);
    } else if (b1 >= 0xf0 && b1 <= 0xf7) {
      if (left >= 4) {
        const [b2, b3, b4] = [bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!];
        const cp = ((b1 & 0x07) << 18) | ((b2 & 0x3f) << 12) | ((b3 & 0x3f) << 6) | (b4 & 0x3f);
        if (!continues(b2) || !continues(b3) || !continues(b4) || cp < 0x10000 || cp > 0x10ffff) {
          units.push(REPLACEMENT);
          at += malformed4(bytes, at);
        } else {
          units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
          at += 4;
        }
      } else if (b1 > 0xf4 || (left >= 2 && malformed4(bytes, at) === 1)) {
        units.push(REPLACEMENT);
        at += 1;
      } else {
        // A truncated sequence whose second byte fits: one U+FFFD for it, and Java stops there
        // unless the byte after it is no continuation.
        units.push(REPLACEMENT);
        at += 2;
        if (!(at < bytes.length && !continues(bytes[at]))) return textOf(units);
      }
    } else {
      units.push(REPLACEMENT);
      at += 1;
    }
  }
  return textOf(units);
}

/** One DER element: its tag, its content, and its whole encoding. */
interface Tlv {
  readonly tag: number;
  readonly content: Buffer;
  readonly whole: Buffer;
}

/** The DER elements of `der`, in order (single-byte tags: all an X.509 Name uses); throws on a malformed length. */
function derElements(der: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < der.length) {
    const start = at;
    const tag = der[at++]!;
    let length = der[at++];
    if (length === undefined) throw new Error('DER: truncated');
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0 || n > 4 || at + n > der.length) throw new Error('DER: bad length');
      length = der.readUIntBE(at, n);
      at += n;
    }
    if (at + length > der.length) throw new Error('DER: truncated');
    out.push({ tag, content: der.subarray(at, at + length), whole: der.subarray(start, at + length) });
    at += length;
  }
  return out;
}

function only(der: Buffer, tag: number, what: string): Tlv {
  const [e] = derElements(der);
  if (e === undefined || e.tag !== tag) throw new Error(`DER: ${what} expected`);
  return e;
}

/**
 * An OBJECT IDENTIFIER's dotted text, as Java's ObjectIdentifier writes it. Arcs are BigInts: a
 * number loses arcs past 2^53, and two attribute types would print alike. An encoding Java
 * refuses (ObjectIdentifier.check: empty, a last byte that continues, a subidentifier padded with
 * a leading 0x80) is refused, not read as the OID it resembles ('55 04 80 03' is no CN).
 */
function oidText(content: Buffer): string {
  if (content.length === 0 || (content[content.length - 1]! & 0x80) !== 0) throw new Error('DER: OID not ended');
  const arcs: bigint[] = [];
  let v = 0n;
  let starts = true;
  for (const b of content) {
    if (starts && b === 0x80) throw new Error('DER: OID subidentifier padded');
    v = (v << 7n) | BigInt(b & 0x7f);
    starts = (b & 0x80) === 0;
    if (starts) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift()!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

/** Java's escaping of a string value (AVA.toRFC2253String; see the header), NUL written as \\00 (RFC 4514) as Java writes it. */
function javaEscaped(value: string): string {
  const chars = [...value].map((c) => (c === '\0' ? '\\00' : ',=+<>#;"\\'.includes(c) ? `\\${c}` : c));
  const isSpace = (c: string) => c === ' ' || c === '\r';
  let lead = 0;
  while (lead < chars.length && isSpace(chars[lead]!)) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && isSpace(chars[trail]!)) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? `\\${c}` : c)).join('');
}

/**
 * An element as Java's DerValue.toByteArray() writes it for the '#hex' form: its tag, its length in
 * the shortest form (Java parses a padded length, 81 03, and writes 03), its content as it came.
 */
function reencoded(e: Tlv): Buffer {
  const n = e.content.length;
  const size = n < 0x80 ? [] : Buffer.from(n.toString(16).padStart(n < 0x100 ? 2 : n < 0x10000 ? 4 : n < 0x1000000 ? 6 : 8, '0'), 'hex');
  const length = n < 0x80 ? [n] : [0x80 | size.length, ...size];
  return Buffer.concat([Buffer.from([e.tag, ...length]), e.content]);
}

/**
 * One attribute as Java's AVA.toRFC2253String writes it: keyword=text, or OID=#hex of the value's
 * DER. It must be a SEQUENCE of exactly a type and a value, as Java's AVA requires ("AVA, extra
 * bytes"): an element after the value, ignored, would let { CN, 'admin', junk } name CN=admin.
 */
function rfc2253OfAttribute(ava: Tlv): string {
  const elements = derElements(ava.content);
  const [type, value] = elements;
  if (ava.tag !== SEQUENCE || elements.length !== 2 || type!.tag !== OBJECT_IDENTIFIER) throw new Error('DER: attribute expected');
  const oid = oidText(type!.content);
  const keyword = RFC2253_KEYWORDS.get(oid);
  if (keyword === undefined || !STRING_TYPES.has(value!.tag)) return `${keyword ?? oid}=#${reencoded(value!).toString('hex')}`;
  return `${keyword}=${javaEscaped(javaUtf8(value!.content))}`;
}

/**
 * An X.509 Name (its DER) as Java's X500Principal.getName() writes it (RFC 2253): the last RDN of
 * the sequence first, a multi-valued RDN's attributes joined by '+' in their DER order.
 */
export function rfc2253OfName(nameDer: Buffer): string {
  const name = only(nameDer, SEQUENCE, 'Name');
  return derElements(name.content)
    .map((rdn) => {
      if (rdn.tag !== SET) throw new Error('DER: RDN expected');
      return derElements(rdn.content).map(rfc2253OfAttribute).join('+');
    })
    .reverse()
    .join(',');
}

/** The subject Name's DER in a certificate's DER (TBSCertificate: [version], serial, signature, issuer, validity, subject). */
export function subjectNameDer(certificateDer: Buffer): Buffer {
  const tbs = only(only(certificateDer, SEQUENCE, 'Certificate').content, SEQUENCE, 'TBSCertificate');
  const fields = derElements(tbs.content);
  const skip = fields[0]?.tag === CONTEXT_0 ? 1 : 0;
  const subject = fields[skip + 4];
  if (subject === undefined || subject.tag !== SEQUENCE) throw new Error('DER: subject expected');
  return subject.whole;
}

export function principalOfCertificate(cert: X509Certificate): string {
  return `User:${rfc2253OfName(subjectNameDer(cert.raw))}`;
}

/**
 * The connection's principal (see the header); null for a verified certificate whose subject
 * cannot be read, and the caller refuses the connection. Not User:ANONYMOUS: that would give the
 * client what User:* and User:ANONYMOUS ACLs grant and slip it past a DENY on its own name, where
 * Kafka's handshake fails on a certificate Java cannot parse.
 */
export function principalOfSocket(socket: Socket): string | null {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return ANONYMOUS_PRINCIPAL;
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return ANONYMOUS_PRINCIPAL;
  try {
    return principalOfCertificate(cert);
  } catch {
    return null;
  }
}

/** The host an ACL is matched against: the IP of Kafka's "/127.0.0.1" form, as Java writes it (see the header). */
export function sessionHost(clientHost: string): string {
  const ip = clientHost.startsWith('/') ? clientHost.slice(1) : clientHost;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped !== null ? mapped[1]! : (javaIpv6Form(ip) ?? ip);
}
