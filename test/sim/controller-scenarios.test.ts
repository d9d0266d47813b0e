// The real quorum controller on the simulated quorum (issue 3): operations, failovers, fencing
// and controlled shutdown, with the metadata invariants checked after every applied batch on
// every node (quorum/sim/metadata-invariants.ts) and the Raft invariants after every event.
//
// Named scenarios, each for seeds 1-3:
//   - failover in the middle of CreateTopics (the active controller crashes, or is partitioned away)
//   - failover under load keeps going from the image; heartbeating brokers are never fenced
//   - a fenced broker loses its leaderships, and gets them back once it heartbeats again
//   - controlled shutdown completes under continuous writes (KAFKA-14292, KAFKA-13959)
//   - an image from a snapshot plus the tail equals one from the whole log (and an observer's)
//   - a large operation is one metadata transaction, also across a leader crash (orphan abort)
//   - an unreadable record in the committed log stops every voter, naming it (KAFKA-14275)
//   - offset commits (a regression: fractional clock milliseconds)

import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import type { IncrementalAlterConfigsRequest } from '../../quorum/controller/configs/incremental-alter-configs.js';
import { ErrorCode, NotControllerError } from '../../quorum/controller/errors.js';
import type { AlterPartitionRequest } from '../../quorum/controller/replication/alter-partition.js';
import type { CreateTopicsRequest } from '../../quorum/controller/replication/create-topics.js';
import type { LogBatch, NodeId } from '../../quorum/raft/types.js';
import { OBSERVER_BASE_ID, type SimCluster } from '../../quorum/sim/cluster.js';
import { ControllerStateMachine } from '../../quorum/sim/controller-state-machine.js';
import {
  activeController,
  callController,
  controllerOf,
  expectActiveController,
  expectImagesAgree,
  simControllerDefaults,
  type SimBroker,
  startBrokers,
  startControllerCluster,
} from '../support/controller-sim.js';
import { expectClean, report, SEEDS, TEST_TIMEOUT_MS } from '../support/sim-scenario.js';

function setTopicConfig(topic: string, name: string, value: string): IncrementalAlterConfigsRequest {
  return { resources: [{ resourceType: 'topic', resourceName: topic, configs: [{ name, op: 0, value }] }], validateOnly: false };
}

function createTopic(name: string, numPartitions: number, replicationFactor = 3): CreateTopicsRequest {
  return { topics: [{ name, numPartitions, replicationFactor, assignments: [], configs: [] }], validateOnly: false };
}

/** Every live voter's committed image holds `name` with `partitions` partitions under one topic id. */
function expectTopicEverywhere(c: SimCluster, name: string, partitions: number): void {
  const ids = new Set<string>();
  for (const n of c.liveNodes()) {
    const topic = controllerOf(c, n.id)?.image.topicByName(name);
    expect(topic, `node ${n.id} has no topic ${name}: ${report(c)}`).toBeDefined();
    expect(topic!.partitions, `node ${n.id}`).toHaveLength(partitions);
    ids.add(topic!.topicId);
  }
  expect(ids.size, `topic ${name} has ids ${[...ids].join(',')}`).toBe(1);
}

type Outcome<T> = { readonly ok: T } | { readonly error: unknown };

/** Starts `call` now and records how it settles (it may never settle: its controller crashed). */
function track<T>(call: Promise<T>): { outcome: Outcome<T> | undefined } {
  const box: { outcome: Outcome<T> | undefined } = { outcome: undefined };
  call.then(
    (ok) => (box.outcome = { ok }),
    (error: unknown) => (box.outcome = { error }),
  );
  return box;
}

/** An AlterPartition from the partition's leader (`from`) setting its ISR to `isr`. */
function isrChange(image: MetadataImageView, from: SimBroker, topicName: string, partition: number, isr: readonly number[]): AlterPartitionRequest {
  const topic = image.topicByName(topicName)!;
  const p = topic.partitions[partition]!;
  return {
    brokerId: from.brokerId,
    brokerEpoch: from.epoch,
    topics: [
      {
        topicId: topic.topicId,
        partitions: [
          {
            partitionIndex: partition,
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: p.partitionEpoch,
            newIsrWithEpochs: isr.map((b) => ({ brokerId: b, brokerEpoch: image.broker(b)?.brokerEpoch ?? -1 })),
            leaderRecoveryState: 0,
          },
        ],
      },
    ],
  };
}

/** Every partition's leader adds its missing replicas back to the ISR, as leaders do once followers catch up. */
async function expandIsrs(c: SimCluster, brokers: readonly SimBroker[], topicName: string): Promise<void> {
  const image = activeController(c)!.controller.image;
  const partitions = image.topicByName(topicName)!.partitions;
  for (let i = 0; i < partitions.length; i++) {
    const p = partitions[i]!;
    if (p.leader === -1 || p.isr.length === p.replicas.length) continue;
    const leader = brokers.find((b) => b.brokerId === p.leader)!;
    const r = await callController(c, (ctrl) => ctrl.alterPartition(isrChange(ctrl.image, leader, topicName, i, p.replicas)));
    expect(r.topics[0]!.partitions[0]!.errorCode, `${topicName}-${i}: ${JSON.stringify(r)}`).toBe(ErrorCode.NONE);
  }
}

/** `rounds` of: a topic of 3 partitions, a config change on it, and every third one deleted again. */
async function busyWork(c: SimCluster, prefix: string, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const name = `${prefix}-${i}`;
    const created = await callController(c, (ctrl) => ctrl.createTopics(createTopic(name, 3)));
    expect(created.topics[0]!.errorCode, JSON.stringify(created)).toBe(ErrorCode.NONE);
    const altered = await callController(c, (ctrl) => ctrl.incrementalAlterConfigs(setTopicConfig(name, 'retention.ms', String(1000 + i))));
    expect(altered.results[0]!.errorCode).toBe(ErrorCode.NONE);
    if (i % 3 === 2) {
      const deleted = await callController(c, (ctrl) => ctrl.deleteTopics({ topics: [{ name, topicId: null }] }));
      expect(deleted.responses[0]!.errorCode, JSON.stringify(deleted)).toBe(ErrorCode.NONE);
    }
  }
}

interface BackgroundWrites {
  readonly stats: { topicsCreated: number; configsAltered: number; offsetsCommitted: number; notController: number; errors: number; lastError: string | null };
  stop(): void;
}

/**
 * A busy cluster: every `everyMs`, on whichever controller is active, an offset commit to `topic`
 * (which must exist) and either a new one-partition topic or a config change on `topic`, never
 * waiting for the answers. NOT_CONTROLLER answers (failovers) are counted apart from other errors.
 */
function startBackgroundWrites(c: SimCluster, topic: string, options: { everyMs?: number } = {}): BackgroundWrites {
  const everyMs = options.everyMs ?? 4;
  const stats = { topicsCreated: 0, configsAltered: 0, offsetsCommitted: 0, notController: 0, errors: 0, lastError: null as string | null };
  let stopped = false;
  let n = 0;
  const failed = (e: unknown) => {
    if (e instanceof NotControllerError) stats.notController++;
    else {
      stats.errors++;
      stats.lastError = String(e);
    }
  };
  const tick = () => {
    if (stopped) return;
    c.scheduler.after(everyMs, tick, 'background writes');
    const a = activeController(c);
    if (a === undefined) return;
    const i = n++;
    if (i % 2 === 0) {
      a.controller.createTopics(createTopic(`background-${i}`, 1)).then((r) => {
        const code = r.topics[0]!.errorCode;
        if (code === ErrorCode.NONE) stats.topicsCreated++;
        else failed(new Error(`create topic answered ${code} ${r.topics[0]!.errorMessage}`));
      }, failed);
    } else {
      a.controller.incrementalAlterConfigs(setTopicConfig(topic, 'retention.ms', String(10_000 + i))).then((r) => {
        const code = r.results[0]!.errorCode;
        if (code === ErrorCode.NONE) stats.configsAltered++;
        else failed(new Error(`alter configs answered ${code} ${r.results[0]!.errorMessage}`));
      }, failed);
    }
    a.controller
      .commitOffsets({ groupId: `group-${i % 3}`, topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: i, committedLeaderEpoch: -1, committedMetadata: null }] }] })
      .then((r) => {
        const code = r.topics[0]!.partitions[0]!.errorCode;
        if (code === ErrorCode.NONE) stats.offsetsCommitted++;
        else failed(new Error(`offset commit answered ${code}`));
      }, failed);
  };
  tick();
  return {
    stats,
    stop: () => {
      stopped = true;
    },
  };
}

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

  describe('failover in the middle of CreateTopics', () => {
    for (const seed of SEEDS) {
      for (const crashAfterMs of [0, 3]) {
        it(`(seed ${seed}) the active controller crashes ${crashAfterMs} ms into CreateTopics: the caller gets NOT_CONTROLLER or the answer; the retry on the new one succeeds or finds the topic; one topic everywhere`, async () => {
          const c = await startControllerCluster({ seed, voters: 3 });
          await expectActiveController(c);
          await startBrokers(c, [1, 2, 3]);
          const old = activeController(c)!;
          const first = track(old.controller.createTopics(createTopic('payments', 5)));
          if (crashAfterMs > 0) await c.runFor(crashAfterMs);
          c.crash(old.id);
          const next = await expectActiveController(c);
          expect(next).not.toBe(old.id);
          // The crashed controller's caller: NOT_CONTROLLER (never pointing back at the dead node),
          // or the answer when the records had committed before the crash.
          const o = first.outcome;
          expect(o, `the crashed controller's caller got no answer: ${report(c)}`).toBeDefined();
          let committedBeforeCrash = false;
          if ('error' in o!) {
            expect(o.error, String(o.error)).toBeInstanceOf(NotControllerError);
            expect((o.error as NotControllerError).activeControllerId).not.toBe(old.id);
          } else {
            expect(o!.ok.topics[0]!.errorCode).toBe(ErrorCode.NONE);
            committedBeforeCrash = true;
          }
          const retry = await callController(c, (ctrl) => ctrl.createTopics(createTopic('payments', 5)));
          const code = retry.topics[0]!.errorCode;
          expect([ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS], `retry answered ${JSON.stringify(retry)}`).toContain(code);
          if (committedBeforeCrash) expect(code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
          c.restart(old.id);
          await expectImagesAgree(c);
          expectTopicEverywhere(c, 'payments', 5);
          expectClean(c);
        }, TEST_TIMEOUT_MS);
      }

      it(`(seed ${seed}) the active controller is partitioned away during CreateTopics: its caller gets NOT_CONTROLLER once it loses the lead; the retry on the new one creates the topic once`, async () => {
        const c = await startControllerCluster({ seed, voters: 3 });
        await expectActiveController(c);
        await startBrokers(c, [1, 2, 3]);
        const old = activeController(c)!;
        const others = c.voterIds.filter((id) => id !== old.id);
        c.partition([[old.id], others]);
        const t0 = c.nowMs();
        const first = track(old.controller.createTopics(createTopic('payments', 5)));
        // Check-quorum makes the cut-off leader resign (KAFKA-15489: within 1.5 fetch timeouts plus
        // one check period); the controller notices at its next task (a NoOp every 500 ms) and
        // fails its pending operation.
        const answered = await c.waitFor(() => first.outcome !== undefined, 10_000);
        expect(answered, `the partitioned controller never answered: ${report(c)}`).toBe(true);
        const fetchTimeoutMs = c.options.raft.fetchTimeoutMs;
        expect(c.nowMs() - t0).toBeLessThanOrEqual(1.5 * fetchTimeoutMs + fetchTimeoutMs / 2 + 500 + 50);
        const o = first.outcome!;
        expect('error' in o && o.error instanceof NotControllerError, `answer ${JSON.stringify(o)}`).toBe(true);
        expect(old.controller.isActive).toBe(false);
        expect(old.controller.image.topicByName('payments')).toBeUndefined();
        const moved = await c.waitFor(() => {
          const a = activeController(c);
          return a !== undefined && a.id !== old.id;
        }, 20_000);
        expect(moved, report(c)).toBe(true);
        const retry = await callController(c, (ctrl) => ctrl.createTopics(createTopic('payments', 5)));
        // The partitioned controller's records never committed: the retry creates the topic.
        expect(retry.topics[0], JSON.stringify(retry)).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 5 });
        c.heal();
        await expectImagesAgree(c);
        expectTopicEverywhere(c, 'payments', 5);
        expectClean(c);
      }, TEST_TIMEOUT_MS);
    }
  });

  describe('failover keeps going from the image', () => {
    for (const seed of SEEDS) {
      it(`(seed ${seed}) the active controller crashes under load with a broker request in flight: the new one goes on from the image; heartbeating brokers are never fenced`, async () => {
        const c = await startControllerCluster({ seed, voters: 3 });
        await expectActiveController(c);
        const brokers = await startBrokers(c, [1, 2, 3, 4]);
        for (let i = 0; i < 4; i++) {
          const r = await callController(c, (ctrl) => ctrl.createTopics(createTopic(`before-${i}`, 4)));
          expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
        }
        const altered = await callController(c, (ctrl) => ctrl.incrementalAlterConfigs(setTopicConfig('before-0', 'retention.ms', '1000')));
        expect(altered.results[0]!.errorCode).toBe(ErrorCode.NONE);
        const load = startBackgroundWrites(c, 'before-1', { everyMs: 10 });
        await c.runFor(300);
        // Crash while some broker waits for an answer the dead controller will never give.
        await c.waitFor(() => brokers.some((b) => b.requestInFlight), 3_000);
        const old = activeController(c)!.id;
        expect(brokers.filter((b) => b.fenced)).toEqual([]);
        c.crash(old);
        const next = await expectActiveController(c);
        expect(next).not.toBe(old);
        await c.runFor(200);
        load.stop();
        // Every broker keeps heartbeating, so none is fenced across the failover or for two
        // session timeouts after (the new controller starts everyone on a fresh session).
        const fencedSeen = new Set<number>();
        const watch = () => {
          const a = activeController(c);
          if (a !== undefined) for (const b of a.controller.image.brokers()) if (b.fenced) fencedSeen.add(b.brokerId);
          return false;
        };
        for (let i = 0; i < 3; i++) {
          const r = await callController(c, (ctrl) => ctrl.createTopics(createTopic(`after-${i}`, 3)));
          expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
          await c.waitFor(watch, 200);
        }
        const altered2 = await callController(c, (ctrl) => ctrl.incrementalAlterConfigs(setTopicConfig('before-0', 'retention.ms', '2000')));
        expect(altered2.results[0]!.errorCode).toBe(ErrorCode.NONE);
        await c.waitFor(watch, 2 * simControllerDefaults.brokerSessionTimeoutMs!);
        expect([...fencedSeen], `brokers fenced after the failover: ${report(c)}`).toEqual([]);
        expect(load.stats.errors, load.stats.lastError ?? '').toBe(0);
        const image = activeController(c)!.controller.image;
        expect(image.configs('topic', 'before-0').get('retention.ms')).toBe('2000');
        for (const name of ['before-3', 'after-0', 'after-1', 'after-2']) expect(image.topicByName(name)).toBeDefined();
        expect(load.stats.topicsCreated).toBeGreaterThan(5);
        expect(load.stats.offsetsCommitted).toBeGreaterThan(5);
        expect(load.stats.notController, 'the crash cut some background writes short').toBeGreaterThan(0);
        c.restart(old);
        await expectImagesAgree(c);
        expectClean(c);
      }, TEST_TIMEOUT_MS);
    }
  });

  describe('a fenced broker loses its leaderships', () => {
    for (const seed of SEEDS) {
      it(`(seed ${seed}) a broker stops heartbeating: fenced after the session timeout, it leads nothing and stays only as a last ISR member; back, it is unfenced and its leaderships return`, async () => {
        const sessionMs = simControllerDefaults.brokerSessionTimeoutMs!;
        // Two elections per chunk: giving X its leaderships back takes chunks that go on from a cursor.
        const c = await startControllerCluster({ seed, voters: 3 }, () => ({ leaderImbalanceCheckIntervalMs: 1_000, maxElectionsPerPass: 2 }));
        await expectActiveController(c);
        const brokers = await startBrokers(c, [1, 2, 3, 4]);
        const r = await callController(c, (ctrl) => ctrl.createTopics(createTopic('events', 12)));
        expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
        const victim = brokers[0]!;
        const x = victim.brokerId;
        const image0 = activeController(c)!.controller.image;
        const topic0 = image0.topicByName('events')!;
        const preferred = topic0.partitions.filter((p) => p.replicas[0] === x).length;
        expect(preferred).toBeGreaterThan(0);
        expect(topic0.partitions.filter((p) => p.leader === x)).toHaveLength(preferred);
        // One partition X leads shrinks its ISR to X alone (as a leader whose followers fell behind
        // would): when X is fenced that partition keeps X as its last ISR member, without a leader.
        const lonely = topic0.partitions.findIndex((p) => p.leader === x);
        const shrink = await callController(c, (ctrl) => ctrl.alterPartition(isrChange(ctrl.image, victim, 'events', lonely, [x])));
        expect(shrink.topics[0]!.partitions[0]!.errorCode, JSON.stringify(shrink)).toBe(ErrorCode.NONE);

        victim.heartbeating = false;
        const t0 = c.nowMs();
        const fenced = await c.waitFor(() => activeController(c)?.controller.image.broker(x)?.fenced === true, 3 * sessionMs);
        expect(fenced, `broker ${x} not fenced within ${3 * sessionMs} ms: ${report(c)}`).toBe(true);
        // Fenced after the session timeout, not before, and within a few session checks after it.
        expect(c.nowMs() - t0).toBeGreaterThan(sessionMs - simControllerDefaults.brokerHeartbeatIntervalMs!);
        expect(c.nowMs() - t0).toBeLessThan(sessionMs + 1_000);
        await expectImagesAgree(c);
        for (const n of c.liveNodes()) {
          const image = controllerOf(c, n.id)!.image;
          const topic = image.topicByName('events')!;
          expect(image.broker(x)!.fenced).toBe(true);
          topic.partitions.forEach((p, i) => {
            const at = `node ${n.id} events-${i} ${JSON.stringify(p)}`;
            expect(p.leader, at).not.toBe(x);
            if (p.isr.includes(x)) expect(p.isr, at).toEqual([x]);
            const eligibleInIsr = p.isr.filter((b) => b !== x);
            if (eligibleInIsr.length > 0) expect(p.leader, `${at}: leaderless with eligible ISR members`).not.toBe(-1);
          });
          expect(topic.partitions[lonely]).toMatchObject({ leader: -1, isr: [x] });
        }

        // Back: the same incarnation heartbeats again with its epoch (its registration is still in
        // force, fencing does not end it), is caught up, and is unfenced; the leaderless partition
        // whose last ISR member it is elects it at once (the unfence election).
        victim.heartbeating = true;
        const back = await c.waitFor(() => {
          const image = activeController(c)?.controller.image;
          return image?.broker(x)?.fenced === false && image.topicByName('events')!.partitions[lonely]!.leader === x;
        }, 3_000);
        expect(back, `broker ${x} not unfenced and elected: ${victim.lastError} ${report(c)}`).toBe(true);
        expect(victim.fenced).toBe(false);
        // Leaders add the caught-up replica back to their ISRs (AlterPartition), and the preferred
        // leader election gives X back every partition it is the preferred replica of.
        await expandIsrs(c, brokers, 'events');
        const rebalanced = await c.waitFor(() => {
          const topic = activeController(c)?.controller.image.topicByName('events');
          return topic !== undefined && topic.partitions.every((p) => p.leader === p.replicas[0]);
        }, 5_000);
        expect(rebalanced, `preferred leaders not restored: ${JSON.stringify(activeController(c)?.controller.image.topicByName('events')?.partitions)}`).toBe(true);
        await expectImagesAgree(c);
        expectClean(c);
      }, TEST_TIMEOUT_MS);
    }
  });

  describe('controlled shutdown under continuous writes', () => {
    for (const seed of SEEDS) {
      it(`(seed ${seed}) KAFKA-14292/KAFKA-13959: a broker asking to shut down while the log is busy gets shouldShutDown within a few heartbeats, leading nothing`, async () => {
        const intervalMs = simControllerDefaults.brokerHeartbeatIntervalMs!;
        const c = await startControllerCluster({ seed, voters: 3 });
        await expectActiveController(c);
        const brokers = await startBrokers(c, [1, 2, 3, 4]);
        const r = await callController(c, (ctrl) => ctrl.createTopics(createTopic('events', 12)));
        expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
        const leaving = brokers[1]!;
        const x = leaving.brokerId;
        expect(activeController(c)!.controller.image.topicByName('events')!.partitions.some((p) => p.leader === x)).toBe(true);
        const load = startBackgroundWrites(c, 'events', { everyMs: 5 });
        await c.runFor(500);
        const writesBefore = load.stats.topicsCreated + load.stats.configsAltered;
        leaving.wantShutDown = true;
        const t0 = c.nowMs();
        // The moves off X commit within ms; every other broker reports an offset past them at its
        // next heartbeat (one interval); X's heartbeat after that is granted. The controlled-shutdown
        // offset is set once (KAFKA-14292), so the writes that keep coming cannot push it away.
        const boundMs = 4 * intervalMs;
        const done = await c.waitFor(() => leaving.shutDown, boundMs);
        const image = activeController(c)?.controller.image;
        load.stop();
        expect(done, `broker ${x} not told to shut down within ${boundMs} ms (${leaving.lastError}): ${report(c)}`).toBe(true);
        expect(leaving.shutDownAtMs! - t0).toBeLessThanOrEqual(boundMs);
        // The writes really went on meanwhile.
        expect(load.stats.topicsCreated + load.stats.configsAltered - writesBefore).toBeGreaterThan(50);
        expect(load.stats.offsetsCommitted).toBeGreaterThan(50);
        expect(load.stats.errors, load.stats.lastError ?? '').toBe(0);
        expect(image).toBeDefined();
        expect(image!.broker(x)).toMatchObject({ fenced: true, inControlledShutdown: true });
        for (const t of image!.topics()) {
          t.partitions.forEach((p, i) => {
            expect(p.leader, `${t.name}-${i} is led by the broker that shut down`).not.toBe(x);
            expect(p.isr.includes(x) && p.isr.length > 1, `${t.name}-${i} ISR ${p.isr.join(',')}`).toBe(false);
          });
        }
        // Nobody else was fenced on the way (KAFKA-13959: a busy log must not keep brokers fenced).
        for (const b of brokers) if (b !== leaving) expect(image!.broker(b.brokerId)!.fenced, `broker ${b.brokerId}`).toBe(false);
        await expectImagesAgree(c);
        expectClean(c);
      }, TEST_TIMEOUT_MS);
    }
  });

  describe('snapshots: an image from a snapshot plus the tail equals one from the whole log', () => {
    for (const seed of SEEDS) {
      it(`(seed ${seed}) nodes 1-2 snapshot every 2 KiB and keep one, node 3 never does: after restarts (1 loads its snapshot, 3 replays everything) all images agree byte for byte`, async () => {
        const c = await startControllerCluster({ seed, voters: 3, raft: { snapshotsRetained: 1 } }, (id) => ({
          snapshotMaxBytes: id === 3 ? Number.MAX_SAFE_INTEGER : 2 * 1024,
        }));
        await expectActiveController(c);
        await startBrokers(c, [1, 2, 3]);
        await busyWork(c, 'early', 30);
        expect(c.node(1).disk.snapshotIds().length, `node 1 took no snapshot: ${report(c)}`).toBeGreaterThan(0);
        expect(c.node(1).disk.durableLogStartOffset, 'node 1 kept its whole log').toBeGreaterThan(0);
        expect(c.node(3).disk.snapshotIds()).toEqual([]);
        expect(c.node(3).disk.durableLogStartOffset).toBe(0);

        c.crash(1);
        await busyWork(c, 'while-1-down', 4);
        c.restart(1);
        const loaded = await c.waitFor(() => c.node(1).started, 5_000);
        expect(loaded, report(c)).toBe(true);
        const sm1 = c.node(1).stateMachine as ControllerStateMachine;
        expect(sm1.snapshotsLoaded, 'node 1 restarted without loading its snapshot').toBeGreaterThan(0);
        await busyWork(c, 'after-1-back', 4);
        await expectImagesAgree(c);

        c.crash(3);
        c.restart(3);
        const back3 = await c.waitFor(() => c.node(3).started, 5_000);
        expect(back3, report(c)).toBe(true);
        expect((c.node(3).stateMachine as ControllerStateMachine).snapshotsLoaded).toBe(0);
        await busyWork(c, 'after-3-back', 2);
        await expectImagesAgree(c);
        expectClean(c);
      }, TEST_TIMEOUT_MS);
    }

    it('(seed 1) an observer that was down catches up through the leader\'s snapshot and agrees byte for byte', async () => {
      const c = await startControllerCluster({ seed: 1, voters: 3, observers: 1, raft: { snapshotsRetained: 1 } }, (id) => ({
        snapshotMaxBytes: id === OBSERVER_BASE_ID ? Number.MAX_SAFE_INTEGER : 2 * 1024,
      }));
      c.crash(OBSERVER_BASE_ID);
      await expectActiveController(c);
      await startBrokers(c, [1, 2, 3]);
      await busyWork(c, 'early', 30);
      const leader = c.leader()!;
      expect(leader.inspection.logStartOffset, 'the leader kept its whole log').toBeGreaterThan(0);
      c.restart(OBSERVER_BASE_ID);
      const caughtUp = await c.waitFor(() => (c.node(OBSERVER_BASE_ID).stateMachine?.snapshotsLoaded ?? 0) > 0, 10_000);
      expect(caughtUp, `the observer loaded no snapshot: ${report(c)}`).toBe(true);
      await busyWork(c, 'late', 2);
      await expectImagesAgree(c);
      expect(controllerOf(c, OBSERVER_BASE_ID)!.image.topicByName('late-1')).toBeDefined();
      expectClean(c);
    }, TEST_TIMEOUT_MS);
  });

  describe('a large operation is one metadata transaction', () => {
    // Two topics of 30 partitions (CreateTopics refuses one above the bound, as Kafka does); a
    // broker in all 60 ISRs is fenced with 1 + 60 records: more than the bound, so a transaction.
    const TOPICS = ['big-a', 'big-b'];
    const PER_TOPIC = 30;
    const PARTITIONS = TOPICS.length * PER_TOPIC;
    const MAX_RECORDS = 50;

    async function createBigTopics(c: SimCluster): Promise<void> {
      for (const name of TOPICS) {
        const r = await callController(c, (ctrl) => ctrl.createTopics(createTopic(name, PER_TOPIC)));
        expect(r.topics[0]!.errorCode, JSON.stringify(r)).toBe(ErrorCode.NONE);
      }
    }

    /** Checks, after every applied batch on every node, that the fencing of `victim()` shows whole or not at all; collects transaction markers. */
    function atomicityCheck(victim: () => number | null) {
      const markers = new Map<NodeId, string[]>();
      let violation: string | null = null;
      const afterApply = (nodeId: NodeId, sm: ControllerStateMachine, batches: readonly LogBatch[]) => {
        for (const b of batches) {
          for (const bytes of b.records) {
            const type = decodeRecord(bytes).type;
            if (type === 'BeginTransaction' || type === 'EndTransaction' || type === 'AbortTransaction') {
              const list = markers.get(nodeId) ?? [];
              list.push(type);
              markers.set(nodeId, list);
            }
          }
        }
        const image = sm.controller.image;
        const x = victim();
        const b = x === null ? undefined : image.broker(x);
        const partitions = TOPICS.flatMap((name) => image.topicByName(name)?.partitions ?? []);
        if (b === undefined || partitions.length !== PARTITIONS) return;
        const inIsr = partitions.filter((p) => p.isr.includes(x!)).length;
        const leads = partitions.filter((p) => p.leader === x).length;
        if (b.fenced && (inIsr > 0 || leads > 0)) violation ??= `node ${nodeId}: broker ${x} fenced but in ${inIsr} ISRs, leading ${leads}, at ${image.provenance.endOffset}`;
        if (!b.fenced && inIsr !== PARTITIONS) violation ??= `node ${nodeId}: broker ${x} unfenced but in ${inIsr}/${PARTITIONS} ISRs at ${image.provenance.endOffset}`;
      };
      return { afterApply, markers, violation: () => violation };
    }

    for (const seed of SEEDS) {
      for (const crashLeader of [false, true]) {
        it(`(seed ${seed}) maxRecordsPerOperation ${MAX_RECORDS}: fencing a broker in ${PARTITIONS} ISRs${crashLeader ? ', with the leader crashing right after appending it,' : ''} is a transaction every node shows whole or not at all`, async () => {
          let victimId: number | null = null;
          const check = atomicityCheck(() => victimId);
          const c = await startControllerCluster({ seed, voters: 3 }, () => ({ maxRecordsPerOperation: MAX_RECORDS }), { afterApply: check.afterApply });
          await expectActiveController(c);
          const brokers = await startBrokers(c, [1, 2, 3]);
          await createBigTopics(c);
          const victim = brokers[2]!;
          victimId = victim.brokerId;
          await expectImagesAgree(c);
          expect(check.markers.size).toBe(0);

          victim.heartbeating = false;
          if (crashLeader) {
            // The fencing appends 1 + 60 records (plus markers) at once: crash the leader at the
            // first event its log has grown by that much, before or while followers fetch it.
            const leader = c.leader()!.nodeId;
            const startEnd = c.leader()!.inspection.logEndOffset;
            const appended = await c.waitFor(() => (c.node(leader).inspect()?.logEndOffset ?? 0) - startEnd >= MAX_RECORDS, 3 * simControllerDefaults.brokerSessionTimeoutMs!);
            expect(appended, report(c)).toBe(true);
            c.crash(leader);
            await expectActiveController(c);
            c.restart(leader);
          }
          const fenced = await c.waitFor(() => c.liveNodes().every((n) => controllerOf(c, n.id)?.image.broker(victim.brokerId)?.fenced === true), 4 * simControllerDefaults.brokerSessionTimeoutMs!);
          expect(fenced, `broker ${victim.brokerId} not fenced everywhere: ${report(c)}`).toBe(true);
          await callController(c, (ctrl) => ctrl.createTopics(createTopic('after', 2)));
          await expectImagesAgree(c);
          expect(check.violation(), report(c)).toBeNull();
          // The fencing went as a transaction. With the crash, either all of its parts reached a
          // follower (appended all at once, they commit under the next leader), or only the first
          // did: the next leader then aborts the orphan as it becomes active and later fences the
          // broker itself. Never anything in between (checked after every batch above).
          const survivor = c.voterIds.find((id) => c.node(id).restarts === 0)!;
          const marks = (check.markers.get(survivor) ?? []).join(',');
          const allowed = crashLeader ? ['BeginTransaction,EndTransaction', 'BeginTransaction,AbortTransaction,BeginTransaction,EndTransaction'] : ['BeginTransaction,EndTransaction'];
          expect(allowed, marks).toContain(marks);
          expectClean(c);
        }, TEST_TIMEOUT_MS);
      }

      it(`(seed ${seed}) a transaction left open by a controller that crashed is aborted by the next active controller; none of it shows anywhere`, async () => {
        const check = atomicityCheck(() => null);
        const c = await startControllerCluster({ seed, voters: 3 }, () => ({ maxRecordsPerOperation: MAX_RECORDS }), { afterApply: check.afterApply });
        await expectActiveController(c);
        await startBrokers(c, [1, 2, 3]);
        await createBigTopics(c);
        // What a controller that died between the parts of a transaction leaves behind: its first
        // part committed (Begin and some records), the rest never written.
        const leader = c.leader()!.nodeId;
        const orphan = [
          encodeRecord({ type: 'BeginTransaction', name: 'orphan' }),
          encodeRecord({ type: 'Config', resourceType: 'topic', resourceName: 'big-a', name: 'retention.ms', value: '12345' }),
          encodeRecord({ type: 'Config', resourceType: 'topic', resourceName: 'big-b', name: 'cleanup.policy', value: 'compact' }),
        ];
        let committed = false;
        c.node(leader).driver!.propose(orphan).then(() => (committed = true), () => undefined);
        const ok = await c.waitFor(() => committed, 5_000);
        expect(ok, report(c)).toBe(true);
        c.crash(leader);
        const next = await expectActiveController(c);
        expect(next).not.toBe(leader);
        c.restart(leader);
        await callController(c, (ctrl) => ctrl.createTopics(createTopic('after', 2)));
        await expectImagesAgree(c);
        for (const n of c.liveNodes()) {
          const image = controllerOf(c, n.id)!.image;
          for (const name of TOPICS) expect(image.configs('topic', name).size, `node ${n.id} shows part of the aborted transaction`).toBe(0);
          expect(image.topicByName('after'), `node ${n.id}`).toBeDefined();
        }
        const survivor = c.voterIds.find((id) => id !== leader)!;
        expect(check.markers.get(survivor)).toEqual(['BeginTransaction', 'AbortTransaction']);
        expect(c.log.some((l) => l.msg === 'became the active controller' && l.nodeId === next)).toBe(true);
        expectClean(c);
      }, TEST_TIMEOUT_MS);
    }
  });

  describe('an unreadable record in the committed log', () => {
    for (const seed of SEEDS) {
      it(`(seed ${seed}) KAFKA-14275: a record of an unknown version stops every voter with an error naming its offset and version, again after a restart; nothing past it is applied`, async () => {
        const c = await startControllerCluster({ seed, voters: 3, observers: 1 }, () => ({}), { stopOnViolation: false });
        await expectActiveController(c);
        await startBrokers(c, [1, 2, 3]);
        await busyWork(c, 'before', 2);
        const leader = c.leader()!.nodeId;
        // A Partition record (type 3) at version 99: what a newer release might write.
        const bytes = new Packr({ useRecords: false }).pack([0, 3, 99, []]);
        const appended = c.node(leader).driver!.append([bytes]);
        appended.committed.catch(() => undefined);
        const offset = appended.baseOffset;
        // This incarnation was handed the record (applied past it in Raft's terms) and its image
        // stopped before it: it met the record and did not skip it.
        const stoppedAtRecord = (id: NodeId) => {
          const sm = c.node(id).stateMachine;
          return sm instanceof ControllerStateMachine && sm.appliedEnd > offset && sm.controller.image.provenance.endOffset <= offset;
        };
        // A supervisor restarts each voter that stopped (as systemd would), every time: it must
        // stop again at the same record. Once two voters are down the third cannot learn that the
        // record committed, so the restarts are also what lets every voter meet it. (Each leader
        // stops as soon as it commits past the record, before a follower hears of the commit
        // unless data rides with it; the observer may never learn it.)
        const nodes = c.voterIds;
        const stops = new Map<NodeId, number>(nodes.map((id) => [id, 0]));
        const deadline = c.nowMs() + 30_000;
        while (c.nowMs() < deadline && nodes.some((id) => stops.get(id)! < 2)) {
          await c.runFor(100);
          for (const id of nodes) {
            if (!stoppedAtRecord(id)) continue;
            expect(controllerOf(c, id)!.isActive, `node ${id}`).toBe(false);
            stops.set(id, stops.get(id)! + 1);
            c.crash(id);
            c.restart(id);
          }
        }
        expect([...stops].filter(([, n]) => n < 2), `not every node stopped twice at offset ${offset}: ${report(c)}`).toEqual([]);
        for (const id of nodes) {
          const message = c.violations.find((v) => v.includes(`node ${id}: the controller stopped on a fatal error`));
          expect(message, `node ${id} reported no fatal error`).toBeDefined();
          expect(message).toContain(`offset ${offset}`);
          expect(message).toContain('version 99');
          expect(message).toContain('3 (Partition)');
        }
        // The observer did not get past it either.
        expect(controllerOf(c, OBSERVER_BASE_ID)!.image.provenance.endOffset).toBeLessThanOrEqual(offset);
        // The only violations are these fatal stops (controller and driver): nothing diverged.
        for (const v of c.violations) expect(v, v).toMatch(/stopped on a fatal error: (MetadataLogCorruptError: )?metadata log corrupt at offset/);
        expect(activeController(c)).toBeUndefined();
      }, TEST_TIMEOUT_MS);
    }
  });

  describe('offset commits', () => {
    // Regression: OffsetCommit.commitTimestampMs was stamped with the clock's fractional ms, which
    // the record codec refuses, so every commit failed on the simulator (and on performance.now()).
    it('(seed 1) offset commits commit on a clock with fractional milliseconds, and every image holds them', async () => {
      const c = await startControllerCluster({ seed: 1, voters: 3 });
      await expectActiveController(c);
      await startBrokers(c, [1, 2, 3]);
      await callController(c, (ctrl) => ctrl.createTopics(createTopic('orders', 1)));
      const r = await callController(c, (ctrl) =>
        ctrl.commitOffsets({ groupId: 'g', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] }),
      );
      expect(r.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      await expectImagesAgree(c);
      for (const n of c.liveNodes()) expect(controllerOf(c, n.id)!.image.committedOffset('g', 'orders', 0)?.offset).toBe(5);
      expectClean(c);
    }, TEST_TIMEOUT_MS);
  });
});
