// Snapshots: the image written out as records and read back. Round trips give the same image and
// the same bytes; the bytes do not depend on the order the state was built in; an image built from
// the whole log equals, byte for byte once written out, one built from a snapshot plus the tail
// (through the loader, with transactions and arbitrary batch boundaries) and one built a delta per
// batch, whose every published image is the log's visible records up to its end (no open or
// aborted transaction in it) and stays so whatever later deltas do; and damage is found and named (frame,
// header, truncation, trailing bytes, a record that does not apply).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { CommittedBatch } from '../../metadata-log/loader.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { crc32c } from '../../quorum/node/crc32c.js';
import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import type { ClientQuotaEntityPart, MetadataRecord } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { readSnapshot, SnapshotCorruptError, snapshotLimits, writeSnapshot, writeSnapshotInSlices } from '../../metadata-log/snapshot.js';

function uuid(n: number): string {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(12, n + 100);
  return uuidFromBytes(b);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

/** Everything an image says, in a canonical plain form (independent of the trie's layout). */
function toPlain(img: MetadataImage): unknown {
  const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const topics = [...img.topics()].sort(byName);
  for (const t of topics) expect(img.topicByName(t.name)).toBe(t);
  expect(img.parts.topicIdsByName.size).toBe(img.topicCount);
  expect(img.partitionCount).toBe(topics.reduce((n, t) => n + t.partitions.length, 0));
  return {
    provenance: img.provenance,
    features: [...img.features()].sort(),
    brokers: img.brokers(),
    topics: topics.map((t) => ({ ...t, partitions: [...t.partitions] })),
    // Colliding names in creation order (whole log) or name order (snapshot): which one a collision
    // error names is not state, so the lists compare as sets.
    unifiedNames: [...img.parts.topicsByUnifiedName.entries()].map(([k, names]) => [k, [...names].sort()]).sort(),
    configs: [...img.parts.configs.values()].map((c) => [c.resourceType, c.resourceName, [...c.entries].sort()]).sort(),
    groups: [...img.groupIds()].sort().map((g) => [g, [...img.groupOffsets(g)!].sort()]),
    groupMetadata: [...img.groupMetadataIds()].sort().map((g) => img.groupMetadata(g)),
    nextProducerId: img.nextProducerId,
    zkMigrationState: img.zkMigrationState,
    acls: [...img.acls()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    clientQuotas: [...img.clientQuotas()].map((q) => [JSON.stringify(q.entity), [...q.values].sort()]).sort(),
    scramUsers: [...img.scramUsers()].map((u) => [u.name, [...u.credentials].sort(([a], [b]) => a - b)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

// ---- a random but valid metadata log ----------------------------------------------------------

type Cmd =
  | { k: 'broker'; id: number; fenced: boolean }
  | { k: 'unregister'; id: number; stale: boolean }
  | { k: 'brokerChange'; id: number; stale: boolean; fenced: boolean | null; shutdown: boolean }
  | { k: 'topic'; name: number; partitions: number }
  | { k: 'change'; t: number; p: number; leader: number | null; isr: number[] | null; replicas: number[] | null; recovering: boolean }
  | { k: 'remove'; t: number }
  | { k: 'recreate'; name: number }
  | { k: 'config'; topic: boolean; name: number; key: number; value: string | null }
  | { k: 'feature'; name: number; level: number }
  | { k: 'pids'; next: number }
  | { k: 'commit'; g: number; t: number; p: number; offset: number }
  | { k: 'tombstone'; g: number; t: number; p: number }
  | { k: 'group'; g: number; generation: number; members: number }
  | { k: 'ungroup'; g: number }
  | { k: 'noop' }
  | { k: 'zk'; state: 0 | 1 | 2 | 3 }
  | { k: 'acl'; name: number; deny: boolean }
  | { k: 'unacl'; n: number }
  | { k: 'quota'; entity: number; key: number; value: number; remove: boolean }
  | { k: 'scram'; user: number; mechanism: 1 | 2; iterations: number; remove: boolean }
  | { k: 'txn'; abort: boolean; inner: Cmd[] };

const ids = fc.array(fc.nat(5), { maxLength: 4 });
const simpleCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ k: fc.constant('broker' as const), id: fc.nat(4), fenced: fc.boolean() }),
  fc.record({ k: fc.constant('unregister' as const), id: fc.nat(4), stale: fc.boolean() }),
  fc.record({ k: fc.constant('brokerChange' as const), id: fc.nat(4), stale: fc.boolean(), fenced: fc.option(fc.boolean()), shutdown: fc.boolean() }),
  { arbitrary: fc.record({ k: fc.constant('topic' as const), name: fc.nat(7), partitions: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
  {
    arbitrary: fc.record({
      k: fc.constant('change' as const),
      t: fc.nat(),
      p: fc.nat(),
      leader: fc.option(fc.integer({ min: -1, max: 5 })),
      isr: fc.option(ids),
      replicas: fc.option(ids),
      recovering: fc.boolean(),
    }),
    weight: 4,
  },
  fc.record({ k: fc.constant('remove' as const), t: fc.nat() }),
  { arbitrary: fc.record({ k: fc.constant('recreate' as const), name: fc.nat(7) }), weight: 2 },
  fc.record({ k: fc.constant('config' as const), topic: fc.boolean(), name: fc.nat(7), key: fc.nat(3), value: fc.option(fc.string({ maxLength: 4 })) }),
  fc.record({ k: fc.constant('feature' as const), name: fc.nat(2), level: fc.nat(3) }),
  fc.record({ k: fc.constant('pids' as const), next: fc.nat(1_000_000) }),
  fc.record({ k: fc.constant('commit' as const), g: fc.nat(2), t: fc.nat(2), p: fc.nat(3), offset: fc.nat(1000) }),
  fc.record({ k: fc.constant('tombstone' as const), g: fc.nat(2), t: fc.nat(2), p: fc.nat(3) }),
  fc.record({ k: fc.constant('group' as const), g: fc.nat(2), generation: fc.integer({ min: 1, max: 9 }), members: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant('ungroup' as const), g: fc.nat(2) }),
  fc.constant({ k: 'noop' as const }),
  fc.record({ k: fc.constant('zk' as const), state: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const) }),
  fc.record({ k: fc.constant('acl' as const), name: fc.nat(3), deny: fc.boolean() }),
  fc.record({ k: fc.constant('unacl' as const), n: fc.nat() }),
  fc.record({ k: fc.constant('quota' as const), entity: fc.nat(4), key: fc.nat(2), value: fc.double({ min: 0, max: 1e12, noNaN: true }), remove: fc.boolean() }),
  fc.record({ k: fc.constant('scram' as const), user: fc.nat(2), mechanism: fc.constantFrom(1 as const, 2 as const), iterations: fc.integer({ min: 4096, max: 16384 }), remove: fc.boolean() }),
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: simpleCmd, weight: 10 },
  { arbitrary: fc.record({ k: fc.constant('txn' as const), abort: fc.boolean(), inner: fc.array(simpleCmd, { maxLength: 6 }) }), weight: 1 },
);

/**
 * Topic names: some hold '.' or '_' (and 'topic.2' collides with 'topic_2'), so the image's
 * unified-name index is exercised too.
 */
const topicName = (n: number): string => (n % 4 === 2 ? `topic${n % 8 === 2 ? '.' : '_'}2` : `topic-${n}`);

/**
 * Turns commands into records that are valid against the state they build: a log the controller
 * could write, except that 'recreate' reuses a removed topic's id. Ids are unique only among live
 * topics as far as replay is concerned (the image forgets removed ones), so that must replay the
 * same whatever the batch boundaries.
 */
function toRecords(cmds: readonly Cmd[]): MetadataRecord[] {
  const brokers = new Map<number, number>();
  const topics: { id: string; name: string; partitions: number }[] = [];
  const removedIds: string[] = [];
  const aclIds: string[] = [];
  /** SCRAM credentials held, as "user/mechanism": a removal of one not held is a corrupt log. */
  const scramHeld = new Set<string>();
  let nextEpoch = 1;
  let nextUuid = 1;
  const out: MetadataRecord[] = [];
  const emit = (c: Cmd): void => {
    switch (c.k) {
      case 'broker': {
        const epoch = nextEpoch++;
        brokers.set(c.id, epoch);
        out.push({
          type: 'RegisterBroker',
          brokerId: c.id,
          incarnationId: uuid(nextUuid++),
          brokerEpoch: epoch,
          endpoints: [{ name: 'PLAINTEXT', host: 'h', port: 9000 + c.id, securityProtocol: 'PLAINTEXT' }],
          rack: c.id % 2 === 0 ? null : 'r',
          fenced: c.fenced,
          inControlledShutdown: false,
          features: [{ name: 'metadata.version', minVersion: 1, maxVersion: 7 }],
        });
        return;
      }
      case 'unregister':
      case 'brokerChange': {
        const epoch = brokers.get(c.id) ?? 0;
        const brokerEpoch = c.stale ? epoch + 1000 : epoch;
        if (c.k === 'unregister') {
          out.push({ type: 'UnregisterBroker', brokerId: c.id, brokerEpoch });
          if (!c.stale) brokers.delete(c.id);
        } else {
          out.push({
            type: 'BrokerRegistrationChange',
            brokerId: c.id,
            brokerEpoch,
            ...(c.fenced === null ? {} : { fenced: c.fenced }),
            ...(c.shutdown ? { inControlledShutdown: true } : {}),
          });
        }
        return;
      }
      case 'topic':
      case 'recreate': {
        const name = topicName(c.name);
        if (topics.some((t) => t.name === name)) return;
        const reused = c.k === 'recreate' ? removedIds.shift() : undefined;
        if (c.k === 'recreate' && reused === undefined) return;
        const id = reused ?? uuid(nextUuid++);
        const partitionCount = c.k === 'topic' ? c.partitions : 2;
        topics.push({ id, name, partitions: partitionCount });
        out.push({ type: 'Topic', name, topicId: id });
        for (let p = 0; p < partitionCount; p++) {
          const replicas = [p % 3, (p + 1) % 3];
          out.push({
            type: 'Partition',
            topicId: id,
            partitionId: p,
            replicas,
            isr: p % 2 === 0 ? replicas.slice() : [replicas[0]!],
            removingReplicas: [],
            addingReplicas: p === 3 ? [2] : [],
            leader: replicas[0]!,
            leaderRecoveryState: 0,
            leaderEpoch: 0,
            partitionEpoch: 0,
          });
        }
        return;
      }
      case 'change': {
        const t = topics[c.t % Math.max(1, topics.length)];
        if (t === undefined) return;
        out.push({
          type: 'PartitionChange',
          topicId: t.id,
          partitionId: c.p % t.partitions,
          ...(c.leader === null ? {} : { leader: c.leader }),
          ...(c.isr === null ? {} : { isr: c.isr }),
          ...(c.replicas === null ? {} : { replicas: c.replicas }),
          ...(c.recovering ? { leaderRecoveryState: 1 as const } : {}),
        });
        return;
      }
      case 'remove': {
        const i = c.t % Math.max(1, topics.length);
        const t = topics[i];
        if (t === undefined) return;
        topics.splice(i, 1);
        removedIds.push(t.id);
        out.push({ type: 'RemoveTopic', topicId: t.id });
        return;
      }
      case 'config':
        out.push({ type: 'Config', resourceType: c.topic ? 'topic' : 'broker', resourceName: c.topic ? topicName(c.name) : String(c.name), name: `k${c.key}`, value: c.value });
        return;
      case 'feature':
        out.push({ type: 'FeatureLevel', name: ['metadata.version', 'kraft.version', 'group.version'][c.name]!, featureLevel: c.level });
        return;
      case 'pids':
        out.push({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: c.next });
        return;
      case 'commit':
        // Every third with an explicit expire timestamp (retention_time_ms): written at v1, the rest at v0.
        out.push({
          type: 'OffsetCommit', groupId: `g${c.g}`, topic: topicName(c.t), partition: c.p, offset: c.offset, leaderEpoch: -1, metadata: c.offset % 2 ? 'm' : null, commitTimestampMs: c.offset,
          ...(c.offset % 3 === 0 ? { expireTimestampMs: c.offset + 1_000 } : {}),
        });
        return;
      case 'tombstone':
        out.push({ type: 'OffsetCommitTombstone', groupId: `g${c.g}`, topic: topicName(c.t), partition: c.p });
        return;
      case 'group': {
        const members = Array.from({ length: c.members }, (_, i) => ({
          memberId: `m${i}-${c.generation}`, groupInstanceId: i === 0 ? `i${c.g}` : null, clientId: 'c', clientHost: '/127.0.0.1',
          rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 10_000, subscription: Buffer.from([c.g, i]), assignment: Buffer.from([c.generation]),
        }));
        out.push({ type: 'GroupMetadata', groupId: `g${c.g}`, protocolType: 'consumer', generationId: c.generation, protocolName: 'range', leaderId: members[0]!.memberId, stateTimestampMs: c.generation, members });
        return;
      }
      case 'ungroup':
        out.push({ type: 'GroupMetadataTombstone', groupId: `g${c.g}` });
        return;
      case 'noop':
        out.push({ type: 'NoOp' });
        return;
      case 'zk':
        out.push({ type: 'ZkMigrationState', state: c.state });
        return;
      case 'acl': {
        const id = uuid(nextUuid++);
        aclIds.push(id);
        out.push({
          type: 'AccessControlEntry', id, resourceType: c.name % 2 === 0 ? 'TOPIC' : 'GROUP', resourceName: topicName(c.name), patternType: c.deny ? 'PREFIXED' : 'LITERAL',
          principal: `User:u${c.name}`, host: '*', operation: 'READ', permissionType: c.deny ? 'DENY' : 'ALLOW',
        });
        return;
      }
      case 'unacl': {
        if (aclIds.length === 0) return;
        const [id] = aclIds.splice(c.n % aclIds.length, 1);
        out.push({ type: 'RemoveAccessControlEntry', id: id! });
        return;
      }
      case 'quota': {
        // Five entities: a user, its user+client pair, the default user, a client id and an ip.
        const entities: ClientQuotaEntityPart[][] = [
          [{ entityType: 'user', entityName: 'alice' }],
          [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'etl' }],
          [{ entityType: 'user', entityName: null }],
          [{ entityType: 'client-id', entityName: 'etl' }],
          [{ entityType: 'ip', entityName: '10.0.0.1' }],
        ];
        const key = ['producer_byte_rate', 'request_percentage', 'consumer_byte_rate'][c.key]!;
        out.push({ type: 'ClientQuota', entity: entities[c.entity]!, key, value: c.remove ? 0 : c.value, remove: c.remove });
        return;
      }
      case 'scram': {
        const name = ['alice', 'bob', ''][c.user]!;
        const key = `${name}/${c.mechanism}`;
        if (c.remove) {
          if (!scramHeld.delete(key)) return;
          out.push({ type: 'RemoveUserScramCredential', name, mechanism: c.mechanism });
          return;
        }
        scramHeld.add(key);
        const bytes = (b: number) => Buffer.alloc(c.mechanism === 1 ? 32 : 64, b);
        out.push({ type: 'UserScramCredential', name, mechanism: c.mechanism, salt: Buffer.from([c.iterations & 0xff, c.user]), storedKey: bytes(c.iterations & 0xff), serverKey: bytes(c.user), iterations: c.iterations });
        return;
      }
      case 'txn': {
        // An aborted transaction's records must not change the interpreter's view either.
        const saved = { brokers: new Map(brokers), topics: topics.map((t) => ({ ...t })), removedIds: [...removedIds], aclIds: [...aclIds], scramHeld: new Set(scramHeld) };
        out.push({ type: 'BeginTransaction', name: 'bootstrap' });
        for (const inner of c.inner) emit(inner);
        if (c.abort) {
          out.push({ type: 'AbortTransaction', reason: 'test' });
          brokers.clear();
          for (const [k, v] of saved.brokers) brokers.set(k, v);
          topics.splice(0, topics.length, ...saved.topics);
          removedIds.splice(0, removedIds.length, ...saved.removedIds);
          aclIds.splice(0, aclIds.length, ...saved.aclIds);
          scramHeld.clear();
          for (const k of saved.scramHeld) scramHeld.add(k);
        } else out.push({ type: 'EndTransaction' });
        return;
      }
    }
  };
  for (const c of cmds) emit(c);
  return out;
}

/** The epoch of a log offset in these tests: a new leader every 7 offsets. */
const epochOf = (offset: number): number => 1 + Math.floor(offset / 7);

/** Splits records starting at `baseOffset` into batches at the given cut points and at every epoch change. */
function toBatches(records: readonly MetadataRecord[], baseOffset: number, cuts: readonly number[]): CommittedBatch[] {
  const epochStarts: number[] = [];
  for (let o = baseOffset + 1; o < baseOffset + records.length; o++) if (epochOf(o) !== epochOf(o - 1)) epochStarts.push(o - baseOffset);
  const points = [...new Set([...cuts.map((c) => c % (records.length + 1)), ...epochStarts])].sort((a, b) => a - b);
  const batches: CommittedBatch[] = [];
  let start = 0;
  for (const end of [...points, records.length]) {
    if (end <= start) continue;
    const offset = baseOffset + start;
    batches.push({ baseOffset: offset, epoch: epochOf(offset), records: records.slice(start, end).map(encodeRecord) });
    start = end;
  }
  return batches;
}

function bytesOf(img: MetadataImage): Buffer {
  return Buffer.from(concat(writeSnapshot(img)));
}

/**
 * What a reader may see of `records[0, end)` (KIP-868): records outside transactions and those of
 * transactions ended before `end`; null when `end` falls inside a transaction (never publishable).
 */
function visibleBefore(records: readonly MetadataRecord[], end: number): MetadataRecord[] | null {
  const visible: MetadataRecord[] = [];
  let held: MetadataRecord[] | null = null;
  for (const r of records.slice(0, end)) {
    if (r.type === 'BeginTransaction') held = [];
    else if (r.type === 'EndTransaction') (visible.push(...held!), (held = null));
    else if (r.type === 'AbortTransaction') held = null;
    else if (held !== null) held.push(r);
    else visible.push(r);
  }
  return held === null ? visible : null;
}

describe('snapshot', () => {
  it('round trip: reading a written image gives the same image (deep) and rewriting gives the same bytes', () => {
    fc.assert(
      fc.property(fc.array(simpleCmd, { maxLength: 80 }), (cmds) => {
        const records = toRecords(cmds);
        const a = imageOf(records, { endOffset: records.length, epoch: 3 });
        const bytes = bytesOf(a);
        const b = readSnapshot(bytes, a.provenance);
        expect(toPlain(b)).toEqual(toPlain(a));
        expect(bytesOf(b).equals(bytes)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('whole log vs snapshot + tail through the loader: equal byte for byte, with transactions and any batch boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(cmdArb, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (cmds, cuts, splitSeed, tailCuts) => {
          const records = toRecords(cmds);
          const whole = new MetadataLoader();
          whole.applyBatches(toBatches(records, 0, cuts));

          // A node that stopped after some batches and took a snapshot where it was allowed to.
          const batches = toBatches(records, 0, cuts);
          const prefix = batches.slice(0, splitSeed % (batches.length + 1));
          const early = new MetadataLoader();
          early.applyBatches(prefix);
          const snapshotAt = early.snapshotableOffset;
          expect(early.image.provenance.endOffset).toBe(snapshotAt);

          const late = new MetadataLoader();
          late.loadSnapshot(early.image.provenance, concat(writeSnapshot(early.image)));
          late.applyBatches(toBatches(records.slice(snapshotAt), snapshotAt, tailCuts));

          expect(late.image.provenance).toEqual(whole.image.provenance);
          expect(toPlain(late.image)).toEqual(toPlain(whole.image));
          expect(bytesOf(late.image).equals(bytesOf(whole.image))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a delta per batch: every published image is the visible log up to its end, stays so, and the last equals the whole log\'s', () => {
    fc.assert(
      // 'medium' size: logs long enough that later deltas often touch what earlier images hold.
      fc.property(fc.array(cmdArb, { maxLength: 60, size: 'medium' }), fc.array(fc.nat(), { maxLength: 12 }), (cmds, cuts) => {
        const records = toRecords(cmds);
        const batches = toBatches(records, 0, cuts);
        const whole = new MetadataLoader();
        whole.applyBatches(batches);

        // One applyBatches call (so one delta) per batch; every image published on the way is
        // remembered as it was when published.
        // Each one holds exactly the records before its end offset that a reader may see: no part
        // of an open transaction, nothing of an aborted one.
        const stepwise = new MetadataLoader();
        const published: [MetadataImage, unknown][] = [];
        stepwise.addListener((_delta, image) => {
          const visible = visibleBefore(records, image.provenance.endOffset);
          expect(visible).not.toBeNull();
          expect(toPlain(image)).toEqual(toPlain(imageOf(visible!, image.provenance)));
          published.push([image, toPlain(image)]);
        });
        for (const batch of batches) stepwise.applyBatches([batch]);

        expect(toPlain(stepwise.image)).toEqual(toPlain(whole.image));
        expect(bytesOf(stepwise.image).equals(bytesOf(whole.image))).toBe(true);
        for (const [image, then] of published) expect(toPlain(image)).toEqual(then);
      }),
      { numRuns: 150 },
    );
  });

  it('the bytes do not depend on the order the state was built in', () => {
    const setup: MetadataRecord[] = [
      { type: 'FeatureLevel', name: 'kraft.version', featureLevel: 1 },
      { type: 'Topic', name: 'b', topicId: uuid(1) },
      { type: 'Topic', name: 'a', topicId: uuid(2) },
      { type: 'Config', resourceType: 'topic', resourceName: 'b', name: 'y', value: '1' },
      { type: 'Config', resourceType: 'broker', resourceName: '1', name: 'x', value: '1' },
      { type: 'Config', resourceType: 'topic', resourceName: 'b', name: 'x', value: '1' },
      { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 10, offset: 1, leaderEpoch: -1, metadata: null, commitTimestampMs: 0 },
      { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 9, offset: 1, leaderEpoch: -1, metadata: null, commitTimestampMs: 0 },
      { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 7 },
    ];
    const a = imageOf(setup);
    const b = imageOf([...setup].reverse());
    expect(bytesOf(a).equals(bytesOf(b))).toBe(true);
    const order = readAllRecords(bytesOf(a)).map((r) => ('name' in r ? `${r.type}:${r.name}` : r.type));
    expect(order).toEqual([
      'FeatureLevel:metadata.version',
      'FeatureLevel:kraft.version',
      'Topic:a',
      'Topic:b',
      'Config:x',
      'Config:x',
      'Config:y',
      'OffsetCommit',
      'OffsetCommit',
    ]);
  });

  it('a large image spans many frames and ~1 MiB chunks and reads back; slices write the same bytes', async () => {
    const records: MetadataRecord[] = [{ type: 'FeatureLevel', name: 'metadata.version', featureLevel: 7 }];
    for (let t = 0; t < 3000; t++) {
      const id = uuid(t);
      records.push({ type: 'Topic', name: `topic-${t}`, topicId: id });
      for (let p = 0; p < 10; p++) {
        records.push({ type: 'Partition', topicId: id, partitionId: p, replicas: [1, 2, 3], isr: [1, 2, 3], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 3, partitionEpoch: 5 });
      }
    }
    const img = imageOf(records);
    const chunks = writeSnapshot(img);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(snapshotLimits.chunkTargetBytes);
    const back = readSnapshot(concat(chunks), img.provenance);
    expect(back.partitionCount).toBe(30_000);
    expect(toPlain(back)).toEqual(toPlain(img));

    // Written in slices (the controller's way, pausing between frames): the same bytes.
    let pauses = 0;
    const sliced = await writeSnapshotInSlices(img, async () => void pauses++, 2);
    expect(pauses).toBeGreaterThan(10);
    expect(Buffer.from(concat(sliced)).equals(Buffer.from(concat(chunks)))).toBe(true);
  });
});

// ---- damage ---------------------------------------------------------------------------------------

/** Frame offsets of a snapshot, walking the documented layout (20-byte header, 8-byte frame headers). */
function frameStarts(bytes: Buffer): number[] {
  const starts: number[] = [];
  for (let pos = 20; pos < bytes.length; pos += 8 + bytes.readUInt32BE(pos)) starts.push(pos);
  return starts;
}

function readAllRecords(bytes: Buffer): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const start of frameStarts(bytes)) {
    const n = bytes.readUInt32BE(start + 8);
    let p = start + 12;
    for (let i = 0; i < n; i++) {
      const len = bytes.readUInt32BE(p);
      out.push(decodeRecord(bytes.subarray(p + 4, p + 4 + len)));
      p += 4 + len;
    }
  }
  return out;
}

/** A snapshot of arbitrary records, one frame: for records the writer itself would never produce. */
function handMade(records: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat([Buffer.from([0, 0, 0, 0]), ...records.flatMap((r) => [Buffer.from(new Uint32Array([0]).buffer), Buffer.from(r)])]);
  body.writeUInt32BE(records.length, 0);
  let p = 4;
  for (const r of records) {
    body.writeUInt32BE(r.length, p);
    p += 4 + r.length;
  }
  const frame = Buffer.alloc(8);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(crc32c(body), 4);
  const header = Buffer.alloc(20);
  header.write('MQSN', 0, 'latin1');
  header.writeUInt16BE(1, 4);
  header.writeUInt32BE(records.length, 8);
  header.writeUInt32BE(1, 12);
  header.writeUInt32BE(crc32c(header.subarray(0, 16)), 16);
  return Buffer.concat([header, frame, body]);
}

describe('snapshot damage is found and named', () => {
  const records: MetadataRecord[] = [];
  for (let t = 0; t < 400; t++) {
    records.push({ type: 'Topic', name: `t${t}`, topicId: uuid(t) });
    for (let p = 0; p < 10; p++) {
      records.push({ type: 'Partition', topicId: uuid(t), partitionId: p, replicas: [1, 2], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 });
    }
  }
  const good = bytesOf(imageOf(records));
  const frames = frameStarts(good);
  const prov = { endOffset: 1, epoch: 1 };

  it('a flipped byte inside frame k is a checksum error naming frame k', () => {
    expect(frames.length).toBeGreaterThan(2);
    for (const k of [0, 1, frames.length - 1]) {
      const bad = Buffer.from(good);
      bad[frames[k]! + 40]! ^= 0x10;
      let err: unknown;
      try {
        readSnapshot(bad, prov);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SnapshotCorruptError);
      expect((err as SnapshotCorruptError).frameIndex).toBe(k);
      expect((err as Error).message).toMatch(new RegExp(`frame ${k}: checksum mismatch`));
    }
  });

  it('header damage, bad magic, truncation and trailing bytes are each reported', () => {
    const header = Buffer.from(good);
    header[9]! ^= 1; // record count
    expect(() => readSnapshot(header, prov)).toThrow(/header checksum/);
    const magic = Buffer.from(good);
    magic[0] = 0;
    expect(() => readSnapshot(magic, prov)).toThrow(/bad magic/);
    expect(() => readSnapshot(good.subarray(0, good.length - 3), prov)).toThrow(/truncated/);
    expect(() => readSnapshot(good.subarray(0, 10), prov)).toThrow(/shorter than/);
    expect(() => readSnapshot(Buffer.concat([good, Buffer.from([1])]), prov)).toThrow(/after the last/);
    const length = Buffer.from(good);
    length.writeUInt32BE(0xffffffff, frames[1]!);
    expect(() => readSnapshot(length, prov)).toThrow(/frame 1: frame length/);
  });

  it('a record that does not decode, or does not apply, or is a transaction marker, is named by frame and record', () => {
    const topicRec = encodeRecord({ type: 'Topic', name: 'a', topicId: uuid(1) });
    expect(() => readSnapshot(handMade([topicRec, Buffer.from([0x94, 0x00])]), prov)).toThrow(/frame 0: record 1: not msgpack/);
    const orphan = encodeRecord({ type: 'PartitionChange', topicId: uuid(2), partitionId: 0, leader: 1 });
    expect(() => readSnapshot(handMade([topicRec, orphan]), prov)).toThrow(/frame 0: record 1: .*unknown topic id/);
    expect(() => readSnapshot(handMade([encodeRecord({ type: 'EndTransaction' })]), prov)).toThrow(/record 0: a EndTransaction marker/);
    expect(readSnapshot(handMade([topicRec]), prov).topicByName('a')?.topicId).toBe(uuid(1));
  });
});
