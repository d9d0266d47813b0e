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
import { ANONYMOUS_PRINCIPAL, javaIpv6Form } from './authorizer.js';

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
