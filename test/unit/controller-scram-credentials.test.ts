// SCRAM credentials (quorum/controller/configs/scram-credentials.ts): AlterUserScramCredentials's
// rules and records (the keys checked against RFC 7677's SCRAM-SHA-256 exchange), and
// DescribeUserScramCredentials on the image.

import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  alterUserScramCredentials,
  describeUserScramCredentials,
  type ScramCredentialDeletion,
  type ScramCredentialUpsertion,
} from '../../quorum/controller/configs/scram-credentials.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { mvRecord, OpHarness } from './controller-configs-fixture.js';

/** An upsertion as Kafka's AdminClient builds it: the password salted on the client. */
function upsertion(name: string, mechanism: number, password: string, iterations = 4096, salt: Buffer = Buffer.from(`salt-of-${name}`)): ScramCredentialUpsertion {
  const hash = mechanism === 2 ? 'sha512' : 'sha256';
  return { name, mechanism, iterations, salt, saltedPassword: pbkdf2Sync(password, salt, iterations, hash === 'sha512' ? 64 : 32, hash) };
}
const deletion = (name: string, mechanism: number): ScramCredentialDeletion => ({ name, mechanism });

function alter(h: OpHarness, upsertions: ScramCredentialUpsertion[], deletions: ScramCredentialDeletion[] = []) {
  const r = alterUserScramCredentials(h.ctx(), { deletions, upsertions });
  const response = h.apply(r);
  return { records: r.records, results: response.results.map((x) => [x.user, x.errorCode] as const), messages: response.results.map((x) => x.errorMessage), response };
}

const held = (h: OpHarness) => Object.fromEntries([...h.image.scramUsers()].map((u) => [u.name, Object.fromEntries([...u.credentials].map(([m, c]) => [m, c.iterations]))]));

describe('alterUserScramCredentials', () => {
  it("stores RFC 5802's StoredKey and ServerKey, not the salted password: RFC 7677's SCRAM-SHA-256 exchange verifies against them", () => {
    const h = new OpHarness();
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const r = alter(h, [upsertion('user', 1, 'pencil', 4096, salt)]);
    expect(r.results).toEqual([['user', ErrorCode.NONE]]);
    expect(r.records).toHaveLength(1);
    const stored = h.image.scramUser('user')!.credentials.get(1)!;
    expect(stored.iterations).toBe(4096);
    expect(Buffer.from(stored.salt).equals(salt)).toBe(true);
    // The exchange of RFC 7677 section 3: the server's signature and the client's proof.
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    expect(createHmac('sha256', stored.serverKey).update(authMessage).digest('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const signature = createHmac('sha256', stored.storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    expect(createHash('sha256').update(clientKey).digest().equals(Buffer.from(stored.storedKey))).toBe(true);
    // Nothing stored is the salted password.
    const salted = upsertion('user', 1, 'pencil', 4096, salt).saltedPassword;
    for (const bytes of [stored.salt, stored.storedKey, stored.serverKey]) expect(Buffer.from(bytes).equals(Buffer.from(salted))).toBe(false);
  });

  it('SCRAM-SHA-512 keys are 64 bytes; a second upsertion replaces the mechanism; a deletion removes one, the user going with its last', () => {
    const h = new OpHarness();
    expect(alter(h, [upsertion('alice', 1, 'a'), upsertion('bob', 2, 'b', 8192)]).results).toEqual([['alice', 0], ['bob', 0]]);
    expect(h.image.scramUser('bob')!.credentials.get(2)!.storedKey).toHaveLength(64);
    expect(alter(h, [upsertion('alice', 2, 'a2', 10000)]).results).toEqual([['alice', 0]]);
    expect(alter(h, [upsertion('alice', 1, 'a3', 5000)]).results).toEqual([['alice', 0]]);
    expect(held(h)).toEqual({ alice: { 1: 5000, 2: 10000 }, bob: { 2: 8192 } });
    const d = alter(h, [], [deletion('alice', 1), deletion('bob', 2)]);
    expect(d.results).toEqual([['alice', 0], ['bob', 0]]);
    expect(d.records).toEqual([
      { type: 'RemoveUserScramCredential', name: 'alice', mechanism: 1 },
      { type: 'RemoveUserScramCredential', name: 'bob', mechanism: 2 },
    ]);
    expect(held(h)).toEqual({ alice: { 2: 10000 } });
  });

  it("refuses per user, each beside a valid user that is still written: Kafka's codes and bounds", () => {
    const h = new OpHarness();
    alter(h, [upsertion('held', 1, 'p')]);
    const r = alter(
      h,
      [
        upsertion('ok', 1, 'p'),
        upsertion('', 1, 'p'),
        upsertion('sha1', 3, 'p'),
        upsertion('few', 1, 'p', 4095),
        upsertion('many', 2, 'p', 16385),
        { ...upsertion('nosalt', 1, 'p'), salt: Buffer.alloc(0) },
        { ...upsertion('short', 2, 'p'), saltedPassword: Buffer.alloc(32) },
        upsertion('edge-low', 1, 'p', 4096),
        upsertion('edge-high', 2, 'p', 16384),
      ],
      [deletion('missing', 1), deletion('held', 2), deletion('nomech', 0)],
    );
    expect(Object.fromEntries(r.results)).toEqual({
      missing: ErrorCode.RESOURCE_NOT_FOUND,
      held: ErrorCode.RESOURCE_NOT_FOUND, // it holds SCRAM-SHA-256 only
      nomech: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      ok: 0,
      '': ErrorCode.UNACCEPTABLE_CREDENTIAL,
      sha1: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      few: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      many: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      nosalt: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      short: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      'edge-low': 0,
      'edge-high': 0,
    });
    expect(r.messages.join('\n')).toMatch(/Too few iterations: 4095, at least 4096/);
    expect(r.messages.join('\n')).toMatch(/Too many iterations: 16385, at most 16384/);
    expect(r.messages.join('\n')).toMatch(/SCRAM-SHA-512 keys are 64 bytes .*got 32/);
    expect(r.messages.join('\n')).toMatch(/Attempt to delete a user credential that does not exist: held has no SCRAM-SHA-512 credential/);
    expect(r.records.map((x) => (x.type === 'UserScramCredential' ? x.name : x.type))).toEqual(['ok', 'edge-low', 'edge-high']);
    expect(Object.keys(held(h)).sort()).toEqual(['edge-high', 'edge-low', 'held', 'ok']);
  });

  it("a user's changes are written all or none, one result per user: two mechanisms in one request are taken (kafka-configs' example), the same mechanism twice is DUPLICATE_RESOURCE", () => {
    const h = new OpHarness();
    alter(h, [upsertion('alice', 1, 'p'), upsertion('dave', 1, 'p')]);
    const r = alter(
      h,
      [upsertion('alice', 1, 'p2', 5000), upsertion('bob', 1, 'p'), upsertion('bob', 2, 'p', 8192), upsertion('carol', 1, 'p'), upsertion('carol', 2, 'p', 100), upsertion('dave', 2, 'p')],
      [deletion('alice', 1), deletion('dave', 1)],
    );
    expect(r.results).toEqual([
      ['alice', ErrorCode.DUPLICATE_RESOURCE],
      ['dave', 0],
      ['bob', 0],
      ['carol', ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ]);
    expect(r.messages[0]).toBe("A user credential cannot be altered twice in the same request: alice's mechanism 1 is named more than once");
    expect(r.messages[3]).toMatch(/Too few iterations: 100/);
    // The user's first refusal is its answer, a duplicate after it too (as Kafka answers).
    expect(alter(h, [upsertion('frank', 1, 'p')], [deletion('frank', 1)]).results).toEqual([['frank', ErrorCode.RESOURCE_NOT_FOUND]]);
    // alice as she was; carol's valid SCRAM-SHA-256 is not written beside her refused SCRAM-SHA-512.
    expect(held(h)).toEqual({ alice: { 1: 4096 }, bob: { 1: 4096, 2: 8192 }, dave: { 2: 4096 } });
  });

  it('below metadata.version 1.0-IV6: UNSUPPORTED_VERSION for every user, no records; at 1.0-IV6 it is written', () => {
    const low = new OpHarness([mvRecord(6)]);
    const r = alter(low, [upsertion('alice', 1, 'p')], [deletion('bob', 1)]);
    expect(r.results).toEqual([['bob', ErrorCode.UNSUPPORTED_VERSION], ['alice', ErrorCode.UNSUPPORTED_VERSION]]);
    expect(r.messages[0]).toMatch(/metadata.version 1.0-IV6 or later/);
    expect(r.records).toEqual([]);
    expect(alter(new OpHarness([mvRecord(7)]), [upsertion('alice', 1, 'p')]).results).toEqual([['alice', 0]]);
  });

  it('a malformed request (no lists, a salt that is not bytes) is refused as a whole', () => {
    const h = new OpHarness();
    expect(() => alterUserScramCredentials(h.ctx(), { upsertions: [] } as never)).toThrow(/deletions must be a list/);
    expect(() => alterUserScramCredentials(h.ctx(), { deletions: [], upsertions: [{ ...upsertion('a', 1, 'p'), salt: 'abc' }] } as never)).toThrow(/salt, saltedPassword \} \(bytes\)/);
    expect(() => alterUserScramCredentials(h.ctx(), { deletions: [{ name: 'a' }], upsertions: [] } as never)).toThrow(/deletions must be a list/);
  });
});

describe('describeUserScramCredentials', () => {
  function seeded() {
    const h = new OpHarness();
    alter(h, [upsertion('bob', 2, 'b', 8192), upsertion('alice', 1, 'a')]);
    alter(h, [upsertion('alice', 2, 'a', 16384)]);
    return h;
  }

  it('null or empty users: every user with a credential, by name, mechanisms and iterations only (never salts or keys)', () => {
    const h = seeded();
    for (const users of [null, []]) {
      const r = describeUserScramCredentials(h.image, { users });
      expect(r).toEqual({
        errorCode: 0,
        errorMessage: null,
        results: [
          { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 16384 }] },
          { user: 'bob', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 2, iterations: 8192 }] },
        ],
      });
    }
  });

  it('named users once each in the order first named: a user without credentials is RESOURCE_NOT_FOUND, one named twice DUPLICATE_RESOURCE', () => {
    const h = seeded();
    const r = describeUserScramCredentials(h.image, { users: [{ name: 'carol' }, { name: 'bob' }, { name: 'alice' }, { name: 'carol' }] });
    expect(r.results.map((x) => [x.user, x.errorCode, x.errorMessage])).toEqual([
      ['carol', ErrorCode.DUPLICATE_RESOURCE, 'Cannot describe SCRAM credentials for the same user twice in a single request: carol'],
      ['bob', 0, null],
      ['alice', 0, null],
    ]);
    expect(describeUserScramCredentials(h.image, { users: [{ name: 'dave' }] }).results).toEqual([
      { user: 'dave', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist: dave', credentialInfos: [] },
    ]);
  });

  it('a malformed request is refused', () => {
    expect(() => describeUserScramCredentials(new OpHarness().image, { users: [{}] } as never)).toThrow(/users must be null or a list of \{ name \}/);
  });
});
