// Import of a metadata tree planned elsewhere (tools/migrate: ZooKeeper → records), streamed in
// parts inside one metadata transaction (KIP-868), as Kafka's migration driver writes it: readers
// (standby controllers, brokers) hold the records between BeginTransaction and EndTransaction aside
// and apply them all at once or, on AbortTransaction, not at all (metadata-log/loader.ts). Each
// step is one bounded controller operation, so no step holds the event loop that runs Raft for
// long: the one-operation import of 200,000 partitions held it past the followers' fetch timeout
// and never landed (measured: bench:migrate, 5,000 topics × 40 partitions).
//
// The import session (the active controller's soft state; quorum-controller.ts keeps it):
//
//   none ──begin(id) accepted──► open(id, next part 0)          writes BeginTransaction
//   none ──begin refused / already imported──► none             writes nothing
//   open(id) ──part(id, n = next) applies──► open(id, n + 1)   writes the part's records
//   open(id) ──part that does not apply, out of order or too big──► none
//                                                               writes AbortTransaction
//   open(id) ──end(id)──► none                                  writes ZkMigrationState, EndTransaction
//   open(id) ──abort(id), or no step for importIdleTimeoutMs──► none   writes AbortTransaction
//                (the wait counts from the last step's commit, when the importer heard of it)
//   open(id) ──an abort Raft refuses for now (back-pressure)──► aborting(id): parts and ends are
//                told to start again; the abort is retried each second until written, then none
//   open(id) ──begin(another id)──► open(id)                    CONCURRENT_TRANSACTIONS (retriable)
//   open(id) ──begin(id) again, no part yet──► open(id)         a re-sent begin, answered again
//   open ──the controller loses the leadership──► (gone)       the next active controller aborts the
//                                                               transaction it finds open (activate)
//   any step but begin naming no open session ──► INVALID_TXN_STATE: start again; except an end
//                                                               once the import is committed, which
//                                                               answers alreadyImported
//
// While a session is open every other write is refused with CONTROLLER_BUSY (retriable; the
// controller's own periodic tasks wait for their next tick): a record written between the parts
// would be hidden with the transaction, or dropped with it on an abort.
//
// Checks at begin, in order (values, DESIGN §10):
// - cluster id differs from the quorum's → INCONSISTENT_CLUSTER_ID, saying how to format with it;
// - the quorum already holds an import (ZkMigrationState ≠ NONE) → NONE with `alreadyImported`
//   (running the command again is a no-op that says so);
// - the quorum already holds topics and `allowExisting` is off → INVALID_REQUEST naming how many.
// At each part: a record the pending image cannot replay (a name clash with an existing topic, a
// partition of an unknown topic...) → INVALID_REQUEST with the replay error, and the import is
// aborted: nothing of it becomes visible. Likewise a record the finalized metadata.version does
// not allow (configs/features.ts), as for every other writer, since a node of an older build may
// still run at that level: OffsetCommit / OffsetCommitTombstone below 1.0-IV1, an OffsetCommit
// with an expire timestamp (record v1) below 1.0-IV2, an ACL below 1.0-IV3, GroupMetadata /
// GroupMetadataTombstone below 1.0-IV4; and a FeatureLevel, which would move
// metadata.version past UpdateFeatures' rules (down, under records already written at a higher
// level). The planner writes none of these (tools/migrate: legacy offsets carry no expiry, and
// /feature is not imported); the controller does not take the importer's word for it.
// Brokers: a RegisterBroker for an id already registered is dropped (the live registration wins;
// counted in `brokersSkipped`); the others are written fenced, with a broker epoch equal to their
// own offset (as the controller gives any registration) and IMPORTED_INCARNATION_ID, which tells
// register-broker.ts that the real broker taking the id over resumes its partitions (no cleanup).
// ACLs: an AccessControlEntry identical (all seven fields) to an ACL the quorum holds, or to an
// earlier one of the import, is dropped, as createAcls stores an ACL once (an import beside ACLs
// made since); one createAcls would refuse (acls/acl-rules.ts: an empty resource name, which as
// PREFIXED applies to every resource; a principal that is not Type:name; a CLUSTER not named
// kafka-cluster; an empty host) refuses the part, as the other records the controller does not
// take the importer's word for; a RemoveAccessControlEntry is refused (an import only adds).
// Client quotas: a ClientQuota alterClientQuotas would refuse (configs/client-quotas.ts: an entity
// of no, unknown or repeated types, an empty name, ip with another type or naming no IP address; a
// key the entity's kind does not take; a value that is not a finite number at least 0, or not whole
// where it must be) refuses the part, as for ACLs; a removal is refused (an import only sets quotas).
// SCRAM credentials: a UserScramCredential alterUserScramCredentials would not have written (an
// empty name, an unknown mechanism, iterations outside 4096..16384, an empty salt, keys not the
// mechanism's hash length) refuses the part; a RemoveUserScramCredential is refused.
// Producer ids: a ProducerIds record that would move the quorum's next producer id back (an import
// beside a quorum that already handed out more ids than ZooKeeper) is dropped: ids must never be
// handed out twice (found by a review).
// Success: the records, then ZkMigrationState = POST_MIGRATION (3): the tree was imported once and
// ZooKeeper is no longer the source of truth (there is no dual-write phase here).

import { replayAll } from '../../../metadata-log/delta.js';
import type { MetadataImage } from '../../../metadata-log/image.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { METADATA_VERSION_FEATURE, type ClientQuotaRecord, type MetadataRecord } from '../../../metadata-log/records/types.js';
import { ZERO_UUID } from '../../../metadata-log/records/uuid.js';
import { ErrorCode } from '../errors.js';
import { answer, type OpContext, type OpResult } from '../op.js';
import {
  ACLS_METADATA_VERSION,
  GROUP_METADATA_METADATA_VERSION,
  CLIENT_QUOTAS_METADATA_VERSION,
  metadataVersionAtLeast,
  SCRAM_METADATA_VERSION,
  metadataVersionName,
  OFFSET_EXPIRY_METADATA_VERSION,
  OFFSETS_METADATA_VERSION,
} from '../configs/features.js';
import { aclBindingKey } from '../../../metadata-log/acl-filter.js';
import { newAclError } from '../acls/acl-rules.js';
import { clientQuotaEntityText } from '../../../metadata-log/client-quota-filter.js';
import { scramCredentialError } from '../configs/scram-credentials.js';
import { checkClientQuotaEntity, clientQuotaKeysFor, clientQuotaValueError } from '../configs/client-quotas.js';

/** The incarnation id of a registration imported from ZooKeeper (no running broker has it: Kafka never generates the zero id). */
export const IMPORTED_INCARNATION_ID = ZERO_UUID;

/** Kafka's ZkMigrationState values. */
export const ZK_MIGRATION_STATE = { NONE: 0, PRE_MIGRATION: 1, MIGRATION: 2, POST_MIGRATION: 3 } as const;

/** The BeginTransaction name of an import (dump-log shows it). */
export const IMPORT_TRANSACTION_NAME = 'zk-import';

/** One step of an import; `importId` (the client's, random) names the session every step belongs to. */
export type ImportMetadataRequest =
  | {
      readonly step: 'begin';
      readonly importId: string;
      /** The cluster id of the tree being imported (ZooKeeper's /cluster/id). */
      readonly clusterId: string;
      /** Import into a quorum that already holds topics (names must not clash). */
      readonly allowExisting: boolean;
      /** How many records the parts will carry (for the controller's log). */
      readonly totalRecords: number;
    }
  | {
      readonly step: 'part';
      readonly importId: string;
      /** 0, 1, 2...: a part out of order aborts the import. */
      readonly part: number;
      /** At most the controller's maxRecordsPerOperation. */
      readonly records: readonly MetadataRecord[];
    }
  | { readonly step: 'end'; readonly importId: string }
  | { readonly step: 'abort'; readonly importId: string; readonly reason: string };

export interface ImportMetadataResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** The quorum already held an import: nothing was written. */
  readonly alreadyImported: boolean;
  /** Records written by this session so far (at end: all of them, the marker included). */
  readonly recordsWritten: number;
  /** Registrations left out so far because the id was registered already. */
  readonly brokersSkipped: number;
  /** In the answer to a begin that opened a session: the most records a part may carry. */
  readonly partRecordsMax?: number;
}

/** What the active controller keeps of an open import between its steps. */
export interface ImportSession {
  readonly importId: string;
  readonly totalRecords: number;
  nextPart: number;
  recordsWritten: number;
  brokersSkipped: number;
}

export function importAnswer(session: Pick<ImportSession, 'recordsWritten' | 'brokersSkipped'>, alreadyImported = false): ImportMetadataResponse {
  return { errorCode: ErrorCode.NONE, errorMessage: null, alreadyImported, recordsWritten: session.recordsWritten, brokersSkipped: session.brokersSkipped };
}

export function importRefusal(code: number, message: string): ImportMetadataResponse {
  return { errorCode: code, errorMessage: message, alreadyImported: false, recordsWritten: 0, brokersSkipped: 0 };
}

/** The quorum holds a completed import. */
export function alreadyImported(image: MetadataImageView): boolean {
  return image.zkMigrationState !== ZK_MIGRATION_STATE.NONE;
}

/** begin: the checks, then BeginTransaction (no records when refused or already imported). */
export function beginImport(ctx: OpContext, request: Extract<ImportMetadataRequest, { step: 'begin' }>): OpResult<ImportMetadataResponse> {
  const image = ctx.image;
  if (request.clusterId !== ctx.config.clusterId) {
    return answer(
      importRefusal(
        ErrorCode.INCONSISTENT_CLUSTER_ID,
        `ZooKeeper holds cluster ${request.clusterId} but this quorum was formatted as ${ctx.config.clusterId}. ` +
          `Format every node's storage with the ZooKeeper cluster's id (metaquorum format --cluster-id ${request.clusterId} ...) and import into that quorum.`,
      ),
    );
  }
  if (alreadyImported(image)) return answer(importAnswer({ recordsWritten: 0, brokersSkipped: 0 }, true));
  if (image.topicCount > 0 && !request.allowExisting) {
    return answer(
      importRefusal(ErrorCode.INVALID_REQUEST, `The quorum already holds ${image.topicCount} topic(s); importing beside them needs the explicit option (--allow-existing-topics).`),
    );
  }
  return {
    records: [{ type: 'BeginTransaction', name: IMPORT_TRANSACTION_NAME }],
    response: { ...importAnswer({ recordsWritten: 1, brokersSkipped: 0 }), partRecordsMax: ctx.config.maxRecordsPerOperation },
  };
}

/**
 * part: the records as they are written (brokers already registered dropped, the others fenced
 * with their own offsets as epochs), checked against the pending image. Refused (no records) when
 * one does not replay; the caller then aborts the import.
 */
export function importPart(ctx: OpContext, records: readonly MetadataRecord[]): OpResult<ImportMetadataResponse> {
  const image = ctx.image;
  let brokersSkipped = 0;
  const kept: MetadataRecord[] = [];
  let storedAcls: Set<string> | undefined; // computed at the first ACL of the part, then grows with the part's own
  for (const r of records) {
    if (r.type === 'RegisterBroker') {
      if (image.broker(r.brokerId) !== undefined) {
        brokersSkipped++;
        continue;
      }
      kept.push({ ...r, incarnationId: IMPORTED_INCARNATION_ID, brokerEpoch: ctx.nextWriteOffset + kept.length, fenced: true });
    } else if (r.type === 'ProducerIds' && r.nextProducerId <= image.nextProducerId) {
      continue; // the quorum is ahead already
    } else if (r.type === 'BeginTransaction' || r.type === 'EndTransaction' || r.type === 'AbortTransaction' || r.type === 'ZkMigrationState') {
      return answer(importRefusal(ErrorCode.INVALID_REQUEST, `An import part may not carry a ${r.type} record: the controller writes those itself.`));
    } else if (r.type === 'FeatureLevel') {
      return answer(importRefusal(ErrorCode.INVALID_REQUEST, 'An import part may not carry a FeatureLevel record: metadata.version is raised with UpdateFeatures (metaquorum features upgrade), never by an import.'));
    } else if (!metadataVersionAllows(image, r)) {
      const need = importLevelNeed(r)!;
      return answer(importRefusal(ErrorCode.INVALID_REQUEST, levelRefusal(need.what, need.level)));
    } else if (r.type === 'RemoveAccessControlEntry') {
      return answer(importRefusal(ErrorCode.INVALID_REQUEST, 'An import part may not carry a RemoveAccessControlEntry record: an import only adds ACLs.'));
    } else if (r.type === 'AccessControlEntry') {
      const invalid = newAclError(r);
      if (invalid !== null) {
        return answer(importRefusal(ErrorCode.INVALID_REQUEST, `An import part carries an ACL the controller refuses (${r.resourceType} ${JSON.stringify(r.resourceName)}, ${JSON.stringify(r.principal)}): ${invalid.message}`));
      }
      const key = aclBindingKey(r);
      storedAcls ??= aclKeysOf(image);
      if (storedAcls.has(key)) continue; // the quorum (or this part) holds this ACL already: stored once
      storedAcls.add(key);
      kept.push(r);
    } else if (r.type === 'ClientQuota') {
      const invalid = importedClientQuotaError(r);
      if (invalid !== null) {
        return answer(importRefusal(ErrorCode.INVALID_REQUEST, `An import part carries a client quota the controller refuses (${clientQuotaEntityText(r.entity)}, ${r.key}): ${invalid}`));
      }
      kept.push(r);
    } else if (r.type === 'UserScramCredential') {
      const invalid = scramCredentialError(r.name, r.mechanism, r.iterations, r.salt, [r.storedKey, r.serverKey]);
      if (invalid !== null) {
        return answer(importRefusal(ErrorCode.INVALID_REQUEST, `An import part carries a SCRAM credential the controller refuses (user ${JSON.stringify(r.name)}, mechanism ${r.mechanism}): ${invalid.message ?? 'invalid'}`));
      }
      kept.push(r);
    } else if (r.type === 'RemoveUserScramCredential') {
      return answer(importRefusal(ErrorCode.INVALID_REQUEST, 'An import part carries a RemoveUserScramCredential record: an import only sets credentials, it does not remove them'));
    } else {
      kept.push(r);
    }
  }
  try {
    replayAll(image as MetadataImage, kept, { endOffset: image.provenance.endOffset + kept.length, epoch: image.provenance.epoch });
  } catch (e) {
    return answer(importRefusal(ErrorCode.INVALID_REQUEST, `The planned records do not apply to this quorum's metadata: ${e instanceof Error ? e.message : String(e)}`));
  }
  return { records: kept, response: importAnswer({ recordsWritten: kept.length, brokersSkipped }) };
}

/** Why alterClientQuotas would refuse the quota an imported ClientQuota sets, or null. */
function importedClientQuotaError(r: ClientQuotaRecord): string | null {
  if (r.remove) return 'an import only sets quotas, it does not remove them';
  const checked = checkClientQuotaEntity(r.entity);
  if ('error' in checked) return checked.error.message ?? 'invalid entity';
  return clientQuotaValueError(clientQuotaKeysFor(checked.entity.map((p) => p.entityType)), r.key, r.value);
}

/** The quorum's ACLs by binding (all seven fields), to store an imported ACL once. */
function aclKeysOf(image: MetadataImageView): Set<string> {
  const keys = new Set<string>();
  for (const a of image.acls()) keys.add(aclBindingKey(a));
  return keys;
}

/** The metadata.version an imported record needs beyond the first (what it is, for messages), or null. */
export function importLevelNeed(r: MetadataRecord): { readonly what: string; readonly level: number } | null {
  if (r.type === 'OffsetCommit' && r.expireTimestampMs !== undefined) return { what: 'an offset with an expire timestamp', level: OFFSET_EXPIRY_METADATA_VERSION };
  if (r.type === 'OffsetCommit' || r.type === 'OffsetCommitTombstone') return { what: 'consumer-group offsets', level: OFFSETS_METADATA_VERSION };
  if (r.type === 'AccessControlEntry' || r.type === 'RemoveAccessControlEntry') return { what: 'ACLs', level: ACLS_METADATA_VERSION };
  if (r.type === 'GroupMetadata' || r.type === 'GroupMetadataTombstone') return { what: 'consumer-group membership', level: GROUP_METADATA_METADATA_VERSION };
  if (r.type === 'ClientQuota') return { what: 'client quotas', level: CLIENT_QUOTAS_METADATA_VERSION };
  if (r.type === 'UserScramCredential' || r.type === 'RemoveUserScramCredential') return { what: 'SCRAM credentials', level: SCRAM_METADATA_VERSION };
  return null;
}

/** Whether the image's finalized metadata.version (none: the newest) allows the record (importLevelNeed). */
function metadataVersionAllows(image: MetadataImageView, r: MetadataRecord): boolean {
  const need = importLevelNeed(r);
  return need === null || metadataVersionAtLeast(image, need.level);
}

/** Why a part is refused for a record the finalized metadata.version does not allow. */
function levelRefusal(what: string, level: number): string {
  return `An import part carries ${what}, which needs metadata.version ${level} (${metadataVersionName(level)}); upgrade the cluster's metadata.version first (metaquorum features upgrade --metadata ${metadataVersionName(level)}).`;
}

/** end: the marker that the tree was imported, and the transaction's end. */
export function endImport(): readonly MetadataRecord[] {
  return [{ type: 'ZkMigrationState', state: ZK_MIGRATION_STATE.POST_MIGRATION }, { type: 'EndTransaction' }];
}

/** Characters of an abort's reason kept in its record (and log line). */
export const ABORT_REASON_CHARS_MAX = 1_000;

/**
 * An abort's reason, cut to ABORT_REASON_CHARS_MAX: it may come from the request (the importer's
 * reason, a part number), and an AbortTransaction larger than a proposal may be would be refused by
 * Raft every time, leaving the session open (every other write waiting) for ever.
 */
export function boundedAbortReason(reason: string): string {
  return reason.length <= ABORT_REASON_CHARS_MAX ? reason : `${reason.slice(0, ABORT_REASON_CHARS_MAX)}... (${reason.length} characters)`;
}

/** abort: the transaction's records are dropped by every reader. */
export function abortImport(reason: string): readonly MetadataRecord[] {
  return [{ type: 'AbortTransaction', reason: `import aborted: ${boundedAbortReason(reason)}` }];
}
