// SASL/SCRAM on a broker's Kafka connection (broker/kafka/sasl/sasl-session.ts wired into
// kafka-connection.ts): an unmodified kafkajs 2.2.4 client authenticates with SCRAM-SHA-256 and
// SCRAM-SHA-512 against the credentials in the broker's image and is then served, as User:<name>
// for the authorizer; a wrong password, an unknown user or a mechanism the listener does not offer
// fails as Kafka fails it, after connection.failed.authentication.delay.ms, and is counted and
// logged (without the password); a client that skips authentication, or sends a frame over
// sasl.server.max.receive.size first, is closed; Kafka's legacy v0 exchange (raw tokens after a v0
// SaslHandshake) works too. Over real sockets against serveKafkaConnection, with the handler
// testbed's image. The exchange itself is tested in kafka-sasl-scram-server.test.ts.

import net from 'node:net';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type SASLOptions } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { serveKafkaConnection } from '../../broker/kafka/kafka-connection.js';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import { KafkaMetrics } from '../../broker/broker-metrics.js';
import { RefusalWarnings } from '../../quorum/net/refusal-warnings.js';
import { KafkaReader, KafkaWriter } from '../../broker/kafka/protocol/index.js';
import { StandardAuthorizer } from '../../quorum/controller/acls/authorizer.js';
import { scramKeys } from '../../quorum/controller/configs/scram-credentials.js';
import { saltedPassword } from '../../tools/cli/configs-scram.js';
import type { RegisterBrokerRecord, ScramMechanism, UserScramCredentialRecord } from '../../metadata-log/records/types.js';
import { capturingLogger } from '../support/recording-logger.js';
import { brokerRecord, mvRecord, testbed } from './kafka-handlers-fixture.js';
import { timerAtLeastMs } from '../support/timer-granularity.js';

const servers: net.Server[] = [];
const admins: Admin[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const a of admins.splice(0)) await a.disconnect().catch(() => undefined);
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

function credential(name: string, mechanism: ScramMechanism, password: string, iterations = 4096): UserScramCredentialRecord {
  const salt = randomBytes(16);
  return { type: 'UserScramCredential', name, mechanism, salt, iterations, ...scramKeys(mechanism, saltedPassword(mechanism, password, salt, iterations)) };
}

const ALICE = [credential('alice', 1, 'alice-secret'), credential('alice', 2, 'alice-secret-512', 8192)];

interface Served {
  readonly port: number;
  readonly logger: ReturnType<typeof capturingLogger>;
  readonly metrics: KafkaMetrics;
}

async function serve(
  options: { mechanisms?: readonly string[]; delayMs?: number; maxReceiveBytes?: number; records?: UserScramCredentialRecord[]; authorizer?: StandardAuthorizer } = {},
): Promise<Served> {
  let ctx: KafkaContext | undefined;
  const logger = capturingLogger();
  const server = net.createServer((s) => serveKafkaConnection(s, ctx!, logger, `${s.remoteAddress}:${s.remotePort}`));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  // One broker, registered at this listener, and no topics: kafkajs dials every broker the
  // metadata names, and its metadata calls throw on a partition without a reachable leader.
  const self = { ...(brokerRecord(1, 10) as RegisterBrokerRecord), endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 'SASL_PLAINTEXT' }] };
  const tb = testbed({ baseRecords: [mvRecord(), self], records: options.records ?? ALICE });
  const metrics = new KafkaMetrics();
  ctx = {
    ...tb.ctx,
    metrics,
    ...(options.authorizer === undefined ? {} : { authorizer: options.authorizer }),
    sasl: {
      mechanisms: options.mechanisms ?? ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
      failedAuthenticationDelayMs: options.delayMs ?? 0,
      maxReceiveBytes: options.maxReceiveBytes ?? 524288,
      failureWarnings: new RefusalWarnings(),
    },
  };
  return { port, logger, metrics };
}

async function admin(port: number, sasl?: SASLOptions): Promise<Admin> {
  const kafka = new Kafka({ clientId: 'sasl-test', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...(sasl === undefined ? {} : { sasl }) });
  const a = kafka.admin();
  admins.push(a);
  await a.connect();
  return a;
}

/** What connecting failed with ('ok' when it did not). */
async function connectOutcome(port: number, sasl?: SASLOptions): Promise<string> {
  try {
    const a = await admin(port, sasl);
    await a.listTopics();
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('SCRAM authentication with kafkajs', () => {
  it('SCRAM-SHA-256 and SCRAM-SHA-512 with the right password: served (the cluster described), counted as successes', async () => {
    const s = await serve();
    const a256 = await admin(s.port, { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' });
    expect((await a256.describeCluster()).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: s.port }]);
    const a512 = await admin(s.port, { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret-512' });
    expect((await a512.describeCluster()).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: s.port }]);
    const sample = s.metrics.families([]).find((f) => f.name === 'metaquorum_broker_sasl_authentications_total')!.samples;
    expect(sample).toEqual([
      { labels: { listener: 'PLAINTEXT', mechanism: 'SCRAM-SHA-256', result: 'success' }, value: 1 },
      { labels: { listener: 'PLAINTEXT', mechanism: 'SCRAM-SHA-512', result: 'success' }, value: 1 },
    ]);
  });

  it("a wrong password, another mechanism's password, or an unknown user: Kafka's SASL_AUTHENTICATION_FAILED message, a failure counted and logged without the password", async () => {
    const s = await serve();
    const failed = 'KafkaJSSASLAuthenticationError: SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256';
    expect(await connectOutcome(s.port, { mechanism: 'scram-sha-256', username: 'alice', password: 'hunter2-guess' })).toBe(failed);
    expect(await connectOutcome(s.port, { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret-512' })).toBe(failed);
    expect(await connectOutcome(s.port, { mechanism: 'scram-sha-256', username: 'mallory', password: 'alice-secret' })).toBe(failed);
    const sample = s.metrics.families([]).find((f) => f.name === 'metaquorum_broker_sasl_authentications_total')!.samples;
    expect(sample).toEqual([{ labels: { listener: 'PLAINTEXT', mechanism: 'SCRAM-SHA-256', result: 'failure' }, value: 3 }]);
    // One warn line for the three (coalesced per listener), naming the mechanism; no password in any line.
    const warns = s.logger.lines.filter((l) => l.msg === 'SASL authentication failed');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 'warn', fields: { mechanism: 'SCRAM-SHA-256', failures: 1 } });
    expect(JSON.stringify(s.logger.lines)).not.toMatch(/alice-secret|hunter2/);
  });

  it('a mechanism the listener does not offer: kafkajs is told which are offered and fails', async () => {
    const s = await serve({ mechanisms: ['SCRAM-SHA-512'] });
    expect(await connectOutcome(s.port, { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' })).toBe(
      'KafkaJSProtocolError: The broker does not support the requested SASL mechanism',
    );
    expect(await connectOutcome(s.port, { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret-512' })).toBe('ok');
  });

  it('a failed authentication is answered only after connection.failed.authentication.delay.ms', async () => {
    const s = await serve({ delayMs: 400 });
    const started = performance.now();
    expect(await connectOutcome(s.port, { mechanism: 'scram-sha-256', username: 'alice', password: 'wrong' })).toContain('Authentication failed');
    expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(400));
  });

  it("the authenticated user is the principal the authorizer sees: User:alice, a super user, may describe the broker's configs; User:bob, with no ACLs, may not", async () => {
    const authorizer = new StandardAuthorizer({ superUsers: new Set(['User:alice']), allowEveryoneIfNoAclFound: false });
    const s = await serve({ records: [...ALICE, credential('bob', 1, 'bob-secret')], authorizer });
    const describeBroker = (a: Admin) => a.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }], includeSynonyms: false });
    const alice = await admin(s.port, { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' });
    expect((await describeBroker(alice)).resources[0]).toMatchObject({ resourceName: '1', errorCode: 0 });
    const bob = await admin(s.port, { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' });
    await expect(describeBroker(bob)).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
  });

  it('a client without SASL on a SASL listener: its ApiVersions is answered, its next request closes the connection (logged)', async () => {
    const s = await serve();
    expect(await connectOutcome(s.port)).not.toBe('ok');
    expect(s.logger.lines.some((l) => l.msg === 'closing Kafka connection' && String(l.fields['reason']).includes('before SASL authentication'))).toBe(true);
  });
});

// ---- raw frames ---------------------------------------------------------------------------------

/** The error code of an answer whose body starts with it (after the correlation id). */
function errorOf(frame: Buffer | null): number {
  const r = new KafkaReader(frame!);
  r.int32('correlation id');
  return r.int16('error');
}

/** A request frame: size, header v1 (api key, version, correlation id, client id), body. */
function request(apiKey: number, version: number, correlationId: number, body: (w: KafkaWriter) => void): Buffer {
  const w = new KafkaWriter().int16(apiKey).int16(version).int32(correlationId).nullableString('raw');
  body(w);
  return sized(w.toBuffer());
}

function sized(bytes: Uint8Array): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(bytes.length);
  return Buffer.concat([size, bytes]);
}

/** Reads size-prefixed frames off a socket, in order; null once it closed. */
function frames(socket: net.Socket): () => Promise<Buffer | null> {
  let buffered = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    wake?.();
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  return async () => {
    for (;;) {
      if (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const n = buffered.readInt32BE(0);
        const frame = buffered.subarray(4, 4 + n);
        buffered = buffered.subarray(4 + n);
        return frame;
      }
      if (closed) return null;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  };
}

async function connect(port: number): Promise<{ socket: net.Socket; next: () => Promise<Buffer | null> }> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, next: frames(socket) };
}

/** The client's side of SCRAM-SHA-256 (RFC 5802), for the raw v0 exchange. */
function scramClient(user: string, password: string) {
  const nonce = randomBytes(12).toString('base64url');
  const first = `n=${user},r=${nonce}`;
  return {
    first: Buffer.from(`n,,${first}`),
    final(serverFirst: string): { message: Buffer; serverSignature: string } {
      const fields = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
      const salted = saltedPassword(1, password, Buffer.from(fields['s']!, 'base64'), Number(fields['i']));
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${fields['r']}`;
      const authMessage = `${first},${serverFirst},${withoutProof}`;
      const signature = createHmac('sha256', storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      return { message: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`), serverSignature: createHmac('sha256', serverKey).update(authMessage).digest('base64') };
    },
  };
}

/** The legacy exchange after its v0 SaslHandshake: client-first and client-final as raw frames; what the broker answered last (null: it closed). */
async function legacyExchange(port: number, user: string, password: string) {
  const c = await connect(port);
  c.socket.write(request(17, 0, 1, (w) => w.string('SCRAM-SHA-256')));
  await c.next();
  const client = scramClient(user, password);
  c.socket.write(sized(client.first));
  c.socket.write(sized(client.final((await c.next())!.toString()).message));
  return { ...c, last: await c.next() };
}

describe('SASL on raw frames', () => {
  it("Kafka's legacy exchange: a v0 SaslHandshake, then the SCRAM messages as raw frames; then requests are served", async () => {
    const s = await serve();
    const { socket, next } = await connect(s.port);
    socket.write(request(17, 0, 1, (w) => w.string('SCRAM-SHA-256')));
    const handshake = new KafkaReader((await next())!);
    expect(handshake.int32('correlation id')).toBe(1);
    expect(handshake.int16('error')).toBe(0);
    const client = scramClient('alice', 'alice-secret');
    socket.write(sized(client.first));
    const serverFirst = (await next())!.toString();
    expect(serverFirst).toMatch(/^r=.+,s=.+,i=4096$/);
    const final = client.final(serverFirst);
    socket.write(sized(final.message));
    expect((await next())!.toString()).toBe(`v=${final.serverSignature}`);
    // Authenticated: a Metadata v1 request (no topics: all) is answered.
    socket.write(request(3, 1, 2, (w) => w.int32(-1)));
    expect(new KafkaReader((await next())!).int32('correlation id')).toBe(2);
  });

  it('a failed legacy exchange closes the connection unanswered, after connection.failed.authentication.delay.ms (a review found v0 closed at once: a guesser could skip the delay)', async () => {
    const s = await serve({ delayMs: 300 });
    const started = performance.now();
    expect((await legacyExchange(s.port, 'alice', 'not-her-password')).last).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(300));
  });

  it('frames pipelined behind a failing SaslAuthenticate are never answered, and do not bring the close forward', async () => {
    const s = await serve({ delayMs: 300 });
    const { socket, next } = await connect(s.port);
    const authenticate = (id: number, token: Buffer) => request(36, 1, id, (w) => w.bytes(token));
    socket.write(request(17, 1, 1, (w) => w.string('SCRAM-SHA-256')));
    expect(errorOf(await next())).toBe(0);
    const client = scramClient('alice', 'wrong-password');
    socket.write(authenticate(2, client.first));
    const first = new KafkaReader((await next())!);
    expect(first.int32('correlation id')).toBe(2);
    expect(first.int16('error')).toBe(0);
    first.nullableString('message');
    const serverFirst = Buffer.from(first.bytes('auth bytes')).toString();
    const started = performance.now();
    // The wrong proof, then in the same write: a Metadata request, another SaslHandshake, an ApiVersions.
    socket.write(Buffer.concat([authenticate(3, client.final(serverFirst).message), request(3, 1, 4, (w) => w.int32(-1)), request(17, 1, 5, (w) => w.string('SCRAM-SHA-256')), request(18, 0, 6, () => undefined)]));
    const failure = new KafkaReader((await next())!);
    expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(300));
    expect(failure.int32('correlation id')).toBe(3);
    expect(failure.int16('error')).toBe(58); // SASL_AUTHENTICATION_FAILED
    expect(await next()).toBeNull();
  });

  it('one ApiVersions before the handshake, as Kafka allows: a second is not answered and the connection closes after the delay', async () => {
    const s = await serve({ delayMs: 200 });
    const { socket, next } = await connect(s.port);
    socket.write(request(18, 0, 1, () => undefined));
    expect(new KafkaReader((await next())!).int32('correlation id')).toBe(1);
    const started = performance.now();
    socket.write(request(18, 0, 2, () => undefined));
    expect(await next()).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(200));
    expect(s.logger.lines.some((l) => String(l.fields['reason']) === 'a second ApiVersions before SASL authentication')).toBe(true);
  });

  it('ApiVersions at a version not served is answered UNSUPPORTED_VERSION (the client retries lower) a few times, not without end', async () => {
    const s = await serve();
    const { socket, next } = await connect(s.port);
    for (let id = 1; id <= 3; id++) {
      socket.write(request(18, 99, id, () => undefined));
      const r = new KafkaReader((await next())!);
      expect(r.int32('correlation id')).toBe(id);
      expect(r.int16('error')).toBe(35); // UNSUPPORTED_VERSION
    }
    socket.write(request(18, 99, 4, () => undefined));
    expect(await next()).toBeNull();
    // A client that retries at a served version within the budget is served, then authenticates.
    const retry = await connect(s.port);
    retry.socket.write(request(18, 99, 1, () => undefined));
    expect(errorOf(await retry.next())).toBe(35);
    retry.socket.write(request(18, 0, 2, () => undefined));
    expect(errorOf(await retry.next())).toBe(0);
    retry.socket.write(request(17, 1, 3, (w) => w.string('SCRAM-SHA-256')));
    expect(errorOf(await retry.next())).toBe(0);
  });

  it('a mechanism the listener does not offer is answered after the delay too (Kafka delays every failure of the exchange)', async () => {
    const s = await serve({ delayMs: 250, mechanisms: ['SCRAM-SHA-512'] });
    const { socket, next } = await connect(s.port);
    const started = performance.now();
    socket.write(request(17, 1, 1, (w) => w.string('SCRAM-SHA-256')));
    const answer = await next();
    expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(250));
    expect(errorOf(answer)).toBe(33); // UNSUPPORTED_SASL_MECHANISM
    expect(await next()).toBeNull();
  });

  it('a client that leaves while its failure is held back leaves no timer behind', async () => {
    const s = await serve({ delayMs: 60_000 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { socket } = await connect(s.port);
    socket.write(request(3, 1, 1, (w) => w.int32(-1))); // Metadata before the handshake: refused, held 60 s
    await new Promise((r) => setTimeout(r, 100));
    const held = timers();
    expect(held).toBeGreaterThanOrEqual(1);
    socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(timers()).toBe(held - 1);
  });

  it('before authentication a request over sasl.server.max.receive.size closes the connection; a small one is read', async () => {
    const s = await serve({ maxReceiveBytes: 1024 });
    const big = await connect(s.port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(4096);
    big.socket.write(header);
    expect(await big.next()).toBeNull();
    expect(s.logger.lines.some((l) => String(l.fields['reason']).includes('before SASL authentication is outside 0..1024 (sasl.server.max.receive.size)'))).toBe(true);
    const small = await connect(s.port);
    small.socket.write(request(18, 0, 7, () => undefined)); // ApiVersions v0
    expect(new KafkaReader((await small.next())!).int32('correlation id')).toBe(7);
  });

  it('a second SaslHandshake after authenticating is ILLEGAL_SASL_STATE (no re-authentication), and the connection goes on', async () => {
    const s = await serve();
    const { socket, next, last } = await legacyExchange(s.port, 'alice', 'alice-secret');
    expect(last!.toString()).toMatch(/^v=/);
    socket.write(request(17, 1, 3, (w) => w.string('SCRAM-SHA-256')));
    const again = new KafkaReader((await next())!);
    expect(again.int32('correlation id')).toBe(3);
    expect(again.int16('error')).toBe(34);
    socket.write(request(18, 0, 4, () => undefined));
    expect(new KafkaReader((await next())!).int32('correlation id')).toBe(4);
  });
});
