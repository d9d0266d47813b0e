// A consumer group outlives its coordinator (group membership stored in the metadata log,
// broker/kafka/groups/group-coordinator.ts "Persistence"): two node-rdkafka (librdkafka) consumers,
// one static (group.instance.id) and one dynamic, in a group coordinated by one of two brokers. That
// broker is stopped (SIGTERM: a controlled shutdown, as in a rolling restart) and the group moves to
// the other. librdkafka finds the new coordinator and goes on heartbeating with its member id and
// generation: neither consumer sees a rebalance, and the new coordinator describes the same members,
// Stable. Then the static member restarts and takes its partitions back without a rebalance of the
// other, which needs its instance id to have moved with the group. Last the stopped broker starts
// again and the group moves back to it: still no rebalance. Before membership was stored,
// the new coordinator knew no member and both rejoined (a rebalance on each).
// Our brokers serve no Fetch: the consumers only join, sync and heartbeat (see rdkafka-static-membership.test.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Kafka from 'node-rdkafka';
import type { KafkaConsumer } from 'node-rdkafka';
import { connectProbe, disconnectConsumer, lastAssigned, newProbe, type Probe } from '../support/rdkafka-probe.js';
import type { Admin } from 'kafkajs';
import { coordinatorOf } from '../../metadata-log/group-ownership.js';
import { runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { connectedAdmin } from '../support/kafkajs.js';
import { controllerChannelTo } from '../../tools/server/cluster-ready.js';
import type { ControllerChannel } from '../../quorum/server/controller-channel.js';

const TOPIC = 'moving';

describe.sequential(`node-rdkafka (librdkafka ${Kafka.librdkafkaVersion}): a group whose coordinator stops`, () => {
  let t: TestCluster;
  let admin: Admin | undefined;
  let channel: ControllerChannel | undefined;
  const open: KafkaConsumer[] = [];
  let group = '';
  let coordinator = -1;
  let survivor = -1;
  /** The consumers the first test leaves running (the restarted a and b), for the next. */
  let running: Probe[] = [];

  function consumer(instance: string | null): Probe {
    const p = newProbe(t.cluster.bootstrapServers(), group, instance);
    open.push(p.consumer);
    return p;
  }

  const start = async (p: Probe): Promise<void> => {
    await connectProbe(p);
    p.consumer.subscribe([TOPIC]);
    p.consumer.consume();
  };
  const disconnect = disconnectConsumer;
  const described = async () => (await admin!.describeGroups([group])).groups[0]!;
  /** The brokers registered, unfenced and not shutting down, as the cluster's metadata says (what coordination hashes over). */
  const liveBrokers = async (): Promise<number[]> => {
    const r = await channel!.call('describeCluster', {}, { timeoutMs: 10_000 });
    return r.brokers.filter((b) => !b.fenced && !b.inControlledShutdown).map((b) => b.brokerId).sort((x, y) => x - y);
  };

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 2, combined: false });
    const brokerIds = t.cluster.brokers.map((b) => b.id);
    // A group the first broker coordinates while both are live (the hash the brokers use).
    group = Array.from({ length: 100 }, (_, i) => `moving-group-${i}`).find((g) => coordinatorOf(brokerIds, g) === brokerIds[0])!;
    [coordinator, survivor] = [brokerIds[0]!, brokerIds[1]!];
    admin = await connectedAdmin('e2e-coordinator-move', t.cluster.bootstrapServers());
    channel = controllerChannelTo(t.cluster, 20_000);
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4, replicationFactor: 1 }] });
  }, 120_000);

  afterAll(async () => {
    for (const c of open) if (c.isConnected()) await disconnect(c);
    await admin?.disconnect();
    await channel?.close();
    await t?.dispose();
  }, 60_000);

  it('a rolling restart of the coordinator: the group moves away and back, no member rebalances, and a static member restarted meanwhile takes its place back', async () => {
    const a = consumer('moving-a');
    const b = consumer(null);
    let a2: Probe | undefined;
    try {
      await start(a);
      await until('a alone has all four partitions', 30_000, async () => (lastAssigned(a)?.split(',').length === 4 ? true : undefined));
      await start(b);
      await until('a and b share the partitions', 30_000, async () => {
        const [pa, pb] = [lastAssigned(a), lastAssigned(b)];
        return pa?.split(',').length === 2 && pb?.split(',').length === 2 ? true : undefined;
      });
      const before = { a: lastAssigned(a)!, b: lastAssigned(b)!, aEvents: a.events.length, bEvents: b.events.length };
      const membersBefore = (await described()).members.map((m) => m.memberId).sort();
      expect(membersBefore).toHaveLength(2);
      // The membership in the metadata log, as `consumer-groups` reads it from the controllers: each
      // member with the partitions librdkafka reports it has.
      const cli = await runCli(['consumer-groups', '--describe', '--group', group, '--members', '--json', '--bootstrap-controller', t.cluster.bootstrapControllers()]);
      expect(cli.code, cli.stderr).toBe(0);
      const stored = (JSON.parse(cli.stdout) as { groups: { state: string; members: { memberId: string; groupInstanceId: string | null; assignment: { topic: string; partitions: number[] }[] }[] }[] }).groups[0]!;
      expect(stored.state).toBe('Stable');
      expect(stored.members.map((m) => m.memberId).sort()).toEqual(membersBefore);
      const assigned = (instance: string | null) =>
        stored.members.find((m) => m.groupInstanceId === instance)!.assignment.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)).sort().join(',');
      expect([assigned('moving-a'), assigned(null)]).toEqual([before.a, before.b]);

      await t.cluster.signal(coordinator, 'SIGTERM');
      // The survivor coordinates the group now, resumed from the log: Stable, the same members.
      await until('the survivor describes the group Stable with both members', 30_000, async () => {
        const d = await described().catch(() => undefined);
        return d?.state === 'Stable' && d.members.length === 2 ? d : undefined;
      });
      expect((await described()).members.map((m) => m.memberId).sort()).toEqual(membersBefore);
      // Many heartbeats later (every 500 ms, now to the survivor): no rebalance on either consumer.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(a.events.slice(before.aEvents)).toEqual([]);
      expect(b.events.slice(before.bEvents)).toEqual([]);
      expect((await described()).members.map((m) => m.memberId).sort()).toEqual(membersBefore);

      // The static member restarts on the new coordinator: its partitions come back, b sees nothing.
      await disconnect(a.consumer);
      a2 = consumer('moving-a');
      await start(a2);
      await until('the restarted a is assigned', 30_000, async () => (lastAssigned(a2!) !== undefined ? true : undefined));
      expect(lastAssigned(a2)).toBe(before.a);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(b.events.slice(before.bEvents)).toEqual([]);
      expect(lastAssigned(b)).toBe(before.b);

      // The stopped broker starts again (the rest of a rolling restart): once it is live the group
      // moves back to it, resumed from its own image, and still nobody rebalances.
      const membersNow = (await described()).members.map((m) => m.memberId).sort();
      t.cluster.start(coordinator);
      await until('the restarted broker coordinates the group again', 60_000, async () => {
        const found = await admin!.describeGroups([group]).catch(() => undefined);
        return found !== undefined && coordinatorOf(await liveBrokers(), group) === coordinator ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 5_000));
      const back = await described();
      expect([back.state, back.members.map((m) => m.memberId).sort()]).toEqual(['Stable', membersNow]);
      expect(a2.events.filter((e) => e.startsWith('assign:'))).toHaveLength(1);
      expect(b.events.slice(before.bEvents)).toEqual([]);
      expect(survivor).not.toBe(coordinator);
      running = [a2, b];
    } catch (e) {
      console.error(`a: ${a.events.join(' ')}\nb: ${b.events.join(' ')}\na restarted: ${a2?.events.join(' ') ?? '-'}\n${[...a.logs, ...b.logs, ...(a2?.logs ?? [])].slice(-60).join('\n')}`);
      throw e;
    }
  }, 180_000);
  it('kill -9 of the coordinator: once its session expires the group moves, and back after its restart, with no rebalance', async () => {
    expect(running).toHaveLength(2);
    const seen = running.map((p) => p.events.length);
    const members = (await described()).members.map((m) => m.memberId).sort();
    const killed = coordinatorOf(await liveBrokers(), group)!;
    try {
      await t.cluster.kill(killed);
      await until('the killed broker is fenced and another coordinates the group', 30_000, async () => {
        const live = await liveBrokers();
        return !live.includes(killed) && coordinatorOf(live, group) !== null ? true : undefined;
      });
      await until('the group is described Stable with both members', 30_000, async () => {
        const d = await described().catch(() => undefined);
        return d?.state === 'Stable' && d.members.length === 2 ? true : undefined;
      });
      t.cluster.start(killed);
      await until('the restarted broker coordinates the group again', 60_000, async () => (coordinatorOf(await liveBrokers(), group) === killed ? true : undefined));
      await new Promise((r) => setTimeout(r, 5_000));
      const d = await described();
      expect([d.state, d.members.map((m) => m.memberId).sort()]).toEqual(['Stable', members]);
      expect(running.map((p, i) => p.events.slice(seen[i]))).toEqual([[], []]);
    } catch (e) {
      console.error(running.map((p) => `${p.events.join(' ')}\n${p.logs.slice(-20).join('\n')}`).join('\n'));
      throw e;
    }
  }, 180_000);
});
