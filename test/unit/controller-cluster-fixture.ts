// A small in-memory "active controller" for the broker-lifecycle tests: an image, the log end, a
// clock and the heartbeat soft state. `apply` does what the controller core does with an operation's
// result: append its records at the log end and replay them into the pending image.

import { expect } from 'vitest';
import { replayAll, imageOf } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { PartitionRegistration } from '../../metadata-log/image-types.js';
import type { Endpoint, FeatureRange, MetadataRecord, PartitionRecord, Uuid } from '../../metadata-log/records/types.js';
import { METADATA_VERSION_FEATURE, NO_LEADER } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import type { ControllerConfig } from '../../quorum/controller/config.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { OpContext, OpResult } from '../../quorum/controller/op.js';
import { fenceExpiredBroker } from '../../quorum/controller/cluster/fencing.js';
import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse } from '../../quorum/controller/cluster/heartbeat.js';
import { brokerHeartbeat } from '../../quorum/controller/cluster/heartbeat.js';
import { BrokerHeartbeatManager } from '../../quorum/controller/cluster/heartbeat-manager.js';
import type { BrokerRegistrationRequest } from '../../quorum/controller/cluster/register-broker.js';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';

export const CLUSTER_ID = 'mq-cluster-test-0001';
export const METADATA_VERSION = 7;
export const SESSION_TIMEOUT_MS = 9_000;

/** A valid, distinct uuid per n (n >= 2 avoids the reserved ids). */
export function uuidOf(n: number, salt = 0): Uuid {
  const bytes = new Uint8Array(16);
  bytes[0] = 0x40 + salt; // never '-' first
  bytes[14] = (n >> 8) & 0xff;
  bytes[15] = n & 0xff;
  return uuidFromBytes(bytes);
}

export const incarnation = (n: number): Uuid => uuidOf(n, 1);

export function listenersOf(brokerId: number): Endpoint[] {
  return [{ name: 'PLAINTEXT', host: `broker-${brokerId}.local`, port: 9092 + brokerId, securityProtocol: 'PLAINTEXT' }];
}

export const SUPPORTED: FeatureRange[] = [{ name: METADATA_VERSION_FEATURE, minVersion: 1, maxVersion: 10 }];

export function registrationRequest(brokerId: number, inc: Uuid, overrides: Partial<BrokerRegistrationRequest> = {}): BrokerRegistrationRequest {
  return {
    brokerId,
    clusterId: CLUSTER_ID,
    incarnationId: inc,
    listeners: listenersOf(brokerId),
    features: SUPPORTED,
    rack: null,
    previousBrokerEpoch: -1,
    ...overrides,
  };
}

export interface PartitionSpec {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
}

export class Harness {
  image: MetadataImage;
  nowMs = 1_000_000;
  readonly config: ControllerConfig;
  hb: BrokerHeartbeatManager;
  /** Every record appended, at its offset. */
  readonly log: MetadataRecord[];

  constructor(configOverrides: Partial<Omit<ControllerConfig, 'clusterId'>> = {}) {
    this.config = controllerConfig(CLUSTER_ID, { brokerSessionTimeoutMs: SESSION_TIMEOUT_MS, ...configOverrides });
    this.log = [{ type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: METADATA_VERSION }];
    this.image = imageOf(this.log);
    this.hb = BrokerHeartbeatManager.activated(this.image, this.nowMs, this.config.brokerSessionTimeoutMs);
  }

  get endOffset(): number {
    return this.image.provenance.endOffset;
  }

  ctx(): OpContext {
    return { image: this.image, nowMs: this.nowMs, nextWriteOffset: this.endOffset, config: this.config, draining: (id) => this.hb.isDraining(id) };
  }

  /** Append the operation's records at the log end and replay them; returns its response. */
  apply<R>(result: OpResult<R>): R {
    this.append(result.records);
    return result.response;
  }

  append(records: readonly MetadataRecord[]): void {
    if (records.length === 0) return;
    expect(this.log.length).toBe(this.endOffset);
    this.log.push(...records);
    this.image = replayAll(this.image, records, { endOffset: this.endOffset + records.length, epoch: 1 });
  }

  /** A busy log: n NoOps written by the controller (KAFKA-13959's 500 ms NoOps). */
  noOps(n: number): void {
    this.append(Array.from({ length: n }, (): MetadataRecord => ({ type: 'NoOp' })));
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** The controller failed over: a new active controller rebuilds the soft state from the image. */
  failover(): void {
    this.hb = BrokerHeartbeatManager.activated(this.image, this.nowMs, this.config.brokerSessionTimeoutMs);
  }

  register(brokerId: number, inc: Uuid = incarnation(brokerId)): number {
    const r = this.apply(registerBroker(this.ctx(), this.hb, registrationRequest(brokerId, inc)));
    expect(r.errorMessage).toBeNull();
    expect(r.errorCode).toBe(ErrorCode.NONE);
    return r.brokerEpoch;
  }

  epochOf(brokerId: number): number {
    const b = this.image.broker(brokerId);
    if (b === undefined) throw new Error(`broker ${brokerId} is not registered`);
    return b.brokerEpoch;
  }

  heartbeat(brokerId: number, opts: Partial<BrokerHeartbeatRequest> = {}): BrokerHeartbeatResponse {
    const request: BrokerHeartbeatRequest = {
      brokerId,
      brokerEpoch: this.image.broker(brokerId)?.brokerEpoch ?? -1,
      currentMetadataOffset: this.endOffset - 1,
      wantFence: false,
      wantShutDown: false,
      ...opts,
    };
    return this.apply(brokerHeartbeat(this.ctx(), this.hb, request));
  }

  /** Register and heartbeat until unfenced (the broker has applied the whole log). */
  start(brokerId: number): number {
    const epoch = this.register(brokerId);
    const r = this.heartbeat(brokerId);
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, isCaughtUp: true, isFenced: false });
    return epoch;
  }

  fenceTick(): number | null {
    return this.apply(fenceExpiredBroker(this.ctx(), this.hb)).fencedBrokerId;
  }

  createTopic(name: string, topicNo: number, partitions: readonly PartitionSpec[]): Uuid {
    const topicId = uuidOf(topicNo);
    const records: MetadataRecord[] = [{ type: 'Topic', name, topicId }];
    partitions.forEach((p, partitionId) => {
      const rec: PartitionRecord = {
        type: 'Partition',
        topicId,
        partitionId,
        replicas: p.replicas,
        isr: p.isr,
        removingReplicas: [],
        addingReplicas: [],
        leader: p.leader,
        leaderRecoveryState: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
      };
      records.push(rec);
    });
    this.append(records);
    return topicId;
  }

  partition(name: string, partitionId: number): PartitionRegistration {
    const p = this.image.topicByName(name)?.partitions[partitionId];
    if (p === undefined) throw new Error(`no partition ${name}-${partitionId}`);
    return p;
  }

  /** KIP-841: no partition is led by a broker that is missing, fenced or in controlled shutdown; every leader is in its ISR. */
  expectNoIneligibleLeader(): void {
    for (const t of this.image.topics()) {
      t.partitions.forEach((p, i) => {
        if (p.leader === NO_LEADER) return;
        const b = this.image.broker(p.leader);
        const where = `${t.name}-${i} led by ${p.leader}`;
        expect(b, where).toBeDefined();
        expect(b?.fenced, where).toBe(false);
        expect(b?.inControlledShutdown, where).toBe(false);
        expect(p.isr, where).toContain(p.leader);
      });
    }
  }
}
