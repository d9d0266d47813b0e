// The server side of one SCRAM exchange (RFC 5802, RFC 7677; Kafka's ScramSaslServer), pure and
// synchronous: bytes in, bytes out, no sockets. The connection (../kafka-connection.ts) feeds it
// each SaslAuthenticate token and sends back what it returns; the credentials are the metadata
// log's (UserScramCredential records: salt, StoredKey, ServerKey, iterations), found through a
// lookup the caller gives.
//
//   client-first   gs2-header client-first-bare, where
//                  gs2-header        = ("n" | "y") "," ["a=" saslname] ","
//                  client-first-bare = "n=" saslname ",r=" c-nonce ["," extensions]
//   server-first   "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations
//   client-final   "c=" base64(gs2-header) ",r=" c-nonce s-nonce ["," extensions] ",p=" base64(proof)
//   server-final   "v=" base64(HMAC(ServerKey, AuthMessage))
//   AuthMessage    = client-first-bare "," server-first "," client-final-without-proof
//   proof check    ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) = StoredKey
//
// States (a message in any other state than the one named fails, and failed is for good):
//
//   state          message          next          answer
//   client-first   client-first ok  client-final  server-first
//   client-final   client-final ok  complete      server-final (user known from here on)
//   any            anything wrong   failed        ScramAuthenticationError
//   complete       any message      failed        ScramAuthenticationError (no re-authentication)
//   failed         any message      failed        ScramAuthenticationError
//
// What is refused, each a ScramAuthenticationError whose message is Kafka's one generic text
// (the client learns nothing more) and whose reason is for the server's log:
// - a message over SCRAM_MESSAGE_BYTES_MAX bytes, or not UTF-8;
// - client-first: a gs2 flag other than "n" or "y" ("p=...", channel binding: none is offered);
//   an authzid other than the user name (Kafka's rule); the reserved "m=" attribute (RFC 5802
//   §5.1); a malformed saslname ("=" not starting "=2C" or "=3D"; RFC 5802 §5.1) or an empty one;
//   a nonce that is empty or not printable ASCII without ","; a malformed extension; the
//   extension tokenauth=true (delegation tokens, not supported);
// - client-final: c= other than base64 of the gs2 header received; r= other than the full nonce;
//   a proof that is not base64 or not the hash's length; a proof that does not match.
// A user without a credential for the mechanism is not refused at client-first (Kafka refuses it
// there, which tells a prober which users exist). It gets a server-first with a mock salt and
// SCRAM_MOCK_ITERATIONS, and fails at client-final as a wrong password does. The mock salt has a
// real salt's form (Kafka's: a 130-bit number in base 36, 25-26 characters; it was raw HMAC bytes,
// the hash's length, until a review told unknown users apart by it) and is drawn from
// HMAC(secret, mechanism NUL user), so one broker shows a name the same salt every time. What still
// tells them apart, and is not hidden: the secret is per process, so an unknown user's salt differs
// between brokers and across a restart, where a real one's does not; and a real credential made
// with other than 4096 iterations shows its count. A stored credential that cannot be used (fewer
// iterations than Kafka's minimum, keys not the hash's length) is treated as none, with its own
// reason in the log.
//
// Never logged or kept past the exchange: the proof, the keys (cleared once the exchange ends).

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramCredential } from '../../../metadata-log/image-types.js';
import type { ScramMechanism } from '../../../metadata-log/records/types.js';
import { saltText, SCRAM_MECHANISM_INFO, type ScramMechanismInfo } from '../../../metadata-log/records/user-scram-credential.js';
import { SCRAM_MIN_ITERATIONS } from '../../../quorum/controller/configs/scram-credentials.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
import { assert } from '../../../quorum/raft/assert.js';

export { scramMechanismByName, type ScramMechanismName } from '../../../metadata-log/records/user-scram-credential.js';

/** The largest client message taken (a client-final of SCRAM-SHA-512 is ~250 bytes). */
export const SCRAM_MESSAGE_BYTES_MAX = 4096;
/** The iteration count a user without a credential is offered (Kafka's minimum, and kafka-configs' default). */
export const SCRAM_MOCK_ITERATIONS = SCRAM_MIN_ITERATIONS;
/** Random bytes in a server nonce (URL-safe base64, no padding: 43 characters). */
const SERVER_NONCE_BYTES = 32;

/** The stored credential of `user` for `mechanism`, or undefined when it has none (or does not exist). */
export type ScramCredentialLookup = (user: string, mechanism: ScramMechanism) => ScramCredential | undefined;

export interface ScramServerOptions {
  /** The server nonce (printable ASCII without ','); default 32 random bytes in URL-safe base64. */
  readonly nonce?: () => string;
  /** The secret mock salts are made under; default one random secret per process. */
  readonly mockSecret?: Uint8Array;
}

/** Kafka's SaslServerAuthenticator text for a failed exchange, the same whatever went wrong. */
export function scramFailureMessage(mechanismName: string): string {
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanismName}`;
}

/** A failed exchange: `message` is for the client (generic), `reason` for the server's log only. */
export class ScramAuthenticationError extends Error {
  override readonly name = 'ScramAuthenticationError';
  /** SaslAuthenticate's error code for it. */
  readonly code = ErrorCode.SASL_AUTHENTICATION_FAILED;
  readonly retriable = false;
  constructor(
    mechanismName: string,
    /** Why, for the server's log: never the proof, a password or a key. */
    readonly reason: string,
  ) {
    super(scramFailureMessage(mechanismName));
  }
}

let processMockSecret: Buffer | undefined;

function mockSecret(): Buffer {
  processMockSecret ??= randomBytes(32);
  return processMockSecret;
}

type State = 'client-first' | 'client-final' | 'complete' | 'failed';

/** What client-first settled, for client-final. */
interface Pending {
  readonly user: string;
  readonly gs2Header: string;
  readonly clientFirstBare: string;
  readonly serverFirst: string;
  readonly nonce: string;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  /** Set when the user has no usable credential: client-final fails with it whatever the proof. */
  readonly unusable: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Printable ASCII but ',' (RFC 5802's printable), one or more. */
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
/** An extension: a letter name (Kafka takes more than RFC 5802's one), '=', a value of anything but NUL and ','. */
const EXTENSION = /^([A-Za-z]+)=([^\x00,]+)$/;
/** Standard base64 with its padding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** RFC 5802 saslname: "=2C" is ',', "=3D" is '='; any other '=', a bare ',' or a NUL is malformed. */
function decodeSaslName(text: string, what: string): string {
  if (text === '') refuse(`${what} is empty`);
  if (text.includes('\u0000')) refuse(`${what} holds a NUL`);
  return text.replace(/=(2C|3D)?/g, (_all, code: string | undefined) => {
    if (code === undefined) refuse(`${what} holds an '=' not starting "=2C" or "=3D"`);
    return code === '2C' ? ',' : '=';
  });
}

/** `name=value` extensions (client-first after the nonce, client-final between nonce and proof). */
function parseExtensions(parts: readonly string[], where: string): Map<string, string> {
  const extensions = new Map<string, string>();
  for (const part of parts) {
    const m = EXTENSION.exec(part);
    if (m === null) refuse(`${where} holds a malformed attribute or extension`);
    extensions.set(m[1]!, m[2]!);
  }
  return extensions;
}

function hmac(info: ScramMechanismInfo, key: Uint8Array, data: string): Buffer {
  return createHmac(info.hash, key).update(data, 'utf8').digest();
}

export class ScramServerExchange {
  private readonly info: ScramMechanismInfo;
  private state: State = 'client-first';
  private pending: Pending | null = null;
  private authenticated: string | null = null;

  constructor(
    mechanism: ScramMechanism,
    private readonly lookup: ScramCredentialLookup,
    private readonly options: ScramServerOptions = {},
  ) {
    const info = SCRAM_MECHANISM_INFO.get(mechanism);
    assert(info !== undefined, `SCRAM mechanism ${String(mechanism)} is not 1 or 2`);
    this.info = info;
  }

  /** Whether the client proved itself: the exchange ended well. */
  get complete(): boolean {
    return this.state === 'complete';
  }

  /** The authenticated user name (decoded saslname), once complete; else null. */
  get user(): string | null {
    return this.state === 'complete' ? this.authenticated : null;
  }

  /**
   * Feeds the client's next message: client-first → returns server-first; client-final → returns
   * server-final. Throws ScramAuthenticationError on anything wrong, after which the exchange is
   * failed for good (any later call throws too).
   */
  evaluate(clientMessage: Uint8Array): Uint8Array {
    try {
      const state = this.state;
      if (state === 'complete') refuse('a message after the exchange completed (re-authentication is not offered)');
      if (state === 'failed') refuse('a message after the exchange failed');
      if (clientMessage.length > SCRAM_MESSAGE_BYTES_MAX) refuse(`a message of ${clientMessage.length} bytes, over ${SCRAM_MESSAGE_BYTES_MAX}`);
      let text: string;
      try {
        text = utf8.decode(clientMessage);
      } catch {
        refuse('a message that is not UTF-8');
      }
      if (state === 'client-first') {
        const serverFirst = this.clientFirst(text);
        this.state = 'client-final';
        return Buffer.from(serverFirst, 'utf8');
      }
      const serverFinal = this.clientFinal(text);
      this.state = 'complete';
      return Buffer.from(serverFinal, 'utf8');
    } catch (e) {
      this.state = 'failed';
      this.pending = null;
      this.authenticated = null;
      if (e instanceof Refusal) throw new ScramAuthenticationError(this.info.name, e.message);
      throw e;
    }
  }

  private clientFirst(text: string): string {
    const where = 'client-first';
    const parts = text.split(',');
    const flag = parts[0]!;
    if (flag.startsWith('p=')) refuse(`${where} asks for channel binding (gs2 flag "p="): none is offered`);
    if (flag !== 'n' && flag !== 'y') refuse(`${where} does not start with a gs2 header ("n,," or "y,,")`);
    if (parts.length < 4) refuse(`${where} is malformed: it needs a gs2 header, n= and r=`);
    const authzidPart = parts[1]!;
    if (authzidPart !== '' && !authzidPart.startsWith('a=')) refuse(`${where} has a malformed authzid in its gs2 header`);
    const authzid = authzidPart === '' ? null : decodeSaslName(authzidPart.slice(2), 'the authzid');
    const gs2Header = `${flag},${authzidPart},`;
    const clientFirstBare = text.slice(gs2Header.length);
    const userPart = parts[2]!;
    if (userPart.startsWith('m=')) refuse(`${where} holds the reserved attribute m= (RFC 5802 §5.1)`);
    if (!userPart.startsWith('n=')) refuse(`${where} has no n= (user name) after its gs2 header`);
    const user = decodeSaslName(userPart.slice(2), 'the user name');
    const noncePart = parts[3]!;
    if (!noncePart.startsWith('r=')) refuse(`${where} has no r= (nonce) after the user name`);
    const clientNonce = noncePart.slice(2);
    if (!NONCE.test(clientNonce)) refuse(`${where}'s nonce is empty or not printable ASCII`);
    const extensions = parseExtensions(parts.slice(4), where);
    if (extensions.get('tokenauth')?.toLowerCase() === 'true') refuse(`${where} asks for delegation token authentication (tokenauth=true): not supported`);
    // Kafka's rule: an authzid is taken only when it names the user itself.
    if (authzid !== null && authzid !== user) refuse(`${where}: user ${JSON.stringify(user)} asks for authzid ${JSON.stringify(authzid)}, which is not itself`);

    const serverNonce = this.options.nonce?.() ?? randomBytes(SERVER_NONCE_BYTES).toString('base64url');
    assert(NONCE.test(serverNonce), 'a server nonce is printable ASCII without ","');
    const nonce = clientNonce + serverNonce;
    const credential = this.lookup(user, this.info.mechanism);
    const unusable = this.unusable(user, credential);
    let salt: Uint8Array;
    let iterations: number;
    let storedKey: Uint8Array;
    let serverKey: Uint8Array;
    if (unusable === null) {
      ({ salt, iterations, storedKey, serverKey } = credential!);
    } else {
      // The same computations as for a real user follow, against keys nobody holds.
      salt = saltText(hmac(this.info, this.options.mockSecret ?? mockSecret(), `${this.info.name}\0${user}`));
      iterations = SCRAM_MOCK_ITERATIONS;
      storedKey = randomBytes(this.info.bytes);
      serverKey = randomBytes(this.info.bytes);
    }
    const serverFirst = `r=${nonce},s=${Buffer.from(salt).toString('base64')},i=${iterations}`;
    this.pending = { user, gs2Header, clientFirstBare, serverFirst, nonce, storedKey, serverKey, unusable };
    return serverFirst;
  }

  /** Why `user`'s credential cannot be used (the reason client-final will fail with), or null. */
  private unusable(user: string, credential: ScramCredential | undefined): string | null {
    const whose = `user ${JSON.stringify(user)}`;
    if (credential === undefined) return `${whose} has no ${this.info.name} credential (or does not exist)`;
    if (credential.iterations < SCRAM_MIN_ITERATIONS) return `${whose}'s ${this.info.name} credential has ${credential.iterations} iterations, fewer than ${SCRAM_MIN_ITERATIONS}`;
    if (credential.salt.length === 0) return `${whose}'s ${this.info.name} credential has an empty salt`;
    if (credential.storedKey.length !== this.info.bytes || credential.serverKey.length !== this.info.bytes) {
      return `${whose}'s ${this.info.name} credential has keys that are not ${this.info.bytes} bytes`;
    }
    return null;
  }

  private clientFinal(text: string): string {
    const where = 'client-final';
    const p = this.pending;
    assert(p !== null, 'client-final follows a client-first');
    const parts = text.split(',');
    if (parts.length < 3) refuse(`${where} is malformed: it needs c=, r= and p=`);
    const binding = parts[0]!;
    if (!binding.startsWith('c=')) refuse(`${where} does not start with c= (channel binding)`);
    if (binding.slice(2) !== Buffer.from(p.gs2Header, 'utf8').toString('base64')) refuse(`${where}'s c= is not the gs2 header of client-first`);
    const noncePart = parts[1]!;
    if (!noncePart.startsWith('r=')) refuse(`${where} has no r= (nonce) after c=`);
    if (noncePart.slice(2) !== p.nonce) refuse(`${where}'s nonce is not the one server-first gave`);
    const proofPart = parts[parts.length - 1]!;
    if (!proofPart.startsWith('p=')) refuse(`${where} does not end with p= (proof)`);
    parseExtensions(parts.slice(2, -1), where);
    const proofText = proofPart.slice(2);
    if (!BASE64.test(proofText)) refuse(`${where}'s proof is not base64`);
    const proof = Buffer.from(proofText, 'base64');
    if (proof.length !== this.info.bytes) refuse(`${where}'s proof is ${proof.length} bytes, not ${this.info.bytes}`);

    const withoutProof = text.slice(0, text.length - proofPart.length - 1);
    const authMessage = `${p.clientFirstBare},${p.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.info, p.storedKey, authMessage);
    const clientKey = Buffer.alloc(this.info.bytes);
    for (let i = 0; i < clientKey.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const matches = timingSafeEqual(createHash(this.info.hash).update(clientKey).digest(), p.storedKey);
    if (p.unusable !== null) refuse(p.unusable);
    if (!matches) refuse(`user ${JSON.stringify(p.user)}: the proof does not match the ${this.info.name} credential (a wrong password)`);
    const serverFinal = `v=${hmac(this.info, p.serverKey, authMessage).toString('base64')}`;
    this.authenticated = p.user;
    this.pending = null;
    return serverFinal;
  }
}
