// The real quorum controller on the simulated quorum (issue 3): operations, failovers, fencing
// and controlled shutdown, with the metadata invariants checked after every applied batch on
// every node (quorum/sim/metadata-invariants.ts) and the Raft invariants after every event.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import {
  activeController,
  callController,
  expectActiveController,
  expectImagesAgree,
  startBrokers,
  startControllerCluster,
} from '../support/controller-sim.js';
import { expectClean, SEEDS, TEST_TIMEOUT_MS } from '../support/sim-scenario.js';

describe('controller on the simulated quorum', () => {
  for (const seed of SEEDS) {
    it(`(seed ${seed}) brokers register and unfence; a topic is created with leaders spread and every image agrees`, async () => {
      const c = await startControllerCluster({ seed, voters: 3 });
      await expectActiveController(c);
      await startBrokers(c, [1, 2, 3]);
      const r = await callController(c, (ctrl) =>
        ctrl.createTopics({ topics: [{ name: 'orders', numPartitions: 6, replicationFactor: 3, assignments: [], configs: [] }], validateOnly: false }),
      );
      expect(r.topics[0]).toMatchObject({ name: 'orders', errorCode: ErrorCode.NONE, numPartitions: 6, replicationFactor: 3 });
      const image = activeController(c)!.controller.image;
      const topic = image.topicByName('orders')!;
      expect(topic.partitions).toHaveLength(6);
      const leaders = topic.partitions.map((p) => p.leader);
      for (const b of [1, 2, 3]) expect(leaders.filter((l) => l === b)).toHaveLength(2);
      await expectImagesAgree(c);
      expectClean(c);
    }, TEST_TIMEOUT_MS);
  }
});
