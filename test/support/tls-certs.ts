// Test certificates made with the openssl CLI in a directory the caller owns (and removes): a CA,
// a server and a client certificate it signed, and a second CA with a client of its own, for
// tests of mutual TLS and of the refusals around it. EC P-256 keys, valid for two days.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  readonly caPem: string;
  /** Valid for 127.0.0.1 and localhost, for server and client authentication. */
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** A CA the others do not trust, and a client certificate it signed. */
  readonly otherCaPem: string;
  readonly otherClientCertPem: string;
  readonly otherClientKeyPem: string;
}

/** Writes the certificates and keys into `dir` (ca.crt, server.crt, server.key, ...) and returns them. */
export function makePki(dir: string): Pki {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string): void =>
    openssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const makeLeaf = (name: string, ca: string, ext: string): void => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  makeCa('ca');
  makeCa('other-ca');
  makeLeaf('server', 'ca', 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  makeLeaf('client', 'ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  makeLeaf('other-client', 'other-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    caPem: read('ca.crt'),
    serverCertPem: read('server.crt'),
    serverKeyPem: read('server.key'),
    clientCertPem: read('client.crt'),
    clientKeyPem: read('client.key'),
    otherCaPem: read('other-ca.crt'),
    otherClientCertPem: read('other-client.crt'),
    otherClientKeyPem: read('other-client.key'),
  };
}
