// Import of a metadata tree planned elsewhere (tools/migrate: ZooKeeper → records), as one
// controller operation. Atomic: the records and the ZkMigrationState marker are one operation,
// which the controller writes as one batch or, when large, as a metadata transaction (BeginTransaction
// … EndTransaction) that readers apply all at once or not at all; a transaction left open by a
// controller that died mid-write is aborted by the next active controller. A command that dies
// before its request arrived wrote nothing.
//
// Checks, in order (values, DESIGN §10):
// - cluster id differs from the quorum's → INCONSISTENT_CLUSTER_ID, saying how to format with it;
// - the quorum already holds an import (ZkMigrationState ≠ NONE) → NONE with `alreadyImported`
//   (running the command again is a no-op that says so);
// - the quorum already holds topics and `allowExisting` is off → INVALID_REQUEST naming how many;
// - a record the image cannot replay (a name clash with an existing topic, a partition of an
//   unknown topic...) → INVALID_REQUEST with the replay error; nothing is written.
// Brokers: a RegisterBroker for an id already registered is dropped (the live registration wins;
// counted in `brokersSkipped`); the others are written fenced, with a broker epoch equal to their
// own offset (as the controller gives any registration) and IMPORTED_INCARNATION_ID, which tells
// register-broker.ts that the real broker taking the id over resumes its partitions (no cleanup).
// Producer ids: a ProducerIds record that would move the quorum's next producer id back (an import
// beside a quorum that already handed out more ids than ZooKeeper) is dropped: ids must never be
// handed out twice (found by a review).
// Success: the records, then ZkMigrationState = POST_MIGRATION (3): the tree was imported once and
// ZooKeeper is no longer the source of truth (there is no dual-write phase here).

import { replayAll } from '../../../metadata-log/delta.js';
import type { MetadataImage } from '../../../metadata-log/image.js';
import type { MetadataRecord } from '../../../metadata-log/records/types.js';
import { ZERO_UUID } from '../../../metadata-log/records/uuid.js';
import { ErrorCode } from '../errors.js';
import { answer, type OpContext, type OpResult } from '../op.js';

/** The incarnation id of a registration imported from ZooKeeper (no running broker has it: Kafka never generates the zero id). */
export const IMPORTED_INCARNATION_ID = ZERO_UUID;

/** Kafka's ZkMigrationState values. */
export const ZK_MIGRATION_STATE = { NONE: 0, PRE_MIGRATION: 1, MIGRATION: 2, POST_MIGRATION: 3 } as const;

export interface ImportMetadataRequest {
  /** The cluster id of the tree being imported (ZooKeeper's /cluster/id). */
  readonly clusterId: string;
  readonly records: readonly MetadataRecord[];
  /** Import into a quorum that already holds topics (names must not clash). */
  readonly allowExisting: boolean;
}

export interface ImportMetadataResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** The quorum already held an import: nothing was written. */
  readonly alreadyImported: boolean;
  readonly recordsWritten: number;
  readonly brokersSkipped: number;
}

function refused(code: number, message: string): OpResult<ImportMetadataResponse> {
  return answer({ errorCode: code, errorMessage: message, alreadyImported: false, recordsWritten: 0, brokersSkipped: 0 });
}

export function importMetadata(ctx: OpContext, request: ImportMetadataRequest): OpResult<ImportMetadataResponse> {
  const image = ctx.image;
  if (request.clusterId !== ctx.config.clusterId) {
    return refused(
      ErrorCode.INCONSISTENT_CLUSTER_ID,
      `ZooKeeper holds cluster ${request.clusterId} but this quorum was formatted as ${ctx.config.clusterId}. ` +
        `Format every node's storage with the ZooKeeper cluster's id (metaquorum format --cluster-id ${request.clusterId} ...) and import into that quorum.`,
    );
  }
  if (image.zkMigrationState !== ZK_MIGRATION_STATE.NONE) {
    return answer({ errorCode: ErrorCode.NONE, errorMessage: null, alreadyImported: true, recordsWritten: 0, brokersSkipped: 0 });
  }
  if (image.topicCount > 0 && !request.allowExisting) {
    return refused(
      ErrorCode.INVALID_REQUEST,
      `The quorum already holds ${image.topicCount} topic(s); importing beside them needs the explicit option (--allow-existing-topics).`,
    );
  }
  // Registrations: an id already registered keeps its live registration; the others get an epoch
  // at their own offset (the records start at nextWriteOffset).
  let brokersSkipped = 0;
  const kept: MetadataRecord[] = [];
  for (const r of request.records) {
    if (r.type === 'RegisterBroker') {
      if (image.broker(r.brokerId) !== undefined) {
        brokersSkipped++;
        continue;
      }
      kept.push({ ...r, incarnationId: IMPORTED_INCARNATION_ID, brokerEpoch: ctx.nextWriteOffset + kept.length, fenced: true });
    } else if (r.type === 'ProducerIds' && r.nextProducerId <= image.nextProducerId) {
      continue; // the quorum is ahead already
    } else {
      kept.push(r);
    }
  }
  const records: MetadataRecord[] = [...kept, { type: 'ZkMigrationState', state: ZK_MIGRATION_STATE.POST_MIGRATION }];
  try {
    replayAll(image as MetadataImage, records, { endOffset: image.provenance.endOffset + records.length, epoch: image.provenance.epoch });
  } catch (e) {
    return refused(ErrorCode.INVALID_REQUEST, `The planned records do not apply to this quorum's metadata: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, alreadyImported: false, recordsWritten: records.length, brokersSkipped } };
}
