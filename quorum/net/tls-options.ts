// TLS of the internal protocol (DESIGN §8): the node:tls options a listener and a client build
// from TlsMaterial, and TLS failures in words an operator can act on.
//
// Server (ssl.client.auth): required ⇒ requestCert + rejectUnauthorized; requested ⇒ requestCert
// only, and the listener refuses a certificate that was presented but does not verify (server.ts;
// Node would accept it); none ⇒ no certificate asked for.
// Client: the server certificate is always checked against the CAs; its host name too unless
// verifyHostname is false (ssl.endpoint.identification.algorithm empty). TLS 1.2 at least.

import * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Endpoint, TlsMaterial } from './types.js';

export function serverTlsOptions(listenerName: string, t: TlsMaterial | undefined, handshakeTimeoutMs: number): tls.TlsOptions {
  if (t?.certPem === undefined || t.keyPem === undefined) {
    throw new Error(`listener ${listenerName} is SSL but has no certificate and key`);
  }
  const clientAuth = t.clientAuth ?? 'none';
  return {
    cert: t.certPem,
    key: t.keyPem,
    ...(t.caPem !== undefined ? { ca: t.caPem } : {}),
    requestCert: clientAuth !== 'none',
    rejectUnauthorized: clientAuth === 'required',
    minVersion: 'TLSv1.2',
    handshakeTimeout: handshakeTimeoutMs,
  };
}

export function clientTlsOptions(endpoint: Endpoint, t: TlsMaterial): tls.ConnectionOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    // SNI carries host names only (RFC 6066); an IP address is still checked against the SAN.
    ...(net.isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
    ...(t.caPem !== undefined ? { ca: t.caPem } : {}),
    ...(t.certPem !== undefined ? { cert: t.certPem } : {}),
    ...(t.keyPem !== undefined ? { key: t.keyPem } : {}),
    rejectUnauthorized: true,
    ...(t.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
    minVersion: 'TLSv1.2',
  };
}

type CodedError = Error & { code?: string; reason?: string };

/** An OpenSSL error's own words ("peer did not return a certificate"), without file and line. */
export function tlsReason(err: CodedError): string {
  const words = typeof err.reason === 'string' && err.reason.length > 0 ? err.reason : err.message;
  return err.code !== undefined && !words.includes(err.code) ? `${words} (${err.code})` : words;
}

/** True for a failure of TLS itself (certificates, alerts, versions), not of the TCP connection. */
export function isTlsError(err: CodedError): boolean {
  const code = err.code;
  if (code === undefined) return false;
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return true;
  if (code.startsWith('ERR_')) return false; // Node's own (ERR_STREAM_DESTROYED...)
  // Certificate verification codes (SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED...) are not errno names.
  return !/^E[A-Z]+$/.test(code);
}

/**
 * Why a TLS peer must be refused although Node accepted the handshake: with ssl.client.auth=
 * requested, a certificate that was presented but does not verify (Kafka refuses it too); null
 * when it may go on (no certificate, or a valid one).
 */
export function presentedCertificateProblem(socket: tls.TLSSocket): string | null {
  if (socket.authorized) return null;
  const cert = socket.getPeerCertificate();
  if (cert === null || cert === undefined || Object.keys(cert).length === 0) return null;
  const authError = socket.authorizationError as Error | string | null | undefined;
  const why = authError === null || authError === undefined ? 'it does not verify' : typeof authError === 'string' ? authError : authError.message;
  return `client certificate rejected: ${why}`;
}
