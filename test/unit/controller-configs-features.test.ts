import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import {
  bootstrapRecords,
  FeatureUpgradeType,
  LATEST_METADATA_VERSION,
  METADATA_VERSIONS,
  metadataVersionSupportsOffsets,
  MIN_METADATA_VERSION,
  supportedFeatures,
  updateFeatures,
  type FeatureUpdate,
} from '../../quorum/controller/configs/features.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord, OpHarness } from './controller-configs-fixture.js';

const { UPGRADE, SAFE_DOWNGRADE, UNSAFE_DOWNGRADE } = FeatureUpgradeType;
const mv = (maxVersionLevel: number, upgradeType: number = UPGRADE): FeatureUpdate => ({ feature: METADATA_VERSION_FEATURE, maxVersionLevel, upgradeType });

function update(h: OpHarness, updates: FeatureUpdate[], validateOnly = false) {
  return updateFeatures(h.ctx(), { featureUpdates: updates, validateOnly });
}

describe('metadata.version levels', () => {
  it('the table is dense from MIN to LATEST, and this build supports all of it', () => {
    expect(METADATA_VERSIONS.map((v) => v.level)).toEqual(Array.from({ length: LATEST_METADATA_VERSION - MIN_METADATA_VERSION + 1 }, (_, i) => MIN_METADATA_VERSION + i));
    expect(supportedFeatures()).toEqual([{ name: METADATA_VERSION_FEATURE, minVersion: MIN_METADATA_VERSION, maxVersion: LATEST_METADATA_VERSION }]);
  });

  it('(bootstrap) a brand-new cluster starts at the latest metadata.version', () => {
    const config = controllerConfig('c');
    expect(bootstrapRecords(config)).toEqual([{ type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: LATEST_METADATA_VERSION }]);
    expect(bootstrapRecords(config, 1)).toEqual([{ type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: 1 }]);
    expect(() => bootstrapRecords(config, 0)).toThrow();
    expect(() => bootstrapRecords(config, LATEST_METADATA_VERSION + 1)).toThrow();
    expect(imageOf(bootstrapRecords(config)).featureLevel(METADATA_VERSION_FEATURE)).toBe(LATEST_METADATA_VERSION);
  });

  it('offsets need level 2; an image not yet bootstrapped allows them', () => {
    expect(metadataVersionSupportsOffsets(imageOf([mvRecord(1)]))).toBe(false);
    expect(metadataVersionSupportsOffsets(imageOf([mvRecord(2)]))).toBe(true);
    expect(metadataVersionSupportsOffsets(imageOf([]))).toBe(true);
  });
});

describe('UpdateFeatures', () => {
  it('(upgrade 1 -> 2, every broker supports it) one FeatureLevel record; the image moves', () => {
    const h = new OpHarness([mvRecord(1), brokerRecord(1, 10), brokerRecord(2, 11)]);
    const r = update(h, [mv(2)]);
    expect(r.response).toEqual({ errorCode: 0, errorMessage: null, results: [{ feature: METADATA_VERSION_FEATURE, errorCode: 0, errorMessage: null }] });
    expect(r.records).toEqual([{ type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: 2 }]);
    h.apply(r);
    expect(h.image.featureLevel(METADATA_VERSION_FEATURE)).toBe(2);
  });

  it('(same level) NONE and no record', () => {
    const h = new OpHarness([mvRecord(2)]);
    const r = update(h, [mv(2)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toEqual([]);
  });

  it.each([
    ['SAFE_DOWNGRADE', SAFE_DOWNGRADE],
    ['UNSAFE_DOWNGRADE', UNSAFE_DOWNGRADE],
    ['UPGRADE', UPGRADE],
  ])('(downgrade 2 -> 1 as %s) FEATURE_UPDATE_FAILED "metadata.version downgrade is not supported"', (_name, type) => {
    const h = new OpHarness([mvRecord(2)]);
    const r = update(h, [mv(1, type)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.FEATURE_UPDATE_FAILED);
    expect(r.response.results[0]?.errorMessage).toContain('metadata.version downgrade is not supported');
    expect(r.records).toEqual([]);
  });

  it('(a downgrade type with a higher level) INVALID_UPDATE_VERSION', () => {
    const h = new OpHarness([mvRecord(1)]);
    const r = update(h, [mv(2, SAFE_DOWNGRADE)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(r.records).toEqual([]);
  });

  it.each([0, LATEST_METADATA_VERSION + 1, 1.5, -1])('(level %s outside the supported range) FEATURE_UPDATE_FAILED', (level) => {
    const h = new OpHarness([mvRecord(1)]);
    const r = update(h, [mv(level)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.FEATURE_UPDATE_FAILED);
    expect(r.records).toEqual([]);
  });

  it('(unknown feature) INVALID_UPDATE_VERSION', () => {
    const h = new OpHarness([mvRecord(1)]);
    const r = update(h, [{ feature: 'kraft.version', maxVersionLevel: 1, upgradeType: UPGRADE }]);
    expect(r.response.results[0]).toMatchObject({ feature: 'kraft.version', errorCode: ErrorCode.INVALID_UPDATE_VERSION });
    expect(r.response.results[0]?.errorMessage).toContain('does not support the given feature');
  });

  it('(unknown upgradeType) INVALID_REQUEST', () => {
    const h = new OpHarness([mvRecord(1)]);
    expect(update(h, [mv(2, 0)]).response.results[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(update(h, [mv(2, 4)]).response.results[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('(a broker does not support the level) FEATURE_UPDATE_FAILED naming the broker; a fenced one counts too', () => {
    const old = [{ name: METADATA_VERSION_FEATURE, minVersion: 1, maxVersion: 1 }];
    const h = new OpHarness([mvRecord(1), brokerRecord(1, 10), brokerRecord(2, 11, { features: old, fenced: true })]);
    const r = update(h, [mv(2)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.FEATURE_UPDATE_FAILED);
    expect(r.response.results[0]?.errorMessage).toContain('Broker 2 does not support metadata.version level 2 (it supports 1..1)');
    expect(r.records).toEqual([]);
  });

  it('(a broker declares no range) it supports only level 0: FEATURE_UPDATE_FAILED', () => {
    const h = new OpHarness([mvRecord(1), brokerRecord(3, 10, { features: [] })]);
    const r = update(h, [mv(2)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.FEATURE_UPDATE_FAILED);
    expect(r.response.results[0]?.errorMessage).toContain('Broker 3');
  });

  it('(the same feature twice) INVALID_REQUEST for each copy, no record', () => {
    const h = new OpHarness([mvRecord(1)]);
    const r = update(h, [mv(2), mv(2)]);
    expect(r.response.results.map((x) => x.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(r.records).toEqual([]);
  });

  it('(validateOnly) the same answer, no record', () => {
    const h = new OpHarness([mvRecord(1), brokerRecord(1, 10)]);
    const r = update(h, [mv(2)], true);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toEqual([]);
  });

  it('(no metadata.version yet) setting one is an upgrade from 0', () => {
    const h = new OpHarness([]);
    const r = update(h, [mv(1)]);
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toHaveLength(1);
  });
});
