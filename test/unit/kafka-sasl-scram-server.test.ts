// The server side of a SCRAM exchange (broker/kafka/sasl/scram-server.ts): RFC 7677's
// SCRAM-SHA-256 example byte for byte; kafkajs 2.2.4's own SCRAM client (its scram256 / scram512
// authenticators, driven in-process through their saslAuthenticate callback, every token carried in
// kafkajs's SaslAuthenticate v1 frames through our codec) succeeding for both mechanisms and
// failing with a wrong password; an unknown user answered a stable mock salt and failed only at
// client-final; and each rule on malformed input, with a test that checks the rule's own reason,
// so removing the rule fails it. The client side written here (proofs) is RFC 5802's, with
// node:crypto, independent of the server's code.

import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { scramSalt } from '../../tools/cli/configs-scram.js';
import { saltText } from '../../metadata-log/records/user-scram-credential.js';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeKafkaRequest, encodeKafkaResponse } from '../../broker/kafka/protocol/index.js';
import {
  SCRAM_MESSAGE_BYTES_MAX,
  SCRAM_MOCK_ITERATIONS,
  ScramAuthenticationError,
  ScramServerExchange,
  scramMechanismByName,
  type ScramCredentialLookup,
} from '../../broker/kafka/sasl/scram-server.js';
import type { ScramCredential } from '../../metadata-log/image-types.js';
import type { ScramMechanism } from '../../metadata-log/records/types.js';

const HASH = { 1: { hash: 'sha256', bytes: 32, name: 'SCRAM-SHA-256' }, 2: { hash: 'sha512', bytes: 64, name: 'SCRAM-SHA-512' } } as const;
const GENERIC = (m: ScramMechanism) => `Authentication failed during authentication due to invalid credentials with SASL mechanism ${HASH[m].name}`;

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** A stored credential as the controller makes it (RFC 5802: StoredKey, ServerKey from SaltedPassword). */
function credential(mechanism: ScramMechanism, password: string, salt: Uint8Array, iterations = 4096): ScramCredential {
  const { hash, bytes } = HASH[mechanism];
  const salted = pbkdf2Sync(password, salt, iterations, bytes, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  return { salt, iterations, storedKey: createHash(hash).update(clientKey).digest(), serverKey: createHmac(hash, salted).update('Server Key').digest() };
}

/** A lookup over `users` (name → mechanism → credential) that records what it was asked. */
function users(entries: Record<string, Partial<Record<ScramMechanism, ScramCredential>>>): ScramCredentialLookup & { asked: [string, ScramMechanism][] } {
  const asked: [string, ScramMechanism][] = [];
  const lookup = ((user: string, mechanism: ScramMechanism) => {
    asked.push([user, mechanism]);
    return Object.hasOwn(entries, user) ? entries[user]![mechanism] : undefined;
  }) as ScramCredentialLookup & { asked: [string, ScramMechanism][] };
  lookup.asked = asked;
  return lookup;
}

/** RFC 5802's client-final for `password`, given what was sent and answered; `extensions` go before the proof. */
function clientFinal(mechanism: ScramMechanism, password: string, clientFirstBare: string, serverFirst: string, options: { gs2Header?: string; nonce?: string; extensions?: string } = {}): string {
  const { hash, bytes } = HASH[mechanism];
  const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), bytes, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=${b64(options.gs2Header ?? 'n,,')},r=${options.nonce ?? attrs.r}${options.extensions ?? ''}`;
  const signature = createHmac(hash, storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  return `${withoutProof},p=${proof.toString('base64')}`;
}

/** What `f` throws: a ScramAuthenticationError (the test fails on anything else or nothing). */
function refusal(f: () => unknown): ScramAuthenticationError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScramAuthenticationError) return e;
    throw e;
  }
  throw new Error('expected a ScramAuthenticationError, nothing was thrown');
}

const SALT = Buffer.from('a salt of sixteen');
const alice = () => users({ alice: { 1: credential(1, 'alice-secret', SALT), 2: credential(2, 'alice-secret', SALT, 8192) } });

/** A fresh SCRAM-SHA-256 exchange with alice (or `lookup`), its server nonce fixed. */
const exchange = (lookup: ScramCredentialLookup = alice(), mechanism: ScramMechanism = 1) => new ScramServerExchange(mechanism, lookup, { nonce: () => 'SERVERNONCE' });

/** client-first (with `gs2Header`) answered; returns the exchange and what is needed for client-final. */
function afterFirst(bare = 'n=alice,r=CLIENTNONCE', gs2Header = 'n,,', lookup?: ScramCredentialLookup, mechanism: ScramMechanism = 1) {
  const ex = exchange(lookup, mechanism);
  const serverFirst = text(ex.evaluate(utf8(gs2Header + bare)));
  return { ex, serverFirst, bare, gs2Header };
}

describe('SCRAM mechanisms by name', () => {
  it('SCRAM-SHA-256 is 1, SCRAM-SHA-512 is 2; other spellings are none', () => {
    expect([scramMechanismByName('SCRAM-SHA-256'), scramMechanismByName('SCRAM-SHA-512')]).toEqual([1, 2]);
    expect([scramMechanismByName('scram-sha-256'), scramMechanismByName('PLAIN'), scramMechanismByName('SCRAM-SHA-1')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('RFC 7677 §3: the SCRAM-SHA-256 example exchange, byte for byte', () => {
  it('user "user", password "pencil": server-first and server-final as the RFC prints them', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const lookup = users({ user: { 1: credential(1, 'pencil', salt, 4096) } });
    const ex = new ScramServerExchange(1, lookup, { nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    expect([ex.complete, ex.user]).toEqual([false, null]);
    const serverFirst = ex.evaluate(utf8('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(text(serverFirst)).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect([ex.complete, ex.user]).toEqual([false, null]);
    const serverFinal = ex.evaluate(utf8('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
    expect(text(serverFinal)).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect([ex.complete, ex.user]).toEqual([true, 'user']);
    expect(lookup.asked).toEqual([['user', 1]]);
  });

  it('the same exchange with one bit of the proof flipped fails with Kafka\'s generic message', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const ex = new ScramServerExchange(1, users({ user: { 1: credential(1, 'pencil', salt) } }), { nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    ex.evaluate(utf8('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    const e = refusal(() => ex.evaluate(utf8('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')));
    expect(e.message).toBe(GENERIC(1));
    expect(e.reason).toMatch(/wrong password/);
    expect(e.reason).not.toContain('eHzbZapWIk4jUhN'); // never the proof
    expect(e.code).toBe(58);
    expect([ex.complete, ex.user]).toEqual([false, null]);
  });
});

describe('kafkajs 2.2.4\'s SCRAM client against the server, in-process', () => {
  const require = createRequire(import.meta.url);
  type Codec = { decode(b: Buffer): Promise<unknown>; parse(d: unknown): Promise<unknown> };
  type Req = { encode(): Promise<Buffer | { buffer: Buffer }> };
  type SaslAuthenticate = (a: { request: Req; response?: Codec }) => Promise<unknown>;
  type Provider = (sasl: { mechanism: string; username: string; password: string }) => (a: { host: string; port: number; logger: unknown; saslAuthenticate: SaslAuthenticate }) => { authenticate(): Promise<void> };
  const providers: Record<ScramMechanism, Provider> = {
    1: require('kafkajs/src/broker/saslAuthenticator/scram256.js') as Provider,
    2: require('kafkajs/src/broker/saslAuthenticator/scram512.js') as Provider,
  };
  const saslAuthenticateV1 = (require('kafkajs/src/protocol/requests/saslAuthenticate/index.js') as { protocol(a: { version: number }): (a: { authBytes: Buffer }) => { request: Req; response: Codec } }).protocol({ version: 1 });
  const frameOf = require('kafkajs/src/protocol/request.js') as (a: { correlationId: number; clientId: string; request: Req }) => Promise<{ buffer: Buffer }>;
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };

  /**
   * kafkajs's SASLAuthenticator.authenticate, past the handshake: each SCRAM token goes in a
   * SaslAuthenticate v1 request frame kafkajs encodes, which our codec decodes; the exchange
   * answers; our SaslAuthenticate v1 response (error 58 and the generic message on a failure)
   * is decoded and parsed by kafkajs, and its token handed back to kafkajs's SCRAM parser.
   */
  async function authenticate(mechanism: ScramMechanism, username: string, password: string, ex: ScramServerExchange, tokens: string[] = []): Promise<string[]> {
    let correlationId = 0;
    const saslAuthenticate: SaslAuthenticate = async ({ request, response }) => {
      const authBytes = (await request.encode()) as Buffer;
      const { request: wire, response: wireResponse } = saslAuthenticateV1({ authBytes });
      const frame = (await frameOf({ correlationId: ++correlationId, clientId: 'kjs', request: wire })).buffer.subarray(4);
      const decoded = decodeKafkaRequest(frame);
      if (decoded.kind !== 'request' || decoded.api !== 'SaslAuthenticate') throw new Error('not a SaslAuthenticate request');
      tokens.push(text(decoded.request.authBytes));
      let answer;
      try {
        answer = { errorCode: 0, errorMessage: null, authBytes: ex.evaluate(decoded.request.authBytes), sessionLifetimeMs: 0n };
      } catch (e) {
        if (!(e instanceof ScramAuthenticationError)) throw e;
        answer = { errorCode: e.code, errorMessage: e.message, authBytes: new Uint8Array(0), sessionLifetimeMs: 0n };
      }
      const ours = encodeKafkaResponse('SaslAuthenticate', decoded.header, answer);
      const parsed = (await wireResponse.parse(await wireResponse.decode(ours.subarray(8)))) as { authBytes: Buffer };
      if (response === undefined) return undefined;
      return response.parse(await response.decode(parsed.authBytes));
    };
    await providers[mechanism]({ mechanism: HASH[mechanism].name, username, password })({ host: 'broker', port: 9092, logger: quiet, saslAuthenticate }).authenticate();
    return tokens;
  }

  for (const mechanism of [1, 2] as const) {
    const name = HASH[mechanism].name;
    it(`${name}: kafkajs authenticates, and checks our server signature`, async () => {
      const lookup = alice();
      const ex = new ScramServerExchange(mechanism, lookup);
      const tokens = await authenticate(mechanism, 'alice', 'alice-secret', ex);
      expect([ex.complete, ex.user]).toEqual([true, 'alice']);
      expect(lookup.asked).toEqual([['alice', mechanism]]);
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).toMatch(/^n,,n=alice,r=[A-Za-z0-9_-]+$/);
    });

    it(`${name}: a wrong password fails at client-final with Kafka's message, which kafkajs reports`, async () => {
      const ex = new ScramServerExchange(mechanism, alice());
      await expect(authenticate(mechanism, 'alice', 'not-alice-secret', ex)).rejects.toMatchObject({
        name: 'KafkaJSSASLAuthenticationError',
        message: `SASL SCRAM ${HASH[mechanism].hash.toUpperCase()} authentication failed: ${GENERIC(mechanism)}`,
      });
      expect([ex.complete, ex.user]).toEqual([false, null]);
    });

    it(`${name}: an unknown user gets a server-first, and fails only at client-final, as a wrong password does`, async () => {
      const ex = new ScramServerExchange(mechanism, alice());
      const tokens: string[] = [];
      await expect(authenticate(mechanism, 'mallory', 'alice-secret', ex, tokens)).rejects.toMatchObject({
        message: `SASL SCRAM ${HASH[mechanism].hash.toUpperCase()} authentication failed: ${GENERIC(mechanism)}`,
      });
      // kafkajs got a server-first it could answer: the refusal came to its client-final.
      expect(tokens.map((t) => t.slice(0, 2))).toEqual(['n,', 'c=']);
      expect(ex.complete).toBe(false);
    });
  }

  it('a user name holding "," and "=" travels as kafkajs escapes it (=2C, =3D) and is looked up decoded', async () => {
    const lookup = users({ 'CN=bob,O=acme': { 2: credential(2, 'pw', SALT) } });
    const ex = new ScramServerExchange(2, lookup);
    const tokens = await authenticate(2, 'CN=bob,O=acme', 'pw', ex);
    expect(tokens[0]).toMatch(/^n,,n=CN=3Dbob=2CO=3Dacme,r=/);
    expect(lookup.asked).toEqual([['CN=bob,O=acme', 2]]);
    expect(ex.user).toBe('CN=bob,O=acme');
  });

  it('a credential for the other mechanism only is no credential: SCRAM-SHA-256 for a SCRAM-SHA-512-only user fails', async () => {
    const lookup = users({ carol: { 2: credential(2, 'pw', SALT) } });
    const ex = new ScramServerExchange(1, lookup);
    await expect(authenticate(1, 'carol', 'pw', ex)).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    expect(lookup.asked).toEqual([['carol', 1]]);
  });
});

describe('a user without a usable credential: a mock salt, then failure at client-final', () => {
  const saltOf = (serverFirst: string) => Buffer.from(/,s=([^,]+),/.exec(serverFirst)![1]!, 'base64');
  const firstFor = (user: string, mechanism: ScramMechanism = 1, options: { mockSecret?: Uint8Array } = {}, lookup: ScramCredentialLookup = alice()) =>
    text(new ScramServerExchange(mechanism, lookup, { nonce: () => 'S', ...options }).evaluate(utf8(`n,,n=${user},r=C`)));

  it('the same user sees the same salt every time, another user another, per mechanism; 4096 iterations', () => {
    const first = firstFor('mallory');
    expect(first).toMatch(/^r=CS,s=[A-Za-z0-9+/]+=*,i=4096$/);
    expect(SCRAM_MOCK_ITERATIONS).toBe(4096);
    expect(firstFor('mallory')).toBe(first);
    expect(saltOf(firstFor('trudy'))).not.toEqual(saltOf(first));
    expect(saltOf(firstFor('mallory', 2))).not.toEqual(saltOf(first));
  });

  it('the mock salt has a real salt\'s form (a review told unknown users apart by its length): base 36 digits of 130 bits, as the CLI draws them', () => {
    const value = (s: string) => [...s].reduce((n, d) => n * 36n + BigInt(parseInt(d, 36)), 0n);
    const mock = ['mallory', 'trudy', 'eve', 'x', 'a-much-longer-user-name@example.com'].flatMap((u) => [1, 2].map((m) => saltOf(firstFor(u, m as ScramMechanism)).toString('utf8')));
    for (const s of [...mock, scramSalt().toString('utf8')]) {
      expect(s).toMatch(/^[0-9a-z]{20,26}$/); // 36^20 > 2^103: fewer digits is a 1-in-2^27 draw
      expect(value(s) < 2n ** 130n).toBe(true);
    }
  });

  it('the mock salt is drawn from HMAC(secret, mechanism NUL user) with the mechanism\'s hash', () => {
    const secret = Buffer.from('a per-process secret');
    const expected = (hash: string, name: string) => saltText(createHmac(hash, secret).update(`${name}\0mallory`).digest());
    expect(saltOf(firstFor('mallory', 1, { mockSecret: secret }))).toEqual(expected('sha256', 'SCRAM-SHA-256'));
    expect(saltOf(firstFor('mallory', 2, { mockSecret: secret }))).toEqual(expected('sha512', 'SCRAM-SHA-512'));
    // 130 bits of the HMAC: base 36, not the HMAC's raw bytes.
    expect(saltOf(firstFor('mallory', 1, { mockSecret: secret })).toString('utf8')).toMatch(/^[0-9a-z]{20,26}$/);
  });

  it('client-final fails even with a proof made correctly against the mock salt, for the reason the log needs', () => {
    const { ex, serverFirst, bare } = afterFirst('n=mallory,r=C', 'n,,', alice());
    const e = refusal(() => ex.evaluate(utf8(clientFinal(1, 'any', bare, serverFirst))));
    expect(e.message).toBe(GENERIC(1));
    expect(e.reason).toMatch(/"mallory" has no SCRAM-SHA-256 credential/);
    expect(ex.complete).toBe(false);
  });

  it('a stored credential with fewer than 4096 iterations, or keys of the wrong length, is treated as none', () => {
    const weak = credential(1, 'pw', SALT, 1000);
    const shortKeys = { ...credential(1, 'pw', SALT), storedKey: Buffer.alloc(20), serverKey: Buffer.alloc(20) };
    for (const [c, reason] of [[weak, /1000 iterations, fewer than 4096/], [shortKeys, /keys that are not 32 bytes/]] as const) {
      const lookup = users({ dave: { 1: c } });
      const { ex, serverFirst, bare } = afterFirst('n=dave,r=C', 'n,,', lookup);
      expect(saltOf(serverFirst)).not.toEqual(SALT); // the mock's
      expect(serverFirst).toMatch(/,i=4096$/);
      const e = refusal(() => ex.evaluate(utf8(clientFinal(1, 'pw', bare, serverFirst))));
      expect(e.reason).toMatch(reason);
    }
  });
});

describe('the server nonce', () => {
  it('by default 32 random bytes in URL-safe base64 without padding, new for every exchange, after the client\'s', () => {
    const nonceOf = () => /^r=CLIENT([^,]+),/.exec(text(new ScramServerExchange(1, alice()).evaluate(utf8('n,,n=alice,r=CLIENT'))))![1]!;
    const a = nonceOf();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(nonceOf()).not.toBe(a);
  });
});

describe('client-first: what is taken', () => {
  it('"y,," (the client would bind channels but the server offers none) is taken, and c= must then be base64 of "y,,"', () => {
    const { ex, serverFirst, bare } = afterFirst('n=alice,r=C', 'y,,');
    expect(text(ex.evaluate(utf8(clientFinal(1, 'alice-secret', bare, serverFirst, { gs2Header: 'y,,' }))))).toMatch(/^v=/);
    expect(ex.user).toBe('alice');
  });

  it('an authzid naming the user itself is taken (Kafka\'s rule), and is part of the gs2 header c= repeats', () => {
    const { ex, serverFirst, bare } = afterFirst('n=alice,r=C', 'n,a=alice,');
    ex.evaluate(utf8(clientFinal(1, 'alice-secret', bare, serverFirst, { gs2Header: 'n,a=alice,' })));
    expect([ex.complete, ex.user]).toEqual([true, 'alice']);
  });

  it('extensions after the nonce are taken (and tokenauth=false), and are part of AuthMessage', () => {
    const { ex, serverFirst, bare } = afterFirst('n=alice,r=C,ext=1,tokenauth=false');
    ex.evaluate(utf8(clientFinal(1, 'alice-secret', bare, serverFirst)));
    expect(ex.complete).toBe(true);
  });

  it(`a message of exactly ${SCRAM_MESSAGE_BYTES_MAX} bytes is taken`, () => {
    const head = 'n,,n=alice,r=C,pad=';
    expect(SCRAM_MESSAGE_BYTES_MAX).toBe(4096);
    expect(text(exchange().evaluate(utf8(head + 'x'.repeat(4096 - head.length))))).toMatch(/^r=CSERVERNONCE,/);
  });
});

describe('client-final: what is taken', () => {
  it('extensions between the nonce and the proof are taken, and are covered by the proof', () => {
    const { ex, serverFirst, bare } = afterFirst();
    ex.evaluate(utf8(clientFinal(1, 'alice-secret', bare, serverFirst, { extensions: ',x=y' })));
    expect(ex.complete).toBe(true);
  });
});

describe('every rule on malformed input fails the exchange, for its own reason', () => {
  /** client-first `message` is refused for `reason`. */
  const refusesFirst = (message: string | Uint8Array, reason: RegExp) => {
    const lookup = alice();
    const ex = exchange(lookup);
    const e = refusal(() => ex.evaluate(typeof message === 'string' ? utf8(message) : message));
    expect(e.message).toBe(GENERIC(1));
    expect(e.reason).toMatch(reason);
    expect([ex.complete, ex.user]).toEqual([false, null]);
    return lookup;
  };

  it.each([
    ['channel binding asked for ("p=tls-unique")', 'p=tls-unique,,n=alice,r=C', /channel binding/],
    ['a gs2 flag other than n, y or p', 'x,,n=alice,r=C', /gs2 header/],
    ['no gs2 header at all', 'n=alice,r=C', /gs2 header/],
    ['an authzid other than the user', 'n,a=bob,n=alice,r=C', /authzid "bob"/],
    ['a malformed authzid field', 'n,z=alice,n=alice,r=C', /malformed authzid/],
    ['an empty authzid', 'n,a=,n=alice,r=C', /the authzid is empty/],
    ['the reserved m= attribute before the user name', 'n,,m=ext,n=alice,r=C', /reserved attribute m=/],
    ['no n= after the gs2 header', 'n,,r=C,n=alice', /no n=/],
    ['an empty user name', 'n,,n=,r=C', /user name is empty/],
    ['a user name with "=" not starting =2C or =3D', 'n,,n=al=41ice,r=C', /'=' not starting/],
    ['a user name with a lower-case escape', 'n,,n=al=2cice,r=C', /'=' not starting/],
    ['a user name ending in "="', 'n,,n=alice=,r=C', /'=' not starting/],
    ['a user name holding a NUL', 'n,,n=al\u0000ice,r=C', /NUL/],
    ['no r= after the user name', 'n,,n=alice,x=C', /no r=/],
    ['an empty nonce', 'n,,n=alice,r=', /nonce is empty or not printable/],
    ['a nonce with a space', 'n,,n=alice,r=a b', /nonce is empty or not printable/],
    ['a nonce with DEL', 'n,,n=alice,r=ab\u007f', /nonce is empty or not printable/],
    ['a nonce with a non-ASCII character', 'n,,n=alice,r=abé', /nonce is empty or not printable/],
    ['too few fields', 'n,,n=alice', /malformed/],
    ['a malformed extension', 'n,,n=alice,r=C,noequals', /malformed attribute or extension/],
    ['an extension with an empty value', 'n,,n=alice,r=C,ext=', /malformed attribute or extension/],
    ['tokenauth=true (delegation tokens)', 'n,,n=alice,r=C,tokenauth=true', /delegation token/],
    ['tokenauth=TRUE (read as Java\'s parseBoolean does)', 'n,,n=alice,r=C,tokenauth=TRUE', /delegation token/],
  ])('%s', (_name, message, reason) => {
    refusesFirst(message, reason);
  });

  it('none of these refusals looks the user up: a malformed message tells nothing of who exists', () => {
    expect(refusesFirst('n,a=bob,n=alice,r=C', /authzid/).asked).toEqual([]);
  });

  it(`a message over ${SCRAM_MESSAGE_BYTES_MAX} bytes`, () => {
    const head = 'n,,n=alice,r=C,pad=';
    refusesFirst(head + 'x'.repeat(4097 - head.length), /4097 bytes, over 4096/);
  });

  it('a message that is not UTF-8 (a lone 0xff in the user name, a cut multi-byte character)', () => {
    refusesFirst(Buffer.concat([utf8('n,,n=al'), Buffer.from([0xff]), utf8('ice,r=C')]), /not UTF-8/);
    refusesFirst(Buffer.concat([utf8('n,,n=alice,r=C,x=a'), Buffer.from([0xc3])]), /not UTF-8/);
  });

  it('a byte-order mark before the gs2 header is kept, and so refused (not silently dropped)', () => {
    refusesFirst(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('n,,n=alice,r=C')]), /gs2 header/);
  });

  /** client-final `message` (built from the exchange's own server-first) is refused for `reason`. */
  const refusesFinal = (build: (a: { bare: string; serverFirst: string }) => string, reason: RegExp, first = 'n=alice,r=C', gs2Header = 'n,,') => {
    const { ex, serverFirst, bare } = afterFirst(first, gs2Header);
    const e = refusal(() => ex.evaluate(utf8(build({ bare, serverFirst }))));
    expect(e.message).toBe(GENERIC(1));
    expect(e.reason).toMatch(reason);
    expect([ex.complete, ex.user]).toEqual([false, null]);
  };
  const good = ({ bare, serverFirst }: { bare: string; serverFirst: string }) => clientFinal(1, 'alice-secret', bare, serverFirst);

  it('c= not the gs2 header sent, even with a proof made over it', () => {
    refusesFinal(({ bare, serverFirst }) => clientFinal(1, 'alice-secret', bare, serverFirst, { gs2Header: 'y,,' }), /c= is not the gs2 header/);
    refusesFinal(({ bare, serverFirst }) => clientFinal(1, 'alice-secret', bare, serverFirst, { gs2Header: 'n,,' }), /c= is not the gs2 header/, 'n=alice,r=C', 'n,a=alice,');
  });

  it('r= not the full nonce, even with a proof made over it', () => {
    refusesFinal(({ bare, serverFirst }) => clientFinal(1, 'alice-secret', bare, serverFirst, { nonce: 'C' }), /nonce is not the one/);
    refusesFinal(({ bare, serverFirst }) => clientFinal(1, 'alice-secret', bare, serverFirst, { nonce: 'CSERVERNONCEX' }), /nonce is not the one/);
  });

  it('a proof that is not base64, or not the hash\'s length', () => {
    refusesFinal((a) => good(a).replace(/p=.*$/, 'p=!!!!'), /proof is not base64/);
    refusesFinal((a) => good(a).replace(/p=.*$/, 'p=QUJD'), /proof is 3 bytes, not 32/);
    refusesFinal((a) => good(a).replace(/p=.*$/, `p=${b64(Buffer.alloc(33))}`), /proof is 33 bytes, not 32/);
    refusesFinal((a) => good(a).replace(/p=.*$/, 'p='), /proof is 0 bytes/);
  });

  it('a wrong password', () => {
    refusesFinal(({ bare, serverFirst }) => clientFinal(1, 'wrong', bare, serverFirst), /wrong password/);
  });

  it('no proof last, no c= first, no r= second, too few fields, a malformed extension', () => {
    refusesFinal((a) => good(a).replace(/,p=.*$/, ''), /malformed: it needs c=, r= and p=/);
    refusesFinal((a) => good(a).replace(/,p=.*$/, ',x=1'), /does not end with p=/);
    refusesFinal((a) => `${good(a)},x=1`, /does not end with p=/);
    refusesFinal((a) => good(a).replace(/^c=/, 'd='), /does not start with c=/);
    refusesFinal((a) => good(a).replace(',r=', ',q='), /no r=/);
    refusesFinal(() => 'c=biws,p=AAAA', /malformed: it needs c=, r= and p=/);
    refusesFinal(({ bare, serverFirst }) => clientFinal(1, 'alice-secret', bare, serverFirst, { extensions: ',bad' }), /malformed attribute or extension/);
  });

  it('a message in the wrong step: client-final first, client-first twice, anything after completion', () => {
    refusesFirst('c=biws,r=CSERVERNONCE,p=AAAA', /gs2 header/);
    refusesFinal(() => 'n,,n=alice,r=C', /does not start with c=/);
    const { ex, serverFirst, bare } = afterFirst();
    ex.evaluate(utf8(good({ bare, serverFirst })));
    expect([ex.complete, ex.user]).toEqual([true, 'alice']);
    const e = refusal(() => ex.evaluate(utf8('n,,n=alice,r=C')));
    expect(e.reason).toMatch(/after the exchange completed/);
    expect([ex.complete, ex.user]).toEqual([false, null]);
  });

  it('a failed exchange stays failed: the right message afterwards is refused too', () => {
    const { ex, serverFirst, bare } = afterFirst();
    refusal(() => ex.evaluate(utf8(clientFinal(1, 'wrong', bare, serverFirst))));
    const e = refusal(() => ex.evaluate(utf8(good({ bare, serverFirst }))));
    expect(e.reason).toMatch(/after the exchange failed/);
    expect([ex.complete, ex.user]).toEqual([false, null]);
    // And one failed at client-first.
    const early = exchange();
    refusal(() => early.evaluate(utf8('x,,n=alice,r=C')));
    expect(refusal(() => early.evaluate(utf8('n,,n=alice,r=C'))).reason).toMatch(/after the exchange failed/);
  });

  it('the client is told the same generic text whatever went wrong; the reason never holds the proof', () => {
    const { ex, serverFirst, bare } = afterFirst();
    const final = clientFinal(1, 'wrong', bare, serverFirst);
    const e = refusal(() => ex.evaluate(utf8(final)));
    expect(e.reason).not.toContain(final.slice(final.indexOf('p=') + 2));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ScramAuthenticationError');
    expect(e.retriable).toBe(false);
  });
});
