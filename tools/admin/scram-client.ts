// The client side of one SCRAM exchange (RFC 5802, RFC 7677; Kafka's ScramSaslClient), for
// metaquorum's tools on a broker's SASL listener (quorum/net/handshake.ts carries the messages):
//
//   first()               client-first   "n,," "n=" saslname ",r=" c-nonce
//   respond(server-first) client-final   "c=biws,r=" c-nonce s-nonce ",p=" base64(proof)
//   verify(server-final)  "v=" base64(ServerSignature) must be the one this password gives: the
//                         server holds the credential, not just anyone who answers
//
// States: fresh → first() → sent-first → respond() → sent-final → verify() → done; any other order
// is a programming error (an Error). What the server sends is checked as Kafka's client checks it,
// each refusal an Error naming what is wrong (never the password): a nonce that does not start
// with ours or adds nothing, a salt that is not base64 or empty, an iteration count below
// SCRAM_MIN_ITERATIONS or above SCRAM_MAX_ITERATIONS (a rogue server could make the tool spin),
// "e=" (the server's error), a signature that does not match.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SaslClientExchange } from '../../quorum/net/types.js';
import { SCRAM_MECHANISM_INFO, scramMechanismByName, type ScramMechanismInfo } from '../../metadata-log/records/user-scram-credential.js';
import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS } from '../../quorum/controller/configs/scram-credentials.js';
import { saltedPassword } from '../cli/configs-scram.js';

/** RFC 5802's saslname: ',' and '=' escaped. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface ScramClientOptions {
  /** The client nonce (printable ASCII without ','); default 24 random bytes, URL-safe base64. */
  readonly nonce?: string;
}

export class ScramClientExchange implements SaslClientExchange {
  private readonly info: ScramMechanismInfo;
  private readonly nonce: string;
  private state: 'fresh' | 'sent-first' | 'sent-final' | 'done' = 'fresh';
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;

  constructor(
    readonly mechanism: string,
    private readonly user: string,
    private readonly password: string,
    options: ScramClientOptions = {},
  ) {
    const id = scramMechanismByName(mechanism);
    if (id === undefined) throw new Error(`SASL mechanism ${mechanism}: not a SCRAM mechanism (SCRAM-SHA-256 or SCRAM-SHA-512)`);
    this.info = SCRAM_MECHANISM_INFO.get(id)!;
    this.nonce = options.nonce ?? randomBytes(24).toString('base64url');
  }

  first(): Uint8Array {
    this.expect('fresh');
    this.state = 'sent-first';
    this.clientFirstBare = `n=${saslName(this.user)},r=${this.nonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  respond(challenge: Uint8Array): Uint8Array {
    this.expect('sent-first');
    this.state = 'sent-final';
    const serverFirst = text(challenge, 'server-first');
    if (serverFirst.startsWith('e=')) throw new Error(`the server refused: ${serverFirst.slice(2)}`);
    const fields = attributes(serverFirst, 'server-first');
    const nonce = fields.get('r');
    if (nonce === undefined || !nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new Error("server-first's nonce does not extend the client's (not a SCRAM server, or a replayed answer)");
    }
    const saltText = fields.get('s');
    if (saltText === undefined || saltText === '' || !BASE64.test(saltText)) throw new Error("server-first's salt is missing or not base64");
    const iterationsText = fields.get('i') ?? '';
    const iterations = /^[0-9]{1,9}$/.test(iterationsText) ? Number(iterationsText) : NaN;
    if (!(iterations >= SCRAM_MIN_ITERATIONS && iterations <= SCRAM_MAX_ITERATIONS)) {
      throw new Error(`server-first asks for ${JSON.stringify(iterationsText.slice(0, 20))} iterations; a SCRAM credential has ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}`);
    }
    const { hash, bytes } = this.info;
    const salted = saltedPassword(this.info.mechanism, this.password, Buffer.from(saltText, 'base64'), iterations);
    const clientKey = createHmac(hash, salted).update('Client Key').digest();
    const storedKey = createHash(hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac(hash, storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    const serverKey = createHmac(hash, salted).update('Server Key').digest();
    this.expectedServerSignature = createHmac(hash, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  verify(outcome: Uint8Array): void {
    this.expect('sent-final');
    this.state = 'done';
    const serverFinal = text(outcome, 'server-final');
    if (serverFinal.startsWith('e=')) throw new Error(`the server refused: ${serverFinal.slice(2)}`);
    const v = attributes(serverFinal, 'server-final').get('v');
    const got = v !== undefined && BASE64.test(v) ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    const expected = this.expectedServerSignature!;
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new Error("the server's signature does not match this password's: it does not hold this user's credential (another cluster, or not the server it claims to be)");
    }
  }

  private expect(state: ScramClientExchange['state']): void {
    if (this.state !== state) throw new Error(`SCRAM client: a step in state ${this.state}, expected ${state}`);
  }
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error(`${what} is not UTF-8`);
  }
}

/** `k=v` attributes separated by ','; the first of each name kept. */
function attributes(message: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new Error(`${what} holds a malformed attribute`);
    if (!out.has(part[0]!)) out.set(part[0]!, part.slice(2));
  }
  return out;
}
