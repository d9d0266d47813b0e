// OffsetFetch is answered by the active controller only (after what it appended has committed):
// a standby, or a new leader still claiming its leadership (it may not have applied the last
// leader's commits yet), answers NOT_CONTROLLER instead of an offset from its own image, which a
// consumer would resume from. From a review of the controller.

import { describe, expect, it } from 'vitest';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import { METADATA_VERSION_FEATURE, type MetadataRecord } from '../../metadata-log/records/types.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import { NotControllerError } from '../../quorum/controller/errors.js';
import { QuorumController } from '../../quorum/controller/quorum-controller.js';
import { silentLogger } from '../../quorum/env/index.js';
import { topicIdOf } from './controller-configs-fixture.js';

const clock = { nowMs: () => 1_000, setTimer: () => () => undefined };

/** A controller that has applied a topic and group g's offset 10 for it, and is not active. */
function notActive(): QuorumController {
  const t = topicIdOf(1);
  const records: MetadataRecord[] = [
    { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: 2 },
    { type: 'Topic', name: 't', topicId: t },
    { type: 'Partition', topicId: t, partitionId: 0, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 },
    { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: 10, leaderEpoch: -1, metadata: null, commitTimestampMs: 1 },
  ];
  const c = new QuorumController({ nodeId: 2, clock, random: { next: () => 0.5 }, logger: silentLogger, config: controllerConfig('c1') });
  c.apply([{ baseOffset: 0, epoch: 1, appendTimeMs: 0, records: records.map(encodeRecord) }]);
  return c;
}

const fetchG = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] };

describe('OffsetFetch on a controller that is not active', () => {
  it('a standby answers NOT_CONTROLLER, not the offset it has applied', async () => {
    const c = notActive();
    expect(c.image.committedOffset('g', 't', 0)?.offset).toBe(10);
    await expect(c.fetchOffsets(fetchG)).rejects.toBeInstanceOf(NotControllerError);
  });

  it('a new leader still claiming answers NOT_CONTROLLER too', async () => {
    const c = notActive();
    c.onLeaderChange({ epoch: 2, leaderId: 2 }); // claiming until its first batch of epoch 2 commits
    expect(c.isActive).toBe(false);
    await expect(c.fetchOffsets(fetchG)).rejects.toBeInstanceOf(NotControllerError);
  });
});
