// OffsetCommit v2-v4 retention_time_ms, end to end: a Kafka request over the wire, the handler,
// the controller's OffsetCommit record, the broker's expiry sweep and the controller's own check
// (metadata-log/offset-expiry-rule.ts has Kafka's rule). An explicit retention expires the offset
// at commit + retention_time_ms, sooner or later than offsets.retention.minutes; -1 (and v5, which
// has no field) leaves the broker default; extreme values are clamped, never thrown; the expire
// timestamp survives replay of the log and a snapshot, so a restarted coordinator still honours it.

import { describe, expect, it } from 'vitest';
import { handleOffsetCommit } from '../../broker/kafka/handlers/offsets.js';
import type { OffsetCommitRequest } from '../../broker/kafka/protocol/apis/offset-commit.js';
import { OffsetExpirer, type OffsetExpirerOptions } from '../../broker/offset-expirer.js';
import type { MetadataSource } from '../../broker/metadata-follower.js';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import { readSnapshot, writeSnapshot } from '../../metadata-log/snapshot.js';
import { commitOffsets, expireOffsets, type ExpireOffsetsRequest } from '../../quorum/controller/configs/offsets.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { OFFSET_EXPIRY_METADATA_VERSION, OFFSETS_METADATA_VERSION } from '../../quorum/controller/configs/features.js';
import { silentLogger } from '../support/real-node-env.js';
import { oneLiveBroker, overTheWire, testbed, type HandlerTestbed } from './kafka-handlers-fixture.js';

/** The broker default (offsets.retention.minutes): a week, far beyond every explicit retention below. */
const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

class HarnessSource implements MetadataSource {
  constructor(private readonly t: HandlerTestbed) {}
  get image() {
    return this.t.harness.image;
  }
  addMetadataListener(_listener: MetadataListener): () => void {
    return () => {};
  }
}

function setup(records = oneLiveBroker()) {
  const t = testbed({ baseRecords: records });
  const expirer = expirerFor(t);
  /** An OffsetCommit of offset 5 on t1's `partitions`, sent over the wire at `version`. */
  const commit = async (groupId: string, retentionTimeMs: bigint, partitions: readonly number[] = [0], version = 2) => {
    const request: OffsetCommitRequest = {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs,
      topics: [{ name: 't1', partitions: partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null })) }],
    };
    const r = await overTheWire('OffsetCommit', version, request, handleOffsetCommit, t.ctx);
    expect(r.topics[0]!.partitions.every((p) => p.errorCode === ErrorCode.NONE)).toBe(true);
  };
  const held = (groupId: string, partition = 0) => t.harness.image.committedOffset(groupId, 't1', partition);
  return { t, expirer, commit, held, wall: { advance: (ms: number) => (t.harness.nowMs += ms) } };
}

function expirerFor(t: HandlerTestbed, options: Partial<OffsetExpirerOptions> = {}): OffsetExpirer {
  return new OffsetExpirer({
    retentionMs: DEFAULT_RETENTION_MS,
    checkIntervalMs: 10_000_000,
    graceMs: 0,
    brokerId: 1,
    brokerEpoch: t.ctx.brokerEpoch,
    source: new HarnessSource(t),
    channel: t.controller,
    groups: t.ctx.groups,
    clock: t.clock,
    wallClockMs: () => t.harness.nowMs, // the clock the controller stamps commits with
    logger: silentLogger,
    ...options,
  });
}

describe('OffsetCommit retention_time_ms', () => {
  it.each([2, 3, 4])('v%i with retention_time_ms 1000: the offset expires 1 s after its commit by the clock; a default (-1) commit of the same group stays', async (version) => {
    const { expirer, commit, held, wall } = setup();
    await commit('g', 1_000n, [0], version);
    await commit('g', -1n, [1], version);
    const committedAt = held('g', 0)!.commitTimestampMs;
    expect(held('g', 0)!.expireTimestampMs).toBe(committedAt + 1_000);
    expect(held('g', 1)).not.toHaveProperty('expireTimestampMs');
    wall.advance(999);
    expect((await expirer.sweep()).expired).toBe(0);
    expect(held('g', 0)).toBeDefined();
    wall.advance(1);
    expect(await expirer.sweep()).toEqual({ expired: 1, refusedGroups: 0 });
    expect(held('g', 0)).toBeUndefined();
    wall.advance(60_000);
    expect((await expirer.sweep()).expired).toBe(0);
    expect(held('g', 1)?.offset).toBe(5); // the week's retention is far off
    expirer.close();
  });

  it('-1 at v2-v4 and every v5 commit (no such field): nothing forwarded, no expire timestamp, the broker default as before', async () => {
    const { t, expirer, commit, held, wall } = setup();
    await commit('v2', -1n);
    await commit('v4', -1n, [0], 4);
    await commit('v5', 1_000n, [0], 5); // v5 does not carry the field: the parser reads -1
    const forwarded = t.controller.calls.filter((c) => c.method === 'commitOffsets').map((c) => c.request as object);
    expect(forwarded.length).toBe(3);
    for (const r of forwarded) expect(r).not.toHaveProperty('retentionTimeMs');
    for (const g of ['v2', 'v4', 'v5']) expect(held(g)).not.toHaveProperty('expireTimestampMs');
    wall.advance(DEFAULT_RETENTION_MS - 1);
    expect((await expirer.sweep()).expired).toBe(0);
    expirer.close();
  });

  it('a longer explicit retention outlives the broker default: neither the sweep nor the controller takes it at the default retention', async () => {
    const { t, expirer, commit, held, wall } = setup();
    await commit('long', BigInt(2 * DEFAULT_RETENTION_MS));
    expect((await expirer.sweep()).expired).toBe(0); // notes the group as found empty here
    t.clock.advance(DEFAULT_RETENTION_MS); // ... and now empty for the retention
    wall.advance(DEFAULT_RETENTION_MS + 1);
    expect((await expirer.sweep()).expired).toBe(0);
    const claim = { brokerId: 1, brokerEpoch: t.ctx.brokerEpoch() };
    const asked = expireOffsets(t.harness.ctx(), { coordinator: claim, retentionMs: DEFAULT_RETENTION_MS, groups: [{ groupId: 'long', offsets: [{ topic: 't1', partition: 0, commitTimestampMs: held('long')!.commitTimestampMs }] }] });
    expect(asked.records).toEqual([]);
    wall.advance(DEFAULT_RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(1);
    expirer.close();
  });

  it('values Kafka leaves to Long arithmetic are clamped, never thrown: negative → already due, 0 → due at once, past 2^53-1 → 2^53-1 (never), int64 min → 0', async () => {
    const { expirer, commit, held, wall } = setup();
    const cases: [string, bigint][] = [['minus5', -5n], ['zero', 0n], ['huge', INT64_MAX], ['past-safe', BigInt(SAFE_MAX) + 1n], ['min', INT64_MIN]];
    for (const [g, retention] of cases) await commit(g, retention);
    const at = held('zero')!.commitTimestampMs;
    expect(Object.fromEntries(cases.map(([g]) => [g, held(g)!.expireTimestampMs]))).toEqual({ minus5: at - 5, zero: at, huge: SAFE_MAX, 'past-safe': SAFE_MAX, min: 0 });
    expect((await expirer.sweep()).expired).toBe(3);
    wall.advance(100 * DEFAULT_RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(0);
    expect(held('huge')).toBeDefined();
    expect(held('past-safe')).toBeDefined();
    expirer.close();
  });

  it('below metadata.version 1.0-IV2 the retention is ignored: no record a node of an older build could not read', () => {
    const atLevel = (level: number) => setup(oneLiveBroker().map((r) => (r.type === 'FeatureLevel' ? { ...r, featureLevel: level } : r)));
    const request = { groupId: 'g', retentionTimeMs: 1_000, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] };
    const old = commitOffsets(atLevel(OFFSETS_METADATA_VERSION).t.harness.ctx(), request);
    expect(old.response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(old.records).toHaveLength(1);
    expect(old.records[0]).not.toHaveProperty('expireTimestampMs');
    const current = commitOffsets(atLevel(OFFSET_EXPIRY_METADATA_VERSION).t.harness.ctx(), request);
    expect(current.records[0]).toHaveProperty('expireTimestampMs');
  });

  it('the controller refuses a retention that is not a safe integer (the broker clamps before it forwards), whole, nothing written', () => {
    const { t } = setup();
    for (const bad of [1.5, Number.NaN, 2 ** 60, '1000']) {
      const r = commitOffsets(t.harness.ctx(), { groupId: 'g', retentionTimeMs: bad as number, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });
      expect(r.records).toEqual([]);
      expect(r.response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    }
  });

  it("the controller's check: an explicit expiry well within the retention is tombstoned at its time, refused a moment early; a default offset still needs the whole retention", async () => {
    const { t, commit, held, wall } = setup();
    await commit('explicit', 1_000n);
    await commit('default', -1n);
    const claim = { brokerId: 1, brokerEpoch: t.ctx.brokerEpoch() };
    const ask = (groupId: string): ExpireOffsetsRequest => ({
      coordinator: claim,
      retentionMs: DEFAULT_RETENTION_MS,
      groups: [{ groupId, offsets: [{ topic: 't1', partition: 0, commitTimestampMs: held(groupId)!.commitTimestampMs }] }],
    });
    wall.advance(999);
    expect(expireOffsets(t.harness.ctx(), ask('explicit')).records).toEqual([]); // early by the controller's clock
    wall.advance(1);
    const due = t.harness.apply(expireOffsets(t.harness.ctx(), ask('explicit')));
    expect(due.results).toEqual([{ groupId: 'explicit', errorCode: ErrorCode.NONE, errorMessage: null, expired: 1 }]);
    expect(held('explicit')).toBeUndefined();
    expect(expireOffsets(t.harness.ctx(), ask('default')).records).toEqual([]);
    wall.advance(DEFAULT_RETENTION_MS - 1_000);
    expect(expireOffsets(t.harness.ctx(), ask('default')).records).toEqual([{ type: 'OffsetCommitTombstone', groupId: 'default', topic: 't1', partition: 0 }]);
  });

  it('the expire timestamp survives replay: the log through bytes into a new image, a snapshot of it, and a restarted coordinator on it expires the offset at its time', async () => {
    const { t, commit, held } = setup();
    await commit('g', 1_000n, [0]);
    await commit('g', -1n, [1]);
    const explicit = held('g', 0)!;
    const bytes = t.harness.log.map((r) => encodeRecord(r));
    const loader = new MetadataLoader();
    loader.applyBatches([{ baseOffset: 0, epoch: 1, records: bytes }]);
    expect(loader.image.committedOffset('g', 't1', 0)).toEqual(explicit);
    expect(loader.image.committedOffset('g', 't1', 1)).not.toHaveProperty('expireTimestampMs');
    const fromSnapshot = readSnapshot(Buffer.concat(writeSnapshot(loader.image)), loader.image.provenance);
    expect(fromSnapshot.committedOffset('g', 't1', 0)).toEqual(explicit);
    expect(fromSnapshot.committedOffset('g', 't1', 1)).not.toHaveProperty('expireTimestampMs');
    expect(imageOf(bytes.map((b) => decodeRecord(b))).committedOffset('g', 't1', 0)?.expireTimestampMs).toBe(explicit.expireTimestampMs);

    // A new controller and a new coordinator (nothing in memory) on the replayed log.
    const restarted = testbed({ baseRecords: bytes.map((b) => decodeRecord(b)) });
    restarted.harness.nowMs = explicit.commitTimestampMs + 999;
    const expirer = expirerFor(restarted);
    expect((await expirer.sweep()).expired).toBe(0);
    restarted.harness.nowMs += 1;
    expect((await expirer.sweep()).expired).toBe(1);
    expect(restarted.harness.image.committedOffset('g', 't1', 0)).toBeUndefined();
    expect(restarted.harness.image.committedOffset('g', 't1', 1)).toBeDefined();
    expirer.close();
  });
});
