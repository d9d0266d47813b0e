// A tiny active controller for the configs/features/offsets/producer-ids operation tests: a pending
// image, the log end and a clock. `apply` does what the controller core does with an operation's
// result: round-trip each record through the codec (a record no node can read back fails the test
// here, not in production), append it, and replay it into the image.

import { expect } from 'vitest';
import { imageOf, replayAll } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import type { FeatureRange, MetadataRecord, PartitionRecord, Uuid } from '../../metadata-log/records/types.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { controllerConfig, type ControllerConfig } from '../../quorum/controller/config.js';
import type { OpContext, OpResult } from '../../quorum/controller/op.js';
import { LATEST_METADATA_VERSION } from '../../quorum/controller/configs/features.js';
import { beginImport, endImport, importPart, type ImportMetadataResponse } from '../../quorum/controller/migration/import-metadata.js';

export function topicIdOf(n: number): Uuid {
  const bytes = new Uint8Array(16);
  bytes[0] = 0x41;
  bytes[14] = (n >> 8) & 0xff;
  bytes[15] = n & 0xff;
  return uuidFromBytes(bytes);
}

export const SUPPORTS_ALL: readonly FeatureRange[] = [{ name: METADATA_VERSION_FEATURE, minVersion: 1, maxVersion: LATEST_METADATA_VERSION }];

export function brokerRecord(brokerId: number, brokerEpoch: number, opts: { features?: readonly FeatureRange[]; fenced?: boolean } = {}): MetadataRecord {
  return {
    type: 'RegisterBroker',
    brokerId,
    incarnationId: topicIdOf(1000 + brokerId),
    brokerEpoch,
    endpoints: [{ name: 'PLAINTEXT', host: `b${brokerId}`, port: 9092, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    fenced: opts.fenced ?? false,
    inControlledShutdown: false,
    features: opts.features ?? SUPPORTS_ALL,
  };
}

/** A Topic record and `partitions` Partition records, replicas [0]. */
export function topicRecords(name: string, topicNo: number, partitions: number, replicationFactor = 1): MetadataRecord[] {
  const topicId = topicIdOf(topicNo);
  const records: MetadataRecord[] = [{ type: 'Topic', name, topicId }];
  const replicas = Array.from({ length: replicationFactor }, (_, i) => i);
  for (let partitionId = 0; partitionId < partitions; partitionId++) {
    const p: PartitionRecord = {
      type: 'Partition',
      topicId,
      partitionId,
      replicas,
      isr: replicas,
      removingReplicas: [],
      addingReplicas: [],
      leader: 0,
      leaderRecoveryState: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
    };
    records.push(p);
  }
  return records;
}

export function configRecord(resourceType: 'topic' | 'broker', resourceName: string, name: string, value: string | null): MetadataRecord {
  return { type: 'Config', resourceType, resourceName, name, value };
}

export function mvRecord(level: number = LATEST_METADATA_VERSION): MetadataRecord {
  return { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: level };
}

export class OpHarness {
  image: MetadataImage;
  nowMs = 1_700_000_000_000;
  readonly config: ControllerConfig;
  readonly log: MetadataRecord[] = [];

  constructor(records: readonly MetadataRecord[] = [mvRecord()], overrides: Partial<Omit<ControllerConfig, 'clusterId'>> = {}) {
    this.config = controllerConfig('mq-configs-test', overrides);
    this.log.push(...records);
    this.image = imageOf(this.log);
  }

  ctx(): OpContext {
    return { image: this.image, nowMs: this.nowMs, nextWriteOffset: this.image.provenance.endOffset, config: this.config };
  }

  apply<R>(result: OpResult<R>): R {
    this.append(result.records);
    return result.response;
  }

  append(records: readonly MetadataRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) expect(decodeRecord(encodeRecord(r))).toEqual(r);
    this.log.push(...records);
    this.image = replayAll(this.image, records, { endOffset: this.image.provenance.endOffset + records.length, epoch: 1 });
  }
}

/**
 * An import as its steps write it (begin, one part, end) applied to a harness, the transaction
 * markers left out (a harness replays records; readers handle the markers): the response of the
 * first step that refused, or of the part.
 */
export function importInSteps(
  h: { ctx(): OpContext; apply<R>(result: OpResult<R>): R },
  request: { readonly clusterId: string; readonly records: readonly MetadataRecord[]; readonly allowExisting: boolean },
): ImportMetadataResponse {
  const begun = beginImport(h.ctx(), { step: 'begin', importId: 'test-import', clusterId: request.clusterId, allowExisting: request.allowExisting, totalRecords: request.records.length });
  if (begun.records.length === 0) return begun.response;
  const part = importPart(h.ctx(), request.records);
  if (part.records.length === 0) return part.response;
  h.apply(part);
  h.apply({ records: endImport().filter((r) => r.type !== 'EndTransaction'), response: undefined });
  return part.response;
}

