// `metaquorum features describe|upgrade` against a fake connector, and describeFeatures on an image.

import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { describeFeatures, LATEST_METADATA_VERSION, metadataVersionLevel, MIN_METADATA_VERSION, type DescribeFeaturesResponse, type UpdateFeaturesRequest } from '../../quorum/controller/configs/features.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord } from './controller-configs-fixture.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';
import type { DescribeNodeResponse } from '../../quorum/server/rpc-methods.js';
import type { VoterAnswer } from '../../tools/cli/connect.js';

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

/** A voter's describeNode answer, with the feature range its build supports (undefined: an older build that does not say). */
function voter(id: number, maxVersion: number | undefined): VoterAnswer {
  const node: DescribeNodeResponse = {
    clusterId: 'c',
    nodeId: id,
    roles: ['controller'],
    activeControllerId: 1,
    voters: [],
    metadataOffset: 0,
    zkMigrationState: 0,
    ...(maxVersion === undefined ? {} : { supportedFeatures: [{ name: METADATA_VERSION_FEATURE, minVersion: 1, maxVersion }] }),
  };
  return { id, host: '127.0.0.1', port: 9000 + id, node };
}

describe('features upgrade', () => {
  const ok = (req: UpdateFeaturesRequest) => ({ errorCode: 0, errorMessage: null, results: req.featureUpdates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: null })) });
  /** describeFeatures of a cluster at metadata.version `level`. */
  const at = (level: number) => () => ({ metadataOffset: 1, features: [{ name: METADATA_VERSION_FEATURE, supportedMinLevel: 1, supportedMaxLevel: LATEST_METADATA_VERSION, finalizedLevel: level, brokers: [] }] });
  const updates = (calls: readonly { method: string; request: unknown }[]) => calls.filter((c) => c.method === 'updateFeatures');
  const current = [voter(1, LATEST_METADATA_VERSION), voter(2, LATEST_METADATA_VERSION), voter(3, LATEST_METADATA_VERSION)];

  it('every voter is asked first: one whose build does not support the level, an older build that does not say, or one not answering stops it (exit 1, nothing sent); --skip-voter-check goes ahead', async () => {
    for (const [answers, reason] of [
      [[voter(1, 3), voter(2, 2), voter(3, 3)], 'voter 2 runs a build that supports metadata.version up to 1.0-IV1'],
      [[voter(1, 3), voter(2, undefined), voter(3, 3)], 'voter 2 runs a build that supports metadata.version up to 1.0-IV1'],
      [[voter(1, 3), { id: 3, host: '127.0.0.1', port: 9003, error: 'connection refused' }], 'voter 3 (127.0.0.1:9003) did not answer: connection refused'],
    ] as [VoterAnswer[], string][]) {
      const f = installFake({ updateFeatures: ok, describeFeatures: at(1) });
      f.voterAnswers = answers;
      const r = await runCli('features', 'upgrade', '--metadata', '3', ...CONTROLLER);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(reason);
      expect(r.stderr).toContain('Upgrade (or start) every controller first');
      expect(f.calls).toEqual([]);
    }
    const f = installFake({ updateFeatures: ok, describeFeatures: at(1) });
    f.voterAnswers = [voter(1, 2)];
    expect((await runCli('features', 'upgrade', '--metadata', '3', '--skip-voter-check', ...CONTROLLER)).exitCode).toBe(0);
    expect(updates(f.calls)).toHaveLength(1);
    // An older build (no range said) still allows level 2.
    f.voterAnswers = [voter(1, undefined)];
    expect((await runCli('features', 'upgrade', '--metadata', '2', ...CONTROLLER)).exitCode).toBe(0);
  });

  it('--metadata by name or level, --feature name=level: one UPGRADE update; --dry-run validates only', async () => {
    const f = installFake({ updateFeatures: ok, describeFeatures: at(1) });
    f.voterAnswers = current;
    const byName = await runCli('features', 'upgrade', '--metadata', '1.0-IV2', ...CONTROLLER);
    expect(byName.stdout).toBe('metadata.version was upgraded to 1.0-IV2.\n');
    await runCli('features', 'upgrade', '--feature', 'metadata.version=3', '--dry-run', ...CONTROLLER);
    expect(updates(f.calls).map((c) => c.request)).toEqual([
      { featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 3, upgradeType: 1 }], validateOnly: false },
      { featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 3, upgradeType: 1 }], validateOnly: true },
    ]);
  });

  it('an upgrade to the level the cluster is at says so instead of "was upgraded" (exit 0)', async () => {
    const f = installFake({ updateFeatures: ok, describeFeatures: at(3) });
    f.voterAnswers = current;
    const r = await runCli('features', 'upgrade', '--metadata', '1.0-IV2', ...CONTROLLER);
    expect([r.exitCode, r.stdout]).toEqual([0, 'metadata.version is already at 1.0-IV2; nothing to do.\n']);
  });

  it('a level or a feature no controller supports is said to be unknown to the cluster, not that every controller needs upgrading (exit 1, nothing sent); one a newer cluster supports goes ahead', async () => {
    for (const [args, message] of [
      [['--metadata', '99'], `not upgrading metadata.version: no controller supports metadata.version 99: the highest level any supports is 1.0-IV4`],
      [['--feature', 'foo.version=1'], 'not upgrading foo.version: no controller knows the feature foo.version'],
    ] as [string[], string][]) {
      const f = installFake({ updateFeatures: ok, describeFeatures: at(1) });
      f.voterAnswers = [voter(1, 5), voter(2, 5), { id: 3, host: '127.0.0.1', port: 9003, error: 'connection refused' }];
      const r = await runCli('features', 'upgrade', ...args, ...CONTROLLER);
      expect([r.exitCode, f.calls], args.join(' ')).toEqual([1, []]);
      expect(r.stderr).toContain(`${message} (1 did not answer)`);
      expect(r.stderr).not.toContain('Upgrade (or start) every controller');
    }
    // A cluster newer than this CLI: a level above this build's range that every voter supports.
    const f = installFake({ updateFeatures: ok, describeFeatures: at(LATEST_METADATA_VERSION) });
    f.voterAnswers = [voter(1, LATEST_METADATA_VERSION + 2), voter(2, LATEST_METADATA_VERSION + 2), voter(3, LATEST_METADATA_VERSION + 2)];
    const newer = await runCli('features', 'upgrade', '--metadata', String(LATEST_METADATA_VERSION + 2), ...CONTROLLER);
    expect(newer.exitCode).toBe(0);
    expect(updates(f.calls).map((c) => (c.request as UpdateFeaturesRequest).featureUpdates[0]!.maxVersionLevel)).toEqual([LATEST_METADATA_VERSION + 2]);
  });

  it("a refusal is the controller's reason, exit 1", async () => {
    const f = installFake({
      describeFeatures: at(2),
      updateFeatures: (req) => ({ errorCode: 0, errorMessage: null, results: req.featureUpdates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.FEATURE_UPDATE_FAILED, errorMessage: 'Broker 4 does not support metadata.version level 3 (it supports 1..2).' })) }),
    });
    f.voterAnswers = current;
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
    // Level 0 is a usage error (levels start at 1).
    for (const args of [['--metadata', '0'], ['--feature', 'metadata.version=0'], ['--feature', 'foo.version=x']]) {
      const f = installFake({});
      f.voterAnswers = current;
      const r = await runCli('features', 'upgrade', ...args, ...CONTROLLER);
      expect([r.exitCode, f.calls], args.join(' ')).toEqual([2, []]);
    }
    expect(metadataVersionLevel('1.0-IV1')).toBe(2);
    expect(metadataVersionLevel(' 7 ')).toBe(7);
    expect(metadataVersionLevel('1.0')).toBeUndefined();
  });
});
