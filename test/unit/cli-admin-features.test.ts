// `metaquorum features describe|upgrade` against a fake connector, and describeFeatures on an image.

import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { describeFeatures, LATEST_METADATA_VERSION, metadataVersionLevel, MIN_METADATA_VERSION, type DescribeFeaturesResponse, type UpdateFeaturesRequest } from '../../quorum/controller/configs/features.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord } from './controller-configs-fixture.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

const DESCRIBED: DescribeFeaturesResponse = {
  metadataOffset: 42,
  features: [{ name: METADATA_VERSION_FEATURE, finalizedLevel: 2, supportedMinLevel: 1, supportedMaxLevel: 3, brokers: [{ brokerId: 4, minLevel: 1, maxLevel: 2 }] }],
};

describe('features describe', () => {
  it("Kafka's layout, levels by name", async () => {
    installFake({ describeFeatures: () => DESCRIBED });
    const r = await runCli('features', 'describe', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('Feature: metadata.version\tSupportedMinVersion: 1.0-IV0\tSupportedMaxVersion: 1.0-IV2\tFinalizedVersionLevel: 1.0-IV1\tEpoch: 42\n');
    expect(JSON.parse((await runCli('features', 'describe', '--json', ...CONTROLLER)).stdout)).toEqual(DESCRIBED);
  });

  it('from an image: the finalized level, this build\'s range, every broker\'s declared range', () => {
    const image = imageOf([mvRecord(2), brokerRecord(1, 10), brokerRecord(2, 11, { features: [] })]);
    expect(describeFeatures(image)).toEqual({
      metadataOffset: image.provenance.endOffset,
      features: [
        {
          name: METADATA_VERSION_FEATURE,
          finalizedLevel: 2,
          supportedMinLevel: MIN_METADATA_VERSION,
          supportedMaxLevel: LATEST_METADATA_VERSION,
          brokers: [
            { brokerId: 1, minLevel: expect.any(Number), maxLevel: expect.any(Number) },
            { brokerId: 2, minLevel: null, maxLevel: null },
          ],
        },
      ],
    });
    expect(describeFeatures(imageOf([])).features[0]!.finalizedLevel).toBeNull();
  });
});

describe('features upgrade', () => {
  const ok = (req: UpdateFeaturesRequest) => ({ errorCode: 0, errorMessage: null, results: req.featureUpdates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: null })) });

  it('--metadata by name or level, --feature name=level: one UPGRADE update; --dry-run validates only', async () => {
    const f = installFake({ updateFeatures: ok });
    const byName = await runCli('features', 'upgrade', '--metadata', '1.0-IV2', ...CONTROLLER);
    expect(byName.stdout).toBe('metadata.version was upgraded to 1.0-IV2.\n');
    await runCli('features', 'upgrade', '--feature', 'metadata.version=3', '--dry-run', ...CONTROLLER);
    expect(f.calls.map((c) => c.request)).toEqual([
      { featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 3, upgradeType: 1 }], validateOnly: false },
      { featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 3, upgradeType: 1 }], validateOnly: true },
    ]);
  });

  it("a refusal is the controller's reason, exit 1", async () => {
    installFake({
      updateFeatures: (req) => ({ errorCode: 0, errorMessage: null, results: req.featureUpdates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.FEATURE_UPDATE_FAILED, errorMessage: 'Broker 4 does not support metadata.version level 3 (it supports 1..2).' })) }),
    });
    const r = await runCli('features', 'upgrade', '--metadata', '3', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('could not upgrade metadata.version to 1.0-IV2: FEATURE_UPDATE_FAILED: Broker 4 does not support metadata.version level 3');
  });

  it('usage errors: neither or both flags, a bad level (exit 2, nothing sent)', async () => {
    for (const args of [[], ['--metadata', '3', '--feature', 'metadata.version=3'], ['--metadata', 'x'], ['--feature', 'metadata.version']]) {
      const f = installFake({});
      const r = await runCli('features', 'upgrade', ...args, ...CONTROLLER);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(f.calls).toEqual([]);
    }
    expect(metadataVersionLevel('1.0-IV1')).toBe(2);
    expect(metadataVersionLevel(' 7 ')).toBe(7);
    expect(metadataVersionLevel('1.0')).toBeUndefined();
  });
});
