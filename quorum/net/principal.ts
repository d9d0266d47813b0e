// Who a Kafka connection is, for the authorizer: the principal and the host, as Kafka's default
// principal builder and its session give them.
//
// - On an SSL listener whose client presented a certificate that verified against the listener's
//   truststore: 'User:' + the certificate's subject as an RFC 2253 string (Kafka's
//   DefaultKafkaPrincipalBuilder with no ssl.principal.mapping.rules: X500Principal.getName()),
//   most specific RDN first: 'User:CN=alice,OU=eng,O=acme'. Values are escaped as Java's
//   AVA.toRFC2253String escapes them: a backslash before each of , = + < > # ; " \ anywhere, and
//   before every leading and trailing space (node's X509Certificate.subject has OpenSSL's ESC_2253
//   escaping, which leaves '=' and a '#' past the first character bare and escapes only the first
//   leading space: unescaped here, then escaped again Java's way).
//   Known difference: attributes Java has no RFC 2253 keyword for (emailAddress...) are written
//   with OpenSSL's short name, where Java writes the OID and the value's DER in hex.
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

const KEYWORDS: Readonly<Record<string, string>> = { street: 'STREET' };

/** A value as OpenSSL wrote it (ESC_2253 and ESC_CTRL: "\\," or "\\0A"), unescaped. */
function opensslUnescaped(value: string): string {
  return value.replace(/\\([0-9A-Fa-f]{2}|.)/gs, (_, e: string) => (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e));
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

/**
 * node's subject ("C=US\nO=acme\nCN=alice", DER order, one RDN per line, multi-valued RDNs joined
 * by " + ") as RFC 2253 ("CN=alice,O=acme,C=US").
 */
export function rfc2253OfSubject(subject: string): string {
  return subject
    .split('\n')
    .filter((rdn) => rdn !== '')
    .reverse()
    .map((rdn) =>
      rdn
        .split(' + ')
        .map((ava) => {
          const eq = ava.indexOf('=');
          const name = ava.slice(0, eq);
          return `${KEYWORDS[name] ?? name}=${javaEscaped(opensslUnescaped(ava.slice(eq + 1)))}`;
        })
        .join('+'),
    )
    .join(',');
}

export function principalOfCertificate(cert: X509Certificate): string {
  return `User:${rfc2253OfSubject(cert.subject)}`;
}

/** The connection's principal (see the header). */
export function principalOfSocket(socket: Socket): string {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return ANONYMOUS_PRINCIPAL;
  const cert = socket.getPeerX509Certificate();
  return cert === undefined ? ANONYMOUS_PRINCIPAL : principalOfCertificate(cert);
}

/** The host an ACL is matched against: the IP of Kafka's "/127.0.0.1" form, as Java writes it (see the header). */
export function sessionHost(clientHost: string): string {
  const ip = clientHost.startsWith('/') ? clientHost.slice(1) : clientHost;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped !== null ? mapped[1]! : (javaIpv6Form(ip) ?? ip);
}
