// Finalized feature levels: metadata.version (KIP-778/KIP-584) and the UpdateFeatures operation.
//
// Our metadata.version levels (ours, not Kafka's numbering; a level only ever adds to the one below):
//   level | name    | what it means
//   ------+---------+---------------------------------------------------------------------------
//     1   | 1.0-IV0 | initial: brokers, topics, partitions, configs, feature levels, producer ids,
//         |         | NoOp, ZooKeeper migration state, metadata transactions
//     2   | 1.0-IV1 | consumer-group offsets in the metadata log (OffsetCommit, OffsetCommitTombstone)
//     3   | 1.0-IV2 | explicit offset expiry: OffsetCommit records v1 (expireTimestampMs, from an
//         |         | OffsetCommit v2-v4 retention_time_ms); below it that retention is ignored, so a
//         |         | node of an older build never meets a record it cannot read during an upgrade
//     4   | 1.0-IV3 | ACLs (AccessControlEntry, RemoveAccessControlEntry); below it createAcls and
//         |         | deleteAcls answer UNSUPPORTED_VERSION and an import carrying ACLs is refused
//     5   | 1.0-IV4 | consumer-group membership (GroupMetadata, GroupMetadataTombstone): a group's new
//         |         | coordinator resumes it; below it membership stays in the coordinator's memory
//         |         | and a coordinator move costs every group a rebalance
//     6   | 1.0-IV5 | client quotas (ClientQuota records); below it alterClientQuotas answers
//         |         | UNSUPPORTED_VERSION and an import carrying quotas is refused
//     7   | 1.0-IV6 | SCRAM credentials (UserScramCredential, RemoveUserScramCredential); below it
//         |         | alterUserScramCredentials answers UNSUPPORTED_VERSION and an import carrying
//         |         | them is refused
// A brand-new cluster starts at the latest level (bootstrapRecords). Controllers run this code, so
// they support every level in the table; brokers declare their range in RegisterBroker.features
// (supportedFeatures() is what this build declares).
//
// UpdateFeatures rules, per feature update, in this order:
// - the same feature twice in one request: INVALID_REQUEST for every copy;
// - a feature other than metadata.version: INVALID_UPDATE_VERSION ("The controller does not support
//   the given feature", as Kafka's KRaft controller answers; Kafka's other choice, INVALID_REQUEST,
//   reads as a malformed request, which it is not);
// - upgradeType not 1 (UPGRADE), 2 (SAFE_DOWNGRADE) or 3 (UNSAFE_DOWNGRADE): INVALID_REQUEST;
// - a level outside our supported range (1..LATEST; 0 would remove metadata.version): FEATURE_UPDATE_FAILED;
// - the current level: NONE and no record;
// - any downgrade: FEATURE_UPDATE_FAILED "metadata.version downgrade is not supported" (even
//   UNSAFE_DOWNGRADE: we never rewrite records for an older level, so a downgrade could leave
//   records older software cannot read); a downgrade type with a higher level: INVALID_UPDATE_VERSION
//   ("Can't downgrade to a newer version", Kafka's words);
// - every registered broker (fenced ones too: they will come back) must support the new level in
//   its declared range, else FEATURE_UPDATE_FAILED naming the broker; a broker that declares no
//   range for the feature supports only level 0.
// One FeatureLevel record per update that passes; validateOnly answers the same and writes none.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { METADATA_VERSION_FEATURE, type FeatureLevelRecord, type FeatureRange, type MetadataRecord } from '../../../metadata-log/records/types.js';
import type { ControllerConfig } from '../config.js';
import { apiError, ErrorCode, NONE, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';

export interface MetadataVersionLevel {
  readonly level: number;
  readonly name: string;
  readonly description: string;
}

export const METADATA_VERSIONS: readonly MetadataVersionLevel[] = [
  { level: 1, name: '1.0-IV0', description: 'initial record set (everything but consumer-group offsets)' },
  { level: 2, name: '1.0-IV1', description: 'consumer-group offsets in the metadata log' },
  { level: 3, name: '1.0-IV2', description: 'explicit offset expiry (OffsetCommit retention_time_ms)' },
  { level: 4, name: '1.0-IV3', description: 'ACLs in the metadata log (AccessControlEntry records)' },
  { level: 5, name: '1.0-IV4', description: 'consumer-group membership in the metadata log (GroupMetadata records)' },
  { level: 6, name: '1.0-IV5', description: 'client quotas in the metadata log (ClientQuota records)' },
  { level: 7, name: '1.0-IV6', description: 'SCRAM credentials in the metadata log (UserScramCredential records)' },
];

export const MIN_METADATA_VERSION = 1;
export const LATEST_METADATA_VERSION = 7;
/** The first level that stores consumer-group offsets. */
export const OFFSETS_METADATA_VERSION = 2;
/** The first level whose OffsetCommit records may carry an explicit expire timestamp. */
export const OFFSET_EXPIRY_METADATA_VERSION = 3;

/** The first level whose log may hold ACL records. */
export const ACLS_METADATA_VERSION = 4;

/** The first level whose log may hold consumer-group membership (GroupMetadata records). */
export const GROUP_METADATA_METADATA_VERSION = 5;

/** The first level whose log may hold client quotas (ClientQuota records). */
export const CLIENT_QUOTAS_METADATA_VERSION = 6;

/** The first level whose log may hold SCRAM credentials (UserScramCredential records). */
export const SCRAM_METADATA_VERSION = 7;

/** The feature ranges this build supports (what a broker of this build declares when it registers). */
export function supportedFeatures(): FeatureRange[] {
  return [{ name: METADATA_VERSION_FEATURE, minVersion: MIN_METADATA_VERSION, maxVersion: LATEST_METADATA_VERSION }];
}

/**
 * Whether the image's finalized metadata.version is at least `level`. An image without
 * metadata.version (before the first active controller bootstrapped it) allows everything:
 * bootstrap writes the latest.
 */
export function metadataVersionAtLeast(image: MetadataImageView, level: number): boolean {
  const finalized = image.featureLevel(METADATA_VERSION_FEATURE);
  return finalized === undefined || finalized >= level;
}

/**
 * Whether the image's metadata.version allows offsets in the log. An image without metadata.version
 * (before the first active controller bootstrapped it) allows them: bootstrap writes the latest.
 */
export function metadataVersionSupportsOffsets(image: MetadataImageView): boolean {
  return metadataVersionAtLeast(image, OFFSETS_METADATA_VERSION);
}

/** Whether the image's metadata.version lets an OffsetCommit record carry an explicit expire timestamp (none yet: bootstrap writes the latest). */
export function metadataVersionSupportsOffsetExpiry(image: MetadataImageView): boolean {
  return metadataVersionAtLeast(image, OFFSET_EXPIRY_METADATA_VERSION);
}

/** Whether the image's metadata.version allows ACL records (none yet: bootstrap writes the latest). */
export function metadataVersionSupportsAcls(image: MetadataImageView): boolean {
  return metadataVersionAtLeast(image, ACLS_METADATA_VERSION);
}

/** Whether the image's metadata.version allows GroupMetadata records (none yet: bootstrap writes the latest). */
export function metadataVersionSupportsGroupMetadata(image: MetadataImageView): boolean {
  return metadataVersionAtLeast(image, GROUP_METADATA_METADATA_VERSION);
}

/** Whether the image's metadata.version allows ClientQuota records (none yet: bootstrap writes the latest). */
export function metadataVersionSupportsClientQuotas(image: MetadataImageView): boolean {
  return metadataVersionAtLeast(image, CLIENT_QUOTAS_METADATA_VERSION);
}

/** Whether the image's metadata.version allows SCRAM credential records (none yet: bootstrap writes the latest). */
export function metadataVersionSupportsScram(image: MetadataImageView): boolean {
  return metadataVersionAtLeast(image, SCRAM_METADATA_VERSION);
}

/** Kafka's FeatureUpdate.UpgradeType ids. */
export const FeatureUpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  readonly feature: string;
  /** The new finalized level. */
  readonly maxVersionLevel: number;
  /** A FeatureUpgradeType id. */
  readonly upgradeType: number;
}

export interface UpdateFeaturesRequest {
  readonly featureUpdates: readonly FeatureUpdate[];
  readonly validateOnly: boolean;
}

export interface UpdateFeatureResult {
  readonly feature: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface UpdateFeaturesResponse {
  /** Request-level error (always NONE here: every outcome is per feature). */
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** One per update, in request order. */
  readonly results: readonly UpdateFeatureResult[];
}

function supportedRange(feature: string): { min: number; max: number } | undefined {
  return feature === METADATA_VERSION_FEATURE ? { min: MIN_METADATA_VERSION, max: LATEST_METADATA_VERSION } : undefined;
}

function checkUpdate(image: MetadataImageView, u: FeatureUpdate): { error: ApiError; record: FeatureLevelRecord | null } {
  const fail = (error: ApiError) => ({ error, record: null });
  const range = supportedRange(u.feature);
  if (range === undefined) {
    return fail(apiError('INVALID_UPDATE_VERSION', `Invalid update version ${u.maxVersionLevel} for feature ${u.feature}. The controller does not support the given feature.`));
  }
  if (u.upgradeType !== FeatureUpgradeType.UPGRADE && u.upgradeType !== FeatureUpgradeType.SAFE_DOWNGRADE && u.upgradeType !== FeatureUpgradeType.UNSAFE_DOWNGRADE) {
    return fail(apiError('INVALID_REQUEST', `Unknown upgradeType ${u.upgradeType} for ${u.feature} (UPGRADE 1, SAFE_DOWNGRADE 2, UNSAFE_DOWNGRADE 3).`));
  }
  if (!Number.isInteger(u.maxVersionLevel) || u.maxVersionLevel < range.min || u.maxVersionLevel > range.max) {
    return fail(apiError('FEATURE_UPDATE_FAILED', `${u.feature} level ${u.maxVersionLevel} is outside the supported range ${range.min}..${range.max}.`));
  }
  const current = image.featureLevel(u.feature) ?? 0;
  if (u.maxVersionLevel === current) return { error: NONE, record: null };
  if (u.maxVersionLevel < current) {
    return fail(apiError('FEATURE_UPDATE_FAILED', `metadata.version downgrade is not supported (from ${current} to ${u.maxVersionLevel}).`));
  }
  if (u.upgradeType !== FeatureUpgradeType.UPGRADE) {
    return fail(apiError('INVALID_UPDATE_VERSION', `Invalid update version ${u.maxVersionLevel} for feature ${u.feature}. Can't downgrade to a newer version (current ${current}).`));
  }
  for (const broker of image.brokers()) {
    const declared = broker.features.find((f) => f.name === u.feature);
    if (declared === undefined || u.maxVersionLevel < declared.minVersion || u.maxVersionLevel > declared.maxVersion) {
      const supports = declared === undefined ? 'declares no range for it' : `supports ${declared.minVersion}..${declared.maxVersion}`;
      return fail(apiError('FEATURE_UPDATE_FAILED', `Broker ${broker.brokerId} does not support ${u.feature} level ${u.maxVersionLevel} (it ${supports}).`));
    }
  }
  return { error: NONE, record: { type: 'FeatureLevel', name: u.feature, featureLevel: u.maxVersionLevel } };
}

/** UpdateFeatures (api 57): rules in the header. */
export function updateFeatures(ctx: OpContext, request: UpdateFeaturesRequest): OpResult<UpdateFeaturesResponse> {
  const counts = new Map<string, number>();
  for (const u of request.featureUpdates) counts.set(u.feature, (counts.get(u.feature) ?? 0) + 1);
  const records: FeatureLevelRecord[] = [];
  const results: UpdateFeatureResult[] = [];
  for (const u of request.featureUpdates) {
    const { error, record } =
      (counts.get(u.feature) ?? 0) > 1
        ? { error: apiError('INVALID_REQUEST', `The feature ${u.feature} appears more than once in the request.`), record: null }
        : checkUpdate(ctx.image, u);
    if (error.code === ErrorCode.NONE && record !== null && !request.validateOnly) records.push(record);
    results.push({ feature: u.feature, errorCode: error.code, errorMessage: error.message });
  }
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, results } };
}

/** One feature as `features describe` shows it. */
export interface DescribedFeature {
  readonly name: string;
  /** The finalized level in the image; null before the first active controller bootstrapped it. */
  readonly finalizedLevel: number | null;
  /** What the answering node's build supports. */
  readonly supportedMinLevel: number;
  readonly supportedMaxLevel: number;
  /** Each registered broker's declared range (null: it declares none, so supports level 0 only). */
  readonly brokers: readonly { readonly brokerId: number; readonly minLevel: number | null; readonly maxLevel: number | null }[];
}

export interface DescribeFeaturesResponse {
  /** The image offset the answer was read at (Kafka's "Epoch" column shows its finalized-features epoch). */
  readonly metadataOffset: number;
  readonly features: readonly DescribedFeature[];
}

/** The features this build knows, from an image (any node answers from its own). */
export function describeFeatures(image: MetadataImageView): DescribeFeaturesResponse {
  const features = supportedFeatures().map((f): DescribedFeature => ({
    name: f.name,
    finalizedLevel: image.featureLevel(f.name) ?? null,
    supportedMinLevel: f.minVersion,
    supportedMaxLevel: f.maxVersion,
    brokers: image.brokers().map((b) => {
      const declared = b.features.find((d) => d.name === f.name);
      return { brokerId: b.brokerId, minLevel: declared?.minVersion ?? null, maxLevel: declared?.maxVersion ?? null };
    }),
  }));
  return { metadataOffset: image.provenance.endOffset, features };
}

/** A metadata.version given as a level ("3") or a name ("1.0-IV2"); undefined when it is neither. */
export function metadataVersionLevel(text: string): number | undefined {
  const t = text.trim();
  const byName = METADATA_VERSIONS.find((v) => v.name === t);
  if (byName !== undefined) return byName.level;
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/** "1.0-IV2" for 3; the bare number for a level this build does not name. */
export function metadataVersionName(level: number): string {
  return METADATA_VERSIONS.find((v) => v.level === level)?.name ?? String(level);
}

/**
 * The records a brand-new cluster's first active controller writes before anything else (the lead
 * calls this when the image has no metadata.version): metadata.version at `metadataVersion`
 * (default: the latest level). A single record, so no metadata transaction is needed.
 */
export function bootstrapRecords(config: ControllerConfig, metadataVersion: number = LATEST_METADATA_VERSION): MetadataRecord[] {
  void config;
  if (!Number.isInteger(metadataVersion) || metadataVersion < MIN_METADATA_VERSION || metadataVersion > LATEST_METADATA_VERSION) {
    throw new Error(`bootstrapRecords: metadata.version ${metadataVersion} is outside ${MIN_METADATA_VERSION}..${LATEST_METADATA_VERSION}`);
  }
  return [{ type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: metadataVersion }];
}
