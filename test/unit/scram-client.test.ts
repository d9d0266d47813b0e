// The tools' SCRAM client (tools/admin/scram-client.ts) against the broker's SCRAM server
// (broker/kafka/sasl/scram-server.ts), and what it refuses of a server: a nonce that does not
// extend its own, an iteration count outside Kafka's range, a bad salt, an e= error, a wrong
// server signature. And sasl.jaas.config as Kafka reads it (tools/admin/jaas-config.ts).

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ScramServerExchange } from '../../broker/kafka/sasl/scram-server.js';
import { ScramClientExchange } from '../../tools/admin/scram-client.js';
import { scramCredential } from '../support/scram-credential.js';
import { parseJaasEntry } from '../../tools/admin/jaas-config.js';

const credential = scramCredential;

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('SCRAM client', () => {
  for (const [mechanism, id] of [['SCRAM-SHA-256', 1], ['SCRAM-SHA-512', 2]] as const) {
    it(`${mechanism}: proves the password to the broker's server, and checks the server's signature`, () => {
      const server = new ScramServerExchange(id, (user, m) => (user === 'a,b=c' && m === id ? credential(id, 'pw', 8192) : undefined));
      const client = new ScramClientExchange(mechanism, 'a,b=c', 'pw');
      const first = client.first();
      expect(text(first)).toMatch(/^n,,n=a=2Cb=3Dc,r=[A-Za-z0-9_-]{32}$/);
      const final = client.respond(server.evaluate(first));
      const serverFinal = server.evaluate(final);
      expect(server.complete && server.user).toBe('a,b=c');
      expect(() => client.verify(serverFinal)).not.toThrow();
    });
  }

  it('a wrong password fails at the server', () => {
    const server = new ScramServerExchange(1, () => credential(1, 'right'));
    const client = new ScramClientExchange('SCRAM-SHA-256', 'alice', 'wrong');
    const final = client.respond(server.evaluate(client.first()));
    expect(() => server.evaluate(final)).toThrow(/invalid credentials/);
  });

  const afterFirst = (nonce = 'CLIENTNONCE') => {
    const c = new ScramClientExchange('SCRAM-SHA-256', 'alice', 'pw', { nonce });
    c.first();
    return c;
  };
  const salt = Buffer.from('salt').toString('base64');

  it("refuses a server-first whose nonce does not extend the client's, or adds nothing", () => {
    expect(() => afterFirst().respond(bytes(`r=OTHERNONCE123,s=${salt},i=4096`))).toThrow(/nonce does not extend/);
    expect(() => afterFirst().respond(bytes(`r=CLIENTNONCE,s=${salt},i=4096`))).toThrow(/nonce does not extend/);
    expect(() => afterFirst().respond(bytes(`r=CLIENTNONCEsrv,s=${salt},i=4096`))).not.toThrow();
  });

  it("refuses iterations outside Kafka's 4096..16384 (a rogue server could make the tool spin), and a missing or bad salt", () => {
    expect(() => afterFirst().respond(bytes(`r=CLIENTNONCEs,s=${salt},i=4095`))).toThrow(/"4095" iterations; a SCRAM credential has 4096 to 16384/);
    expect(() => afterFirst().respond(bytes(`r=CLIENTNONCEs,s=${salt},i=16385`))).toThrow(/16385/);
    expect(() => afterFirst().respond(bytes(`r=CLIENTNONCEs,s=${salt},i=1e9`))).toThrow(/iterations/);
    expect(() => afterFirst().respond(bytes(`r=CLIENTNONCEs,s=${salt},i=16384`))).not.toThrow();
    expect(() => afterFirst().respond(bytes('r=CLIENTNONCEs,s=,i=4096'))).toThrow(/salt is missing or not base64/);
    expect(() => afterFirst().respond(bytes('r=CLIENTNONCEs,s=%%%,i=4096'))).toThrow(/salt is missing or not base64/);
  });

  it("the server's e= error is passed on; a server-final that does not match is refused", () => {
    expect(() => afterFirst().respond(bytes('e=unknown-user'))).toThrow('the server refused: unknown-user');
    const c = afterFirst();
    c.respond(bytes(`r=CLIENTNONCEs,s=${salt},i=4096`));
    expect(() => c.verify(bytes(`v=${randomBytes(32).toString('base64')}`))).toThrow(/signature does not match/);
    const d = afterFirst();
    d.respond(bytes(`r=CLIENTNONCEs,s=${salt},i=4096`));
    expect(() => d.verify(bytes('e=invalid-proof'))).toThrow('the server refused: invalid-proof');
  });

  it('steps out of order are a programming error; a mechanism that is not SCRAM is refused', () => {
    const c = new ScramClientExchange('SCRAM-SHA-256', 'alice', 'pw');
    expect(() => c.respond(bytes('r=x'))).toThrow(/state fresh, expected sent-first/);
    expect(() => new ScramClientExchange('PLAIN', 'alice', 'pw')).toThrow(/not a SCRAM mechanism/);
  });
});

describe('sasl.jaas.config', () => {
  const MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

  it("Kafka's form: a module, a control flag, quoted or bare options, ending with ';'", () => {
    const e = parseJaasEntry(`${MODULE} required username="alice" password="s3 cr\\"et;=" extra=bare;`);
    expect(e).toEqual({ loginModule: MODULE, controlFlag: 'required', options: new Map([['username', 'alice'], ['password', 's3 cr"et;='], ['extra', 'bare']]) });
    expect(parseJaasEntry(`\n  ${MODULE}\n  REQUIRED\n  username = "bob"\n  password="p\\\\w" ;  `).options).toEqual(new Map([['username', 'bob'], ['password', 'p\\w']]));
  });

  it("read with the rules of Kafka's tokenizer (a review found these read differently): single quotes, comments, Java escapes, the last of an option named twice", () => {
    const options = (text: string) => parseJaasEntry(text).options;
    expect(options(`${MODULE} required username='alice' password='s3 "cret"';`)).toEqual(new Map([['username', 'alice'], ['password', 's3 "cret"']]));
    expect(options(`${MODULE} required /* the tool's user */ username="alice" // not this: password="x"\n password="pw"; // trailing`)).toEqual(
      new Map([['username', 'alice'], ['password', 'pw']]),
    );
    expect(options(`${MODULE} required password="a\\tb\\n\\101\\7\\q";`).get('password')).toBe('a\tb\nA\x07q');
    expect(options(`${MODULE} required password="first" password="second";`).get('password')).toBe('second');
    expect(options(`${MODULE} required "username"="alice";`).get('username')).toBe('alice');
    // A quote not closed ends at the end of its line, as in Java.
    expect(options(`${MODULE} required password="pw\n;`).get('password')).toBe('pw');
  });

  it('refuses what Kafka refuses, without quoting any value or unknown token (a password may be one)', () => {
    for (const [text, message] of [
      [`${MODULE} required username="a" password="secret-1"`, "does not end with ';'"],
      [`${MODULE} mandatory username="a";`, `expected a control flag (required, requisite, sufficient, optional) after ${MODULE}`],
      [`${MODULE} required username "a";`, "option username: expected a name, then '=', then a value"],
      [`${MODULE} required username="a" password=secret-1 secret-2;`, "an option: expected a name, then '=', then a value (is a value with spaces or ';' not quoted?)"],
      [`${MODULE} required password="secret-1"secret-2;`, 'an option: expected'],
      [`${MODULE} required password=;`, 'option password: expected a value'],
      [`${MODULE} required username="a"; ${MODULE} required username="b";`, 'more than one login module entry'],
      ['secret-1 mandatory;', 'after the login module'],
      ['', 'expected a login module class name first'],
      ['/* only a comment */', 'expected a login module class name first'],
    ] as const) {
      let thrown: Error | undefined;
      try {
        parseJaasEntry(text);
      } catch (e) {
        thrown = e as Error;
      }
      expect(thrown?.message, text).toContain(message);
      expect(thrown?.message).not.toMatch(/secret-/);
    }
  });
});
