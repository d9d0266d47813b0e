// Golden record fixtures (DESIGN §6): for every record type and every version, sample records and
// their exact bytes, in test/fixtures/records/<Type>.json as [{ name, version, hex, record }].
// `record` is what decodeRecord must return (the current shape, upgrade defaults filled in).
//
// The files are the committed truth, not this generator: records-golden.test.ts decodes the bytes
// in the files and re-encodes current-version records byte for byte, so an encoder change that
// alters bytes fails there. This generator only ADDS entries whose name is not in the file yet
// (a new record type, a new version, a new sample); it never rewrites an existing entry. To retire
// a layout on purpose, delete its entry by hand and say why in the commit.
//
//   REGEN_FIXTURES=1 npx vitest run test/unit/records-golden
//
// Current versions (and the older version a schema's writeVersion picks for a record that uses
// nothing newer, e.g. an OffsetCommit without an expire timestamp) are written by encodeRecord. Old versions have no encoder in the product (it
// only ever writes the current version), so their payloads are written out by hand here, exactly
// as the old layout had them.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';
import type { MetadataRecord, MetadataRecordType, RecordOf } from '../../metadata-log/records/types.js';
import { encodeRecord, RECORD_FRAME_VERSION, recordWriteVersion, schemaOf } from '../../metadata-log/records/codec.js';

export const RECORD_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/records/', import.meta.url));

export interface RecordFixture {
  /** Unique within its file: the merge key. */
  readonly name: string;
  readonly version: number;
  /** The whole envelope, lowercase hex. */
  readonly hex: string;
  readonly record: MetadataRecord;
}

interface Sample<T extends MetadataRecordType> {
  readonly name: string;
  /** What decode must return. */
  readonly record: RecordOf<T>;
  /** For an old version: its version and its payload as that version laid it out. Absent = what encodeRecord writes (recordWriteVersion). */
  readonly old?: { readonly version: number; readonly payload: readonly unknown[] };
}

type Samples = { readonly [K in MetadataRecordType]: readonly Sample<K>[] };

const TOPIC_A = 'AQIDBAUGBwgJCgsMDQ4PEA';
const TOPIC_B = 'fzqcHlXQSyqObwobLD1OXw';
const INCARNATION_1 = 'wP_uAN6tvu8BI0VniavN7w';
const INCARNATION_2 = 'obLD1OX2BxgpOktcbX6PkA';

const broker1 = {
  type: 'RegisterBroker',
  brokerId: 1,
  incarnationId: INCARNATION_1,
  brokerEpoch: 42,
  endpoints: [
    { name: 'PLAINTEXT', host: 'broker-1.local', port: 9092, securityProtocol: 'PLAINTEXT' },
    { name: 'SSL', host: 'broker-1.local', port: 9093, securityProtocol: 'SSL' },
  ],
  rack: 'rack-a',
  fenced: true,
  inControlledShutdown: false,
  features: [{ name: 'metadata.version', minVersion: 1, maxVersion: 7 }],
} as const satisfies RecordOf<'RegisterBroker'>;

const partitionA0 = {
  type: 'Partition',
  topicId: TOPIC_A,
  partitionId: 0,
  replicas: [1, 2, 3],
  isr: [1, 2],
  removingReplicas: [],
  addingReplicas: [],
  leader: 1,
  leaderRecoveryState: 0,
  leaderEpoch: 5,
  partitionEpoch: 9,
} as const satisfies RecordOf<'Partition'>;

export const RECORD_SAMPLES: Samples = {
  RegisterBroker: [
    { name: 'v1 fenced, two endpoints, rack, a feature', record: broker1 },
    {
      name: 'v1 in controlled shutdown, no rack, no features, unfenced',
      record: { ...broker1, brokerId: 2, incarnationId: INCARNATION_2, brokerEpoch: 9_007_199_254_740_991, endpoints: [broker1.endpoints[0]], rack: null, fenced: false, inControlledShutdown: true, features: [] },
    },
    {
      name: 'v0 (no inControlledShutdown: reads as false)',
      record: broker1,
      old: {
        version: 0,
        payload: [1, INCARNATION_1, 42, [['PLAINTEXT', 'broker-1.local', 9092, 'PLAINTEXT'], ['SSL', 'broker-1.local', 9093, 'SSL']], [['metadata.version', 1, 7]], 'rack-a', true],
      },
    },
  ],
  UnregisterBroker: [{ name: 'v0', record: { type: 'UnregisterBroker', brokerId: 3, brokerEpoch: 120 } }],
  BrokerRegistrationChange: [
    { name: 'v0 fence', record: { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 42, fenced: true } },
    { name: 'v0 unfence and controlled shutdown', record: { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 42, fenced: false, inControlledShutdown: true } },
    { name: 'v0 nothing changed', record: { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 42 } },
  ],
  Topic: [{ name: 'v0', record: { type: 'Topic', name: 'orders', topicId: TOPIC_A } }],
  Partition: [
    { name: 'v1 led, in sync', record: partitionA0 },
    {
      name: 'v1 reassigning, no leader, recovering',
      record: { ...partitionA0, partitionId: 7, replicas: [1, 2, 3, 4], isr: [4], removingReplicas: [1], addingReplicas: [4], leader: -1, leaderRecoveryState: 1, leaderEpoch: 2_147_483_647, partitionEpoch: 0 },
    },
    {
      name: 'v0 (no leaderRecoveryState: reads as 0)',
      record: partitionA0,
      old: { version: 0, payload: [TOPIC_A, 0, [1, 2, 3], [1, 2], [], [], 1, 5, 9] },
    },
  ],
  PartitionChange: [
    { name: 'v0 isr shrink only', record: { type: 'PartitionChange', topicId: TOPIC_A, partitionId: 0, isr: [1] } },
    { name: 'v0 leader to none', record: { type: 'PartitionChange', topicId: TOPIC_A, partitionId: 0, leader: -1 } },
    {
      name: 'v0 every field',
      record: { type: 'PartitionChange', topicId: TOPIC_B, partitionId: 3, isr: [], leader: 4, replicas: [4, 5], removingReplicas: [], addingReplicas: [5], leaderRecoveryState: 1 },
    },
    { name: 'v0 nothing changed (bumps the partition epoch only)', record: { type: 'PartitionChange', topicId: TOPIC_A, partitionId: 2 } },
  ],
  RemoveTopic: [{ name: 'v0', record: { type: 'RemoveTopic', topicId: TOPIC_B } }],
  Config: [
    { name: 'v0 set a topic key', record: { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '86400000' } },
    { name: 'v0 delete a broker key', record: { type: 'Config', resourceType: 'broker', resourceName: '1', name: 'log.retention.hours', value: null } },
    { name: 'v0 cluster-wide broker default', record: { type: 'Config', resourceType: 'broker', resourceName: '', name: 'num.partitions', value: '' } },
  ],
  FeatureLevel: [
    { name: 'v0 metadata.version', record: { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 7 } },
    { name: 'v0 remove a feature', record: { type: 'FeatureLevel', name: 'kraft.version', featureLevel: 0 } },
  ],
  ProducerIds: [{ name: 'v0', record: { type: 'ProducerIds', brokerId: 2, brokerEpoch: 77, nextProducerId: 5_000_000_000 } }],
  OffsetCommit: [
    {
      name: 'v0 with metadata, non-ascii',
      record: { type: 'OffsetCommit', groupId: 'billing', topic: 'orders', partition: 3, offset: 123_456_789_012, leaderEpoch: 5, metadata: 'größe ✓ 🚀', commitTimestampMs: 1_700_000_000_000 },
    },
    { name: 'v0 no metadata, unknown leader epoch', record: { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: 0, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 } },
    {
      name: 'v1 explicit expire timestamp (retention_time_ms 86400000)',
      record: { type: 'OffsetCommit', groupId: 'billing', topic: 'orders', partition: 3, offset: 42, leaderEpoch: -1, metadata: '', commitTimestampMs: 1_700_000_000_000, expireTimestampMs: 1_700_086_400_000 },
    },
    {
      name: 'v1 expire timestamp 0 (already past)',
      record: { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: -2, leaderEpoch: 0, metadata: null, commitTimestampMs: 0, expireTimestampMs: 0 },
    },
    {
      name: 'v1 expire timestamp 2^53-1 (never)',
      record: { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 1, offset: 7, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 1_700_000_000_000, expireTimestampMs: 9_007_199_254_740_991 },
    },
  ],
  OffsetCommitTombstone: [{ name: 'v0', record: { type: 'OffsetCommitTombstone', groupId: 'billing', topic: 'orders', partition: 3 } }],
  GroupMetadata: [
    {
      name: 'v0 a static leader and a dynamic member',
      record: {
        type: 'GroupMetadata',
        groupId: 'billing',
        protocolType: 'consumer',
        generationId: 7,
        protocolName: 'RoundRobinAssigner',
        leaderId: 'worker-1-6f1c',
        stateTimestampMs: 1_700_000_000_000,
        members: [
          {
            memberId: 'worker-1-6f1c',
            groupInstanceId: 'worker-1',
            clientId: 'billing-app',
            clientHost: '/10.0.0.7',
            rebalanceTimeoutMs: 60_000,
            sessionTimeoutMs: 30_000,
            subscription: Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0xff, 0xff, 0xff, 0xff]),
            assignment: Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
          },
          {
            memberId: 'billing-app-a3e9',
            groupInstanceId: null,
            clientId: 'billing-app',
            clientHost: '/10.0.0.8',
            rebalanceTimeoutMs: 60_000,
            sessionTimeoutMs: 30_000,
            subscription: Buffer.from([]),
            assignment: Buffer.from([]),
          },
        ],
      },
    },
  ],
  GroupMetadataTombstone: [{ name: 'v0', record: { type: 'GroupMetadataTombstone', groupId: 'billing' } }],
  NoOp: [{ name: 'v0', record: { type: 'NoOp' } }],
  ZkMigrationState: [
    { name: 'v0 pre-migration', record: { type: 'ZkMigrationState', state: 2 } },
    { name: 'v0 post-migration', record: { type: 'ZkMigrationState', state: 3 } },
  ],
  AccessControlEntry: [
    {
      name: 'v0 literal allow',
      record: { type: 'AccessControlEntry', id: 'AAAAAAAAAAAAAAAAAAAAAQ', resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW' },
    },
    {
      name: 'v0 prefixed deny',
      record: { type: 'AccessControlEntry', id: 'AAAAAAAAAAAAAAAAAAAAAg', resourceType: 'GROUP', resourceName: 'etl-', patternType: 'PREFIXED', principal: 'User:*', host: '10.0.0.7', operation: 'ALL', permissionType: 'DENY' },
    },
  ],
  RemoveAccessControlEntry: [{ name: 'v0', record: { type: 'RemoveAccessControlEntry', id: 'AAAAAAAAAAAAAAAAAAAAAQ' } }],
  ClientQuota: [
    {
      name: 'v0 a user and client id, whole rate',
      record: { type: 'ClientQuota', entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'etl' }], key: 'producer_byte_rate', value: 1048576, remove: false },
    },
    { name: 'v0 the default user, a fraction', record: { type: 'ClientQuota', entity: [{ entityType: 'user', entityName: null }], key: 'request_percentage', value: 12.5, remove: false } },
    { name: 'v0 an ip, removed', record: { type: 'ClientQuota', entity: [{ entityType: 'ip', entityName: '10.0.0.7' }], key: 'connection_creation_rate', value: 0, remove: true } },
  ],
  UserScramCredential: [
    {
      name: 'v0 SCRAM-SHA-256',
      record: {
        type: 'UserScramCredential',
        name: 'alice',
        mechanism: 1,
        salt: Buffer.from('c2FsdC1vZi1hbGljZQ==', 'base64'),
        storedKey: Buffer.alloc(32, 0xa1),
        serverKey: Buffer.alloc(32, 0xb2),
        iterations: 8192,
      },
    },
    {
      name: 'v0 SCRAM-SHA-512',
      record: { type: 'UserScramCredential', name: 'etl job', mechanism: 2, salt: Buffer.from([1, 2, 3, 4]), storedKey: Buffer.alloc(64, 0xc3), serverKey: Buffer.alloc(64, 0xd4), iterations: 4096 },
    },
  ],
  RemoveUserScramCredential: [{ name: 'v0', record: { type: 'RemoveUserScramCredential', name: 'alice', mechanism: 2 } }],
  BeginTransaction: [
    { name: 'v0 named', record: { type: 'BeginTransaction', name: 'Bootstrap records' } },
    { name: 'v0 unnamed', record: { type: 'BeginTransaction', name: null } },
  ],
  EndTransaction: [{ name: 'v0', record: { type: 'EndTransaction' } }],
  AbortTransaction: [
    { name: 'v0 with reason', record: { type: 'AbortTransaction', reason: 'controller failover' } },
    { name: 'v0 no reason', record: { type: 'AbortTransaction', reason: null } },
  ],
};

const packr = new Packr({ useRecords: false });

function bytesOf<T extends MetadataRecordType>(type: T, sample: Sample<T>): { version: number; bytes: Uint8Array } {
  if (sample.old === undefined) return { version: recordWriteVersion(sample.record), bytes: encodeRecord(sample.record) };
  const { version, payload } = sample.old;
  return { version, bytes: packr.pack([RECORD_FRAME_VERSION, schemaOf(type).typeId, version, payload]) };
}

export function fixturePath(type: MetadataRecordType): string {
  return `${RECORD_FIXTURES_DIR}${type}.json`;
}

/** Bytes fields (GroupMetadata's subscriptions and assignments) are written as { "$hex": "..." }. */
function bytesAsHex(_key: string, value: unknown): unknown {
  const v = value as { type?: unknown; data?: unknown } | null;
  // Buffer.toJSON has run by now: { type: 'Buffer', data: [...] }.
  if (v !== null && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data)) return { $hex: Buffer.from(v.data as number[]).toString('hex') };
  return value;
}

function hexAsBytes(_key: string, value: unknown): unknown {
  const v = value as { $hex?: unknown } | null;
  return v !== null && typeof v === 'object' && typeof v.$hex === 'string' ? Buffer.from(v.$hex, 'hex') : value;
}

export function readRecordFixtures(type: MetadataRecordType): RecordFixture[] {
  const path = fixturePath(type);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8'), hexAsBytes) as RecordFixture[]) : [];
}

/** Adds the samples missing from the files; returns what it added, as "Type: name" lines. */
export function writeRecordFixtures(): string[] {
  mkdirSync(RECORD_FIXTURES_DIR, { recursive: true });
  const added: string[] = [];
  for (const type of Object.keys(RECORD_SAMPLES) as MetadataRecordType[]) {
    const existing = readRecordFixtures(type);
    const names = new Set(existing.map((f) => f.name));
    const entries = [...existing];
    for (const sample of RECORD_SAMPLES[type] as readonly Sample<typeof type>[]) {
      if (names.has(sample.name)) continue;
      const { version, bytes } = bytesOf(type, sample);
      entries.push({ name: sample.name, version, hex: Buffer.from(bytes).toString('hex'), record: sample.record });
      added.push(`${type}: ${sample.name}`);
    }
    if (entries.length !== existing.length) writeFileSync(fixturePath(type), `${JSON.stringify(entries, bytesAsHex, 2)}\n`);
  }
  return added;
}
