// BrokerRegistration (Kafka api 62) on the active controller: validate, then either answer the
// registration already in force (same incarnation) or write a new one (new incarnation).
//
// Rules (Kafka's ClusterControlManager.registerBroker; reference/kraft.md §3.3):
// - wrong cluster id -> INCONSISTENT_CLUSTER_ID
// - malformed request (broker id, incarnation id, listeners, feature ranges) -> INVALID_REQUEST
// - a finalized feature level (metadata.version first of all) outside the broker's range -> UNSUPPORTED_VERSION
// - the id is held by another incarnation with a live session -> DUPLICATE_BROKER_REGISTRATION
// - same incarnation again (a retried request) -> the epoch in force, no record: the epoch is never
//   bumped for the same incarnation (KAFKA-16952), since partitions and fetch sessions are fenced by it
// - the id holds a registration imported from ZooKeeper -> replaced, no session check, no cleanup
//   (the broker resumes the leaderships and ISR places it had in ZooKeeper)
// - new incarnation -> [cleanup PartitionChanges for the old registration, if it leads or is in an
//   ISR (unclean shutdown)] + RegisterBroker(fenced, not in controlled shutdown). Broker epoch = the
//   log offset of the RegisterBroker record itself, i.e. nextWriteOffset + the cleanup records.
//   A cleanup of more than controlledShutdownMovesPerStepMax moves -> DUPLICATE_BROKER_REGISTRATION
//   (retry): the old incarnation's session has expired and the periodic check drains it in steps.
// A successful registration starts a fresh session for the broker.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { Endpoint, FeatureRange, MetadataRecord, RegisterBrokerRecord, Uuid } from '../../../metadata-log/records/types.js';
import { METADATA_VERSION_FEATURE } from '../../../metadata-log/records/types.js';
import { isUuid } from '../../../metadata-log/records/uuid.js';
import { assert } from '../../raft/assert.js';
import { ErrorCode } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { answer } from '../op.js';
import { holdsNothing } from './broker-roles.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';
import { movesOff } from './moves.js';
import { controllerLimits } from '../limits.js';
import { IMPORTED_INCARNATION_ID } from '../migration/import-metadata.js';

export interface BrokerRegistrationRequest {
  readonly brokerId: number;
  readonly clusterId: string;
  readonly incarnationId: Uuid;
  readonly listeners: readonly Endpoint[];
  readonly features: readonly FeatureRange[];
  readonly rack: string | null;
  /** The epoch of this broker's previous incarnation, when it knows it; -1 for none. */
  readonly previousBrokerEpoch: number;
}

export interface BrokerRegistrationResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** The broker's epoch; -1 on error. */
  readonly brokerEpoch: number;
}

const BROKER_ID_MAX = 2 ** 31 - 1;
const PORT_MAX = 65_535;
const FEATURE_LEVEL_MAX = 32_767;

export function registerBroker(
  ctx: OpContext,
  hb: BrokerHeartbeatManager,
  request: BrokerRegistrationRequest,
  movesMax: number = controllerLimits.controlledShutdownMovesPerStepMax,
): OpResult<BrokerRegistrationResponse> {
  if (request.clusterId !== ctx.config.clusterId) {
    return refuse(
      ErrorCode.INCONSISTENT_CLUSTER_ID,
      `broker ${request.brokerId} belongs to cluster ${JSON.stringify(request.clusterId)}, this controller to ${JSON.stringify(ctx.config.clusterId)}; check meta.properties in its log.dirs`,
    );
  }
  const invalid = invalidRequest(request);
  if (invalid !== null) return refuse(ErrorCode.INVALID_REQUEST, `broker ${request.brokerId}: ${invalid}`);
  const unsupported = unsupportedFeature(ctx.image, request);
  if (unsupported !== null) return refuse(ErrorCode.UNSUPPORTED_VERSION, unsupported);

  const { brokerId } = request;
  const existing = ctx.image.broker(brokerId);
  if (existing !== undefined && existing.incarnationId === request.incarnationId) {
    // A retry of a registration already written (its answer may have been lost). KAFKA-16952.
    hb.touch(brokerId, ctx.nowMs, null);
    return answer({ errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch: existing.brokerEpoch });
  }
  // A registration imported from ZooKeeper (migration/import-metadata.ts) stands for a broker that
  // ran in ZooKeeper mode: it never had a session here, and its leaderships and ISR places are the
  // state it left in ZooKeeper, which the same broker now resumes (Kafka's IsMigratingZkBroker).
  const imported = existing !== undefined && existing.incarnationId === IMPORTED_INCARNATION_ID;
  if (existing !== undefined && !imported && hb.hasLiveSession(brokerId, ctx.nowMs, ctx.image)) {
    const expiresAtMs = hb.sessionExpiresAtMs(brokerId);
    assert(expiresAtMs !== undefined, `live session of broker ${brokerId} without an expiry`);
    return refuse(
      ErrorCode.DUPLICATE_BROKER_REGISTRATION,
      `broker id ${brokerId} is held by incarnation ${existing.incarnationId} (epoch ${existing.brokerEpoch}) whose session expires in ${Math.max(0, Math.ceil((expiresAtMs - ctx.nowMs) / 1000))} s unless it heartbeats; ` +
        `if that process is gone, retry after then, otherwise give this broker another node.id`,
    );
  }

  if (existing !== undefined && !imported && hb.isDraining(brokerId) && !existing.fenced) {
    // The old incarnation's expired session is being drained in steps before its fencing
    // (fencing.ts): the cleanup below would be the one large operation the steps avoid.
    return refuse(
      ErrorCode.DUPLICATE_BROKER_REGISTRATION,
      `broker id ${brokerId}: the previous incarnation ${existing.incarnationId} is being fenced in steps (its partitions move off it first); retry shortly`,
    );
  }

  const records: MetadataRecord[] = [];
  if (existing !== undefined && !imported && !holdsNothing(ctx.image, brokerId)) {
    // The old incarnation went away without a controlled shutdown and still leads or sits in ISRs.
    const cleanup = movesOff(ctx, brokerId);
    if (cleanup.length > movesMax) {
      // Its session expired but the periodic check has not fenced it yet: that check drains it in
      // steps (fencing.ts); this one operation of every move is what the steps avoid.
      return refuse(
        ErrorCode.DUPLICATE_BROKER_REGISTRATION,
        `broker id ${brokerId}: the previous incarnation ${existing.incarnationId} still holds partitions needing ${cleanup.length} changes; it is about to be fenced in steps; retry shortly`,
      );
    }
    records.push(...cleanup);
  }
  const brokerEpoch = ctx.nextWriteOffset + records.length;
  const registration: RegisterBrokerRecord = {
    type: 'RegisterBroker',
    brokerId,
    incarnationId: request.incarnationId,
    brokerEpoch,
    endpoints: request.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
    rack: request.rack,
    fenced: true,
    inControlledShutdown: false,
    features: request.features.map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
  };
  records.push(registration);
  assert(records.length - 1 + ctx.nextWriteOffset === brokerEpoch, `broker ${brokerId}: epoch ${brokerEpoch} is not the offset of its RegisterBroker record`);
  hb.startSession(brokerId, ctx.nowMs);
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch } };
}

function refuse(errorCode: number, errorMessage: string): OpResult<BrokerRegistrationResponse> {
  return answer({ errorCode, errorMessage, brokerEpoch: -1 });
}

/** Why the request cannot be a registration at all, or null. */
function invalidRequest(r: BrokerRegistrationRequest): string | null {
  if (!Number.isSafeInteger(r.brokerId) || r.brokerId < 0 || r.brokerId > BROKER_ID_MAX) return `broker id ${r.brokerId} is not in [0, ${BROKER_ID_MAX}]`;
  if (!isUuid(r.incarnationId)) return `incarnation id ${JSON.stringify(r.incarnationId)} is not a uuid`;
  // The zero id marks a registration imported from ZooKeeper (taken over without a session check):
  // a live broker holding it could be replaced by any other (found by a review).
  if (r.incarnationId === IMPORTED_INCARNATION_ID) return `incarnation id ${r.incarnationId} is reserved (Kafka never generates the zero uuid)`;
  if (!Number.isSafeInteger(r.previousBrokerEpoch) || r.previousBrokerEpoch < -1) return `previous broker epoch ${r.previousBrokerEpoch} is not -1 or an offset`;
  if (r.rack !== null && typeof r.rack !== 'string') return 'rack is not a string or null';
  if (r.listeners.length === 0) return 'no listeners: a broker must advertise at least one';
  const names = new Set<string>();
  for (const l of r.listeners) {
    if (typeof l.name !== 'string' || l.name === '') return 'a listener has no name';
    if (names.has(l.name)) return `listener ${l.name} appears twice`;
    names.add(l.name);
    if (typeof l.host !== 'string' || l.host === '') return `listener ${l.name} has no host`;
    if (!Number.isInteger(l.port) || l.port < 1 || l.port > PORT_MAX) return `listener ${l.name} has port ${l.port}, not in [1, ${PORT_MAX}]`;
    if (typeof l.securityProtocol !== 'string' || l.securityProtocol === '') return `listener ${l.name} has no security protocol`;
  }
  const features = new Set<string>();
  for (const f of r.features) {
    if (typeof f.name !== 'string' || f.name === '') return 'a feature has no name';
    if (features.has(f.name)) return `feature ${f.name} appears twice`;
    features.add(f.name);
    const inRange = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= FEATURE_LEVEL_MAX;
    if (!inRange(f.minVersion) || !inRange(f.maxVersion) || f.minVersion > f.maxVersion) {
      return `feature ${f.name} has range [${f.minVersion}, ${f.maxVersion}]`;
    }
  }
  return null;
}

/**
 * Every finalized feature (level > 0) must be within the range the broker supports; a feature the
 * broker does not list is one it supports only at level 0 (Kafka's VersionRange.ZERO). Checks
 * metadata.version first so that is the one named when several are out of range.
 */
function unsupportedFeature(image: MetadataImageView, r: BrokerRegistrationRequest): string | null {
  const finalized = [...image.features()].filter(([, level]) => level > 0);
  finalized.sort(([a], [b]) => (a === METADATA_VERSION_FEATURE ? -1 : b === METADATA_VERSION_FEATURE ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const [name, level] of finalized) {
    const range = r.features.find((f) => f.name === name);
    if (range === undefined) return `broker ${r.brokerId} does not support ${name}, finalized at level ${level}; upgrade the broker`;
    if (level < range.minVersion || level > range.maxVersion) {
      return `broker ${r.brokerId} supports ${name} [${range.minVersion}, ${range.maxVersion}], but the cluster is finalized at level ${level}`;
    }
  }
  return null;
}
