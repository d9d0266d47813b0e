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
//   before every leading and trailing space.
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

/** DER string types Java writes as text (AVA.isDerString), and how each is decoded. */
const STRING_TYPES: ReadonlyMap<number, (content: Buffer) => string> = new Map([
  [0x0c, (c: Buffer) => c.toString('utf8')], // UTF8String
  [0x13, (c: Buffer) => c.toString('latin1')], // PrintableString
  [0x14, (c: Buffer) => c.toString('latin1')], // TeletexString (T61String), as Java reads it
  [0x16, (c: Buffer) => c.toString('latin1')], // IA5String
  [0x1b, (c: Buffer) => c.toString('latin1')], // GeneralString
  [0x1e, (c: Buffer) => Buffer.from(c).swap16().toString('utf16le')], // BMPString: UCS-2, big-endian
]);

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

function oidText(content: Buffer): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** Java's escaping of a string value (AVA.toRFC2253String; see the header). */
function javaEscaped(value: string): string {
  const chars = [...value].map((c) => (',=+<>#;"\\'.includes(c) ? `\\${c}` : c));
  const isSpace = (c: string) => c === ' ' || c === '\r';
  let lead = 0;
  while (lead < chars.length && isSpace(chars[lead]!)) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && isSpace(chars[trail]!)) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? `\\${c}` : c)).join('');
}

/** One attribute as Java's AVA.toRFC2253String writes it: keyword=text, or OID=#hex of the value's DER. */
function rfc2253OfAttribute(ava: Tlv): string {
  const [type, value] = derElements(ava.content);
  if (type === undefined || type.tag !== OBJECT_IDENTIFIER || value === undefined) throw new Error('DER: attribute expected');
  const oid = oidText(type.content);
  const keyword = RFC2253_KEYWORDS.get(oid);
  const decode = STRING_TYPES.get(value.tag);
  if (keyword === undefined || decode === undefined) return `${keyword ?? oid}=#${value.whole.toString('hex')}`;
  return `${keyword}=${javaEscaped(decode(value.content))}`;
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
 * The connection's principal (see the header). A verified certificate whose subject cannot be read
 * (no X.509 Name where one must be) names nobody: User:ANONYMOUS, as a client without one.
 */
export function principalOfSocket(socket: Socket): string {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return ANONYMOUS_PRINCIPAL;
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return ANONYMOUS_PRINCIPAL;
  try {
    return principalOfCertificate(cert);
  } catch {
    return ANONYMOUS_PRINCIPAL;
  }
}

/** The host an ACL is matched against: the IP of Kafka's "/127.0.0.1" form, as Java writes it (see the header). */
export function sessionHost(clientHost: string): string {
  const ip = clientHost.startsWith('/') ? clientHost.slice(1) : clientHost;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped !== null ? mapped[1]! : (javaIpv6Form(ip) ?? ip);
}
