// End-to-end fuzzing of a broker's Kafka listener (tools/fuzz/kafka-fuzz.ts): 100,000 random and
// mutated Kafka frames (plus valid requests mixed in) against a real broker process, bounded in
// time, while a bystander client on its own connection keeps asking ApiVersions and Metadata.
//
// Afterwards: every frame was sent within the time limit, the broker process is still up, the
// bystander never failed, the broker closed the offending connections and logged a reason for each
// (no handler failed on a request that decoded), and an unmodified kafkajs admin still lists and
// creates topics.
//
// The seed is fixed so a failure can be replayed: `node dist/tools/fuzz/kafka-fuzz.js --seed <S>
// --print-frame <i,j,...>` prints the frames a finding lists, `--replay` sends them again.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_APIS } from '../../broker/kafka/protocol/index.js';
import { generateFuzzFrame, runKafkaFuzz, seedCorpus, type KafkaFuzzResult } from '../../tools/fuzz/kafka-fuzz.js';
import { MIRRORS } from '../../tools/kafka-client/mirror-codec.js';
import { startTestCluster, type TestCluster } from '../support/process-harness.js';
import { connectedAdmin } from '../support/kafkajs.js';

const FRAMES = 100_000;
const SEED = 20_251_121;
/**
 * 17-38 s alone on a 2-core machine (the broker spends ~0.2 ms per refused connection); CI runs
 * other test files beside it, hence the margin.
 */
const TIME_LIMIT_MS = 120_000;

interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

/** The NDJSON lines of a node's log (anything that is not JSON, such as stderr, is skipped). */
function logLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut short by the process's end
    }
  }
  return out;
}

describe('the fuzzer itself', () => {
  it('seeds from every API and version the test codec encodes, and frame i is a pure function of (seed, i)', () => {
    const seeds = new Set(seedCorpus().map((s) => `${s.api} v${s.version}`));
    for (const api of Object.keys(MIRRORS) as (keyof typeof MIRRORS)[]) {
      const c = KAFKA_APIS[api];
      for (let v = c.minVersion; v <= c.maxVersion; v++) expect(seeds.has(`${api} v${v}`), `${api} v${v}`).toBe(true);
    }
    const kinds = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const a = generateFuzzFrame(SEED, i);
      expect(generateFuzzFrame(SEED, i).bytes.equals(a.bytes)).toBe(true);
      kinds.add(a.kind);
    }
    expect([...kinds].sort()).toEqual(['mutated', 'random', 'valid']);
    let same = 0;
    for (let i = 0; i < 100; i++) if (generateFuzzFrame(SEED + 1, i).bytes.equals(generateFuzzFrame(SEED, i).bytes)) same++;
    expect(same).toBeLessThan(10);
  });
});

describe.sequential('Kafka listener fuzzing: 100,000 random and mutated frames against a broker (1 controller + 1 broker)', () => {
  let t: TestCluster;
  const exits: string[] = [];
  let brokerId: number;
  let result: KafkaFuzzResult;

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 1, combined: false }, exits);
    brokerId = t.cluster.brokers[0]!.id;
  }, 90_000);

  afterAll(async () => {
    await t?.dispose();
  }, 60_000);

  it('sends every frame within the time limit; the broker stays up and the bystander is never failed', async () => {
    const broker = t.cluster.node(brokerId);
    result = await runKafkaFuzz({ host: '127.0.0.1', port: broker.clientPort!, frames: FRAMES, seed: SEED, timeLimitMs: TIME_LIMIT_MS, fullSizeFrames: 1, nonReaders: 1 });
    const { bystander, findings, byMutation: _byMutation, ...counts } = result;
    console.log(`kafka fuzz: ${JSON.stringify(counts)}\n  bystander: ${JSON.stringify(bystander)}`);

    expect(result.timedOut, `time limit of ${TIME_LIMIT_MS} ms hit after ${result.framesSent} frames`).toBe(false);
    expect(result.framesSent).toBe(FRAMES);
    expect(result.byKind.random).toBeGreaterThan(FRAMES / 10);
    expect(result.byKind.mutated).toBeGreaterThan(FRAMES / 2);
    expect(result.validFramesSent).toBeGreaterThan(FRAMES / 10);

    expect(exits).toEqual([]);
    expect(t.cluster.isRunning(brokerId)).toBe(true);
    const pid = t.cluster.pid(brokerId)!;
    expect(() => process.kill(pid, 0)).not.toThrow();

    expect(findings, findings.map((f) => `${f.kind}: ${f.detail} (frames ${f.frames.join(',')})`).join('\n')).toEqual([]);
    expect(bystander.failures).toEqual([]);
    expect(bystander.failed).toBe(0);
    expect(bystander.ok).toBeGreaterThan(20);

    // Most fuzz frames cannot be accepted: the broker closed those connections.
    expect(result.connectionsClosedByBroker).toBeGreaterThan(FRAMES / 2);
    expect(result.connectionsOpened).toBeGreaterThanOrEqual(result.connectionsClosedByBroker + result.connectionsEndedByFuzzer);
    expect(result.answers).toBeGreaterThan(0);
  }, TIME_LIMIT_MS + 30_000);

  it('logged a reason for every connection it closed, and no handler failed', async () => {
    expect(result).toBeDefined();
    const lines = logLines(await readFile(t.cluster.node(brokerId).logPath, 'utf8'));
    const kafkaClosures = lines.filter((l) => l.msg === 'closing Kafka connection');
    // A first frame whose 5th byte is not 0 is taken for our own protocol: refused at its handshake.
    const handshakeRefusals = lines.filter((l) => l.msg === 'handshake refused');
    for (const l of [...kafkaClosures, ...handshakeRefusals]) {
      expect(typeof l.reason === 'string' && l.reason.length > 0, JSON.stringify(l)).toBe(true);
      expect(l.level).toBe('warn');
    }
    expect(kafkaClosures.length + handshakeRefusals.length).toBeGreaterThanOrEqual(result.connectionsClosedByBroker);

    const reasons = kafkaClosures.map((l) => l.reason!);
    const count = (re: RegExp) => reasons.filter((r) => re.test(r)).length;
    // Each kind of refusal shows up, with what was wrong.
    expect(count(/^malformed Kafka request.*\((TRUNCATED|NEGATIVE_LENGTH|COUNT_TOO_LARGE|TRAILING_BYTES)\)/)).toBeGreaterThan(1_000);
    expect(count(/^request for api key -?\d+, which this broker does not serve$/)).toBeGreaterThan(100);
    expect(count(/ v-?\d+ is outside the advertised range$/)).toBeGreaterThan(10);
    expect(count(/^request size -?\d+ is outside 0\.\.\d+$/)).toBeGreaterThan(100);

    // A request that decoded must never make a handler throw (that closes the connection too).
    const handlerFailures = reasons.filter((r) => r.startsWith('handler for '));
    expect(handlerFailures.slice(0, 20)).toEqual([]);
    const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
    expect(errors.slice(0, 20)).toEqual([]);
  }, 60_000);

  it('an unmodified kafkajs admin still lists and creates topics afterwards', async () => {
    const admin = await connectedAdmin('after-fuzz', t.cluster.bootstrapServers(), 8);
    try {
      const before = await admin.listTopics();
      expect(before).not.toContain('after-fuzz');
      expect(await admin.createTopics({ topics: [{ topic: 'after-fuzz', numPartitions: 2, replicationFactor: 1 }] })).toBe(true);
      expect(await admin.listTopics()).toContain('after-fuzz');
      const meta = await admin.fetchTopicMetadata({ topics: ['after-fuzz'] });
      expect(meta.topics[0]!.partitions).toHaveLength(2);
      for (const p of meta.topics[0]!.partitions) expect(p.leader).toBe(brokerId);
    } finally {
      await admin.disconnect();
    }
    expect(exits).toEqual([]);
  }, 60_000);
});
