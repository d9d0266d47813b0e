// What one Kafka client can make a broker hold: a request's decoded objects are bounded by the
// items of its arrays (REQUEST_ITEMS_MAX), and a connection takes no more requests, even from a
// chunk already received, while its answers are in flight or unsent. From a review of the broker's
// Kafka side; over a real socket against serveKafkaConnection with the handler testbed's context.

import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveKafkaConnection } from '../../broker/kafka/kafka-connection.js';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import { handleMetadata } from '../../broker/kafka/handlers/metadata.js';
import { decodeKafkaRequest, KafkaProtocolError, KafkaWriter, REQUEST_ITEMS_MAX } from '../../broker/kafka/protocol/index.js';
import { encodeRequestFrame } from '../../tools/kafka-client/mirror-codec.js';
import { capturingLogger } from '../support/recording-logger.js';
import { startLoneBroker } from '../support/lone-broker.js';
import { testbed, topicRecords } from './kafka-handlers-fixture.js';

const servers: net.Server[] = [];
const clients: net.Socket[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A Metadata v1 request body (header included) naming `count` empty topic names: 2 bytes each. */
function metadataOfEmptyNames(count: number): Buffer {
  const head = new KafkaWriter().int16(3).int16(1).int32(1).nullableString('review').int32(count).toBuffer();
  return Buffer.concat([head, Buffer.alloc(2 * count, 0)]);
}

function sized(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

describe('a request is bounded by its array items', () => {
  it(`a Metadata request of ${REQUEST_ITEMS_MAX} names decodes; one more is refused as TOO_MANY_ITEMS (it would cost ~60x its bytes in objects)`, () => {
    const atBound = decodeKafkaRequest(metadataOfEmptyNames(REQUEST_ITEMS_MAX));
    expect(atBound).toMatchObject({ kind: 'request', api: 'Metadata', items: REQUEST_ITEMS_MAX });
    let thrown: unknown;
    try {
      decodeKafkaRequest(metadataOfEmptyNames(REQUEST_ITEMS_MAX + 1));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KafkaProtocolError);
    expect(thrown).toMatchObject({ code: 'TOO_MANY_ITEMS' });
  });

  it('items are counted over all the arrays of a request, nested ones included', () => {
    const decoded = decodeKafkaRequest(
      encodeRequestFrame('OffsetFetch', 1, { groupId: 'g', topics: [{ name: 'a', partitionIndexes: [0, 1, 2] }, { name: 'b', partitionIndexes: [0] }] }, 1, null),
    );
    expect(decoded).toMatchObject({ kind: 'request', items: 2 + 3 + 1 });
  });

  it('Metadata answers a topic named twice once, as Kafka does', async () => {
    const tb = testbed();
    const response = await handleMetadata(tb.ctx, { topics: ['t1', 't1', 'missing', 'missing'], allowAutoTopicCreation: false }, 1);
    expect(response.topics.map((t) => t.name)).toEqual(['t1', 'missing']);
  });
});

describe('a client that sends but never reads', () => {
  it('one 64 KiB write of small Metadata requests: the broker works on a bounded number and queues a bounded amount, then answers all of them once the client reads', async () => {
    const extra = Array.from({ length: 40 }, (_, i) => topicRecords(`topic-with-a-longish-name-${i}`, 100 + i, 10)).flat();
    const tb = testbed({ records: extra });
    let handled = 0;
    const ctx: KafkaContext = { ...tb.ctx, image: () => (handled++, tb.ctx.image()) };
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      serveKafkaConnection(s, ctx, capturingLogger(), 'test');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;

    const one = encodeRequestFrame('Metadata', 0, { topics: null, allowAutoTopicCreation: true }, 1, null);
    const frames = Array.from({ length: Math.floor(65_536 / (one.length + 4)) }, () => sized(one));
    const sock = net.connect(port, '127.0.0.1');
    clients.push(sock);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.pause(); // does not read
    sock.write(Buffer.concat(frames));
    await new Promise((r) => setTimeout(r, 1_000));
    const answerBytes = sockets[0]!.writableLength;
    // Unbounded, all of them were answered at once (3,640 handled, 40 MB queued in the review).
    expect(handled).toBeLessThan(frames.length / 2);
    expect(answerBytes).toBeLessThan(8 * 1024 * 1024);

    // Reading again: every request is answered, in order, none lost while the connection waited.
    let answers = 0;
    let pending = Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${answers} of ${frames.length} answers within 20 s`)), 20_000);
      sock.on('data', (d: Buffer) => {
        pending = Buffer.concat([pending, d]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          pending = pending.subarray(4 + pending.readInt32BE(0));
          answers++;
        }
        if (answers === frames.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      sock.resume();
    });
    expect(handled).toBe(frames.length);
  }, 30_000);
});

describe('a string that decodes longer than a STRING holds', () => {
  /** A Metadata v1 request naming one topic whose name is `name` (raw bytes). */
  function metadataNaming(name: Buffer): Buffer {
    const length = Buffer.alloc(2);
    length.writeInt16BE(name.length);
    return Buffer.concat([new KafkaWriter().int16(3).int16(1).int32(1).nullableString('review').int32(1).toBuffer(), length, name]);
  }

  it('11,000 bytes of invalid UTF-8 (33,000 once each byte is replaced) are refused as STRING_TOO_LONG, before a group id or config value could be stored with it', () => {
    expect(() => decodeKafkaRequest(metadataNaming(Buffer.alloc(11_000, 0xff)))).toThrow(expect.objectContaining({ code: 'STRING_TOO_LONG' }));
  });

  it('what still fits is read: 10,922 invalid bytes (32,766 replaced) and 32,767 ASCII bytes', () => {
    expect(decodeKafkaRequest(metadataNaming(Buffer.alloc(10_922, 0xff)))).toMatchObject({ kind: 'request' });
    expect(decodeKafkaRequest(metadataNaming(Buffer.alloc(32_767, 0x61)))).toMatchObject({ kind: 'request' });
  });
});

describe('before the broker has caught up with the metadata log', () => {
  it('requests are held, unread, and answered once it has (a broker answering from an empty image told kafkajs there were no brokers)', async () => {
    let markCaughtUp!: () => void;
    const tb = testbed();
    let handled = 0;
    const ctx: KafkaContext = { ...tb.ctx, image: () => (handled++, tb.ctx.image()), caughtUp: new Promise<void>((r) => (markCaughtUp = r)) };
    const server = net.createServer((s) => serveKafkaConnection(s, ctx, capturingLogger(), 'test'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    clients.push(sock);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let answers = 0;
    sock.on('data', () => answers++);
    const request = sized(encodeRequestFrame('Metadata', 1, { topics: null, allowAutoTopicCreation: false }, 1, null));
    sock.write(Buffer.concat([request, request]));
    await new Promise((r) => setTimeout(r, 300));
    expect({ handled, answers }).toEqual({ handled: 0, answers: 0 });
    markCaughtUp();
    const until = Date.now() + 5_000;
    while (handled < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(handled).toBe(2);
  });

  it('a broker that has not reached the quorum holds a Kafka client\'s Metadata instead of answering from its empty image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-unready-broker-'));
    const fatal: unknown[] = [];
    const broker = await startLoneBroker(dir, { onFatal: (e) => fatal.push(e) });
    try {
      const sock = net.connect(broker.addresses().get('PLAINTEXT')!.port, '127.0.0.1');
      clients.push(sock);
      await new Promise<void>((r) => sock.once('connect', () => r()));
      let answered = false;
      let closed = false;
      sock.on('data', () => (answered = true));
      sock.on('close', () => (closed = true));
      sock.write(sized(encodeRequestFrame('Metadata', 6, { topics: null, allowAutoTopicCreation: false }, 3, 'probe')));
      await new Promise((r) => setTimeout(r, 1_000));
      expect(broker.state).toBe('STARTING');
      expect({ answered, closed }).toEqual({ answered: false, closed: false });
      expect(fatal).toEqual([]);
    } finally {
      await broker.halt();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
