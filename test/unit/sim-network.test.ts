// The simulated network: delivery with delay, partitions (symmetric), one-way blocks, drops,
// duplicates, crashed and paused receivers, peer-lost notices, connection resets, and serialize
// mode (the real wire path).
import { describe, expect, it } from 'vitest';
import type { RaftMessage } from '../../quorum/raft/types.js';
import { Prng } from '../../quorum/sim/prng.js';
import { Scheduler } from '../../quorum/sim/scheduler.js';
import { SimNetwork } from '../../quorum/sim/sim-network.js';
import type { NetworkKnobs } from '../../quorum/sim/sim-network.js';
import { SimProcess } from '../../quorum/sim/sim-process.js';

function msg(from: number, to: number, epoch = 1): RaftMessage {
  return { from, to, body: { kind: 'BeginQuorumEpochRequest', epoch, leaderId: from } };
}

function setup(knobs: Partial<NetworkKnobs> = {}, ids = [1, 2, 3]) {
  const s = new Scheduler();
  const net = new SimNetwork(s, new Prng(1), { delayMinMs: 1, delayMaxMs: 2, ...knobs });
  const procs = new Map<number, SimProcess>();
  const inbox = new Map<number, RaftMessage[]>();
  const lost = new Map<number, number[]>();
  const transports = new Map<number, ReturnType<SimNetwork['transport']>>();
  for (const id of ids) {
    const p = new SimProcess(id, s);
    net.register(p);
    procs.set(id, p);
  }
  const boot = (id: number): void => {
    procs.get(id)!.boot();
    const t = net.transport(id);
    inbox.set(id, []);
    lost.set(id, []);
    t.onReceive(
      (m) => inbox.get(id)!.push(m),
      (peer) => lost.get(id)!.push(peer),
    );
    transports.set(id, t);
  };
  for (const id of ids) boot(id);
  const send = (from: number, to: number, epoch = 1): void => transports.get(from)!.send(msg(from, to, epoch));
  return { s, net, procs, inbox, lost, send, boot };
}

describe('sim network', () => {
  it('delivers after a delay within the knob range', async () => {
    const { s, inbox, send, net } = setup();
    send(1, 2);
    await s.run({ untilMs: 0.99 });
    expect(inbox.get(2)).toEqual([]);
    await s.run({ untilMs: 2 });
    expect(inbox.get(2)).toHaveLength(1);
    expect(net.stats).toMatchObject({ sent: 1, delivered: 1, dropped: 0 });
  });

  it('a partition blocks both directions between groups, also in flight; heal restores', async () => {
    const { s, inbox, send, net } = setup();
    send(1, 3); // in flight when the partition starts
    net.partition([[1, 2], [3]]);
    send(1, 2);
    send(3, 1);
    send(2, 3);
    await s.run();
    expect(inbox.get(2)).toHaveLength(1);
    expect(inbox.get(1)).toHaveLength(0);
    expect(inbox.get(3)).toHaveLength(0);
    expect(net.stats.blocked).toBe(3);
    net.heal();
    send(3, 1);
    await s.run();
    expect(inbox.get(1)).toHaveLength(1);
  });

  it('a node left out of every partition group is isolated', async () => {
    const { s, inbox, send, net } = setup();
    net.partition([[1, 2]]);
    send(3, 1);
    send(1, 3);
    send(2, 1);
    await s.run();
    expect(inbox.get(1)).toHaveLength(1);
    expect(inbox.get(3)).toHaveLength(0);
  });

  it('a one-way block loses one direction only', async () => {
    const { s, inbox, send, net } = setup();
    net.blockOneWay(1, 2);
    send(1, 2);
    send(2, 1);
    await s.run();
    expect(inbox.get(2)).toHaveLength(0);
    expect(inbox.get(1)).toHaveLength(1);
  });

  it('drops and duplicates at the configured rates', async () => {
    const { s, inbox, send, net } = setup({ dropProbability: 0.3, duplicateProbability: 0.2 });
    for (let i = 0; i < 2000; i++) send(1, 2, i);
    await s.run();
    expect(net.stats.dropped / 2000).toBeGreaterThan(0.25);
    expect(net.stats.dropped / 2000).toBeLessThan(0.35);
    expect(net.stats.duplicated / (2000 - net.stats.dropped)).toBeGreaterThan(0.15);
    expect(net.stats.duplicated / (2000 - net.stats.dropped)).toBeLessThan(0.25);
    expect(inbox.get(2)!.length).toBe(2000 - net.stats.dropped + net.stats.duplicated);
  });

  it('random delays reorder messages', async () => {
    const { s, inbox, send } = setup({ delayMinMs: 0, delayMaxMs: 10 });
    for (let i = 0; i < 50; i++) send(1, 2, i);
    await s.run();
    const epochs = inbox.get(2)!.map((m) => (m.body as { epoch: number }).epoch);
    expect(epochs).toHaveLength(50);
    expect(epochs).not.toEqual([...epochs].sort((a, b) => a - b));
  });

  it('a crashed node loses its messages, even those in flight, and its peers hear onPeerLost', async () => {
    const { s, inbox, lost, send, procs, boot, net } = setup();
    send(1, 2); // in flight
    procs.get(2)!.crash();
    send(1, 2);
    await s.run();
    expect(net.stats.delivered).toBe(0);
    expect(lost.get(1)).toEqual([2]);
    expect(lost.get(3)).toEqual([2]);
    boot(2);
    send(1, 2);
    await s.run();
    expect(inbox.get(2)).toHaveLength(1);
  });

  it('a paused node receives on resume, in order, and its peers hear nothing', async () => {
    const { s, inbox, lost, send, procs } = setup({ delayMinMs: 1, delayMaxMs: 1 });
    procs.get(2)!.pause();
    send(1, 2, 1);
    send(1, 2, 2);
    await s.run({ untilMs: 50 });
    expect(inbox.get(2)).toHaveLength(0);
    expect(lost.get(1)).toEqual([]);
    procs.get(2)!.resume();
    await s.run();
    expect(inbox.get(2)!.map((m) => (m.body as { epoch: number }).epoch)).toEqual([1, 2]);
  });

  it('a dead incarnation cannot send', async () => {
    const { s, inbox, net, procs, boot } = setup();
    const old = net.transport(1);
    procs.get(1)!.crash();
    boot(1);
    old.send(msg(1, 2));
    await s.run();
    expect(inbox.get(2)).toHaveLength(0);
  });

  it('serialize: messages take the real wire path, so the receiver gets its own copy, batches included', async () => {
    const { s, inbox, net } = setup({ serialize: true });
    const violations: string[] = [];
    net.hooks = { onContractViolation: (m) => violations.push(m) };
    const records = [new Uint8Array([1, 2, 3])];
    const response: RaftMessage = {
      from: 1,
      to: 2,
      body: { kind: 'FetchResponse', fetchId: 7, error: 'NONE', epoch: 3, leaderId: 1, highWatermark: 4, logStartOffset: 0, batches: [{ baseOffset: 4, epoch: 3, appendTimeMs: 9, records }], readRound: 0 },
    };
    net.transport(1).send(response);
    records[0]![0] = 99; // the sender changes its copy after sending
    await s.run();
    const got = inbox.get(2)![0]!;
    expect(got).not.toBe(response);
    expect(got.body.kind === 'FetchResponse' && [...got.body.batches[0]!.records[0]!]).toEqual([1, 2, 3]);
    expect(violations).toEqual([]);
  });

  it('serialize: a message the real receiver would drop is a contract violation, and is not delivered', async () => {
    const { s, inbox, net } = setup({ serialize: true });
    const violations: string[] = [];
    net.hooks = { onContractViolation: (m) => violations.push(m) };
    net.transport(1).send({ from: 1, to: 2, body: { kind: 'Gossip' } } as unknown as RaftMessage);
    await s.run();
    expect(inbox.get(2)).toEqual([]);
    expect(violations.join()).toMatch(/node 2 would drop a raft message from node 1: unknown kind Gossip/);
  });

  it('a connection reset loses what is in flight between the two nodes, tells both ends, and later messages go through', async () => {
    const { s, inbox, lost, send, net } = setup({ peerLostDelayMs: 5 });
    send(1, 2);
    send(2, 1);
    send(3, 2); // another link: unaffected
    net.resetConnection(1, 2);
    await s.run();
    expect(inbox.get(2)!.map((m) => m.from)).toEqual([3]);
    expect(inbox.get(1)).toEqual([]);
    expect(lost.get(1)).toEqual([2]);
    expect(lost.get(2)).toEqual([1]);
    expect(lost.get(3)).toEqual([]);
    send(1, 2);
    await s.run();
    expect(inbox.get(2)!.map((m) => m.from)).toEqual([3, 1]);
  });
});
