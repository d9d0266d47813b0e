// The chaos checker (tools/chaos/checker.ts) on hand-built histories and final images: for every
// check, histories it must accept (including the unknown-outcome cases that may go either way) and
// at least one fault it must report, with the op ids and the expected/actual values in the message;
// plus a whole consistent run, a corrupt record that does not hide the other findings, and the
// cost on 100k ops against 50k records.
//
// Final images are built the way the harness exports them: records replayed with imageOf, then
// written out by snapshotRecords (metadata.version first).

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataRecord, PartitionChangeRecord, PartitionRecord, RegisterBrokerRecord } from '../../metadata-log/records/types.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { snapshotRecords } from '../../metadata-log/snapshot.js';
import { LATEST_METADATA_VERSION } from '../../quorum/controller/configs/features.js';
import { CHECK_NAMES, checkHistory, type CheckSummary, type Violation } from '../../tools/chaos/checker.js';
import type { OpOutcome, OpRecord, OpRequest, OpResult } from '../../tools/chaos/history.js';

// ---- builders ---------------------------------------------------------------------------------

/** A stable topic id per name (and per generation, for recreated topics). */
function idOf(name: string, generation = 0): string {
  return uuidFromBytes(createHash('md5').update(`${name}#${generation}`).digest());
}

interface At {
  readonly invoked: number;
  readonly completed: number;
}

/**
 * A workload history. Every op is by default invoked after the previous one completed (so ops are
 * sequential); `at` places one explicitly to make ops overlap.
 */
class History {
  readonly ops: OpRecord[] = [];
  private clock = 0;

  op(request: OpRequest, outcome: OpOutcome, result?: OpResult, at?: At): OpRecord {
    const invokedAtMs = at?.invoked ?? this.clock;
    const completedAtMs = at?.completed ?? invokedAtMs + 5;
    this.clock = Math.max(this.clock, completedAtMs) + 1;
    const op: OpRecord = {
      id: this.ops.length + 1,
      request,
      invokedAtMs,
      completedAtMs,
      outcome,
      ...(outcome === 'ok' && result !== undefined ? { result } : {}),
      ...(outcome === 'fail' ? { error: 'INVALID_REPLICATION_FACTOR' } : outcome === 'unknown' ? { error: 'timeout' } : {}),
    };
    this.ops.push(op);
    return op;
  }

  create(topic: string, partitions: number, outcome: OpOutcome = 'ok', opts: { topicId?: string; at?: At } = {}): OpRecord {
    return this.op({ kind: 'create-topic', topic, partitions, replicationFactor: 3 }, outcome, { kind: 'create-topic', topicId: opts.topicId ?? idOf(topic) }, opts.at);
  }

  delete(topic: string, outcome: OpOutcome = 'ok', at?: At): OpRecord {
    return this.op({ kind: 'delete-topic', topic }, outcome, { kind: 'none' }, at);
  }

  addPartitions(topic: string, total: number, outcome: OpOutcome = 'ok', at?: At): OpRecord {
    return this.op({ kind: 'add-partitions', topic, total }, outcome, { kind: 'none' }, at);
  }

  alterIsr(topic: string, partition: number, epochs: { leaderEpoch: number; partitionEpoch: number }, outcome: OpOutcome = 'ok', at?: At): OpRecord {
    const isr = [1, 2];
    return this.op({ kind: 'alter-isr', topic, partition, isr }, outcome, { kind: 'alter-isr', ...epochs, isr }, at);
  }

  reassign(topic: string, replicas: readonly number[] | null, outcome: OpOutcome = 'ok', at?: At): OpRecord {
    return this.op({ kind: 'reassign', topic, partition: 0, replicas }, outcome, { kind: 'none' }, at);
  }

  commit(group: string, topic: string, partition: number, offset: number, outcome: OpOutcome = 'ok', at?: At): OpRecord {
    return this.op({ kind: 'commit-offset', group, topic, partition, offset }, outcome, { kind: 'none' }, at);
  }

  quota(user: string, value: number, outcome: OpOutcome = 'ok'): OpRecord {
    return this.op({ kind: 'set-quota', user, value }, outcome, { kind: 'none' });
  }

  scram(user: string, iterations: number, outcome: OpOutcome = 'ok'): OpRecord {
    return this.op({ kind: 'set-scram', user, iterations }, outcome, { kind: 'none' });
  }
}

function broker(id: number, extra: Partial<RegisterBrokerRecord> = {}): RegisterBrokerRecord {
  return {
    type: 'RegisterBroker',
    brokerId: id,
    incarnationId: idOf(`broker-${id}`),
    brokerEpoch: 10 + id,
    endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 + id, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    fenced: false,
    inControlledShutdown: false,
    features: [],
    ...extra,
  };
}

/** The final image, as records: metadata.version and brokers 1..3 (unfenced) to start with. */
class Final {
  readonly log: MetadataRecord[] = [
    { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: LATEST_METADATA_VERSION },
    broker(1),
    broker(2),
    broker(3),
  ];

  topic(name: string, partitions: number, opts: { topicId?: string; partition?: Partial<PartitionRecord> } = {}): this {
    const topicId = opts.topicId ?? idOf(name);
    this.log.push({ type: 'Topic', name, topicId });
    for (let p = 0; p < partitions; p++) {
      this.log.push({
        type: 'Partition',
        topicId,
        partitionId: p,
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        removingReplicas: [],
        addingReplicas: [],
        leader: 1,
        leaderRecoveryState: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
        ...opts.partition,
      });
    }
    return this;
  }

  change(name: string, partitionId: number, change: Omit<PartitionChangeRecord, 'type' | 'topicId' | 'partitionId'>): this {
    this.log.push({ type: 'PartitionChange', topicId: idOf(name), partitionId, ...change });
    return this;
  }

  offset(groupId: string, topic: string, partition: number, offset: number): this {
    this.log.push({ type: 'OffsetCommit', groupId, topic, partition, offset, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_700_000_000_000 });
    return this;
  }

  quota(user: string, value: number): this {
    this.log.push({ type: 'ClientQuota', entity: [{ entityType: 'user', entityName: user }], key: 'producer_byte_rate', value, remove: false });
    return this;
  }

  /** The user's credential for `mechanism` (1: the one set-scram sets) with this iteration count. */
  scram(user: string, iterations: number, mechanism: 1 | 2 = 1): this {
    const key = Buffer.alloc(mechanism === 1 ? 32 : 64);
    this.log.push({ type: 'UserScramCredential', name: user, mechanism, salt: Buffer.from('s'), storedKey: key, serverKey: key, iterations });
    return this;
  }

  /** What the harness exports: the committed image written out in snapshot order. */
  records(): MetadataRecord[] {
    return [...snapshotRecords(imageOf(this.log))];
  }
}

function check(h: History, f: Final, options?: { topicPrefix?: string }): CheckSummary {
  return checkHistory(h.ops, f.records(), options);
}

function of(summary: CheckSummary, name: (typeof CHECK_NAMES)[number]): Violation[] {
  return summary.violations.filter((v) => v.check === name);
}

function checksOf(summary: CheckSummary): string[] {
  return summary.violations.map((v) => v.check);
}

// ---- a whole run ------------------------------------------------------------------------------

describe('checkHistory on a consistent run', () => {
  it('reports nothing and counts what it checked', () => {
    const h = new History();
    h.create('chaos-1', 3);
    h.create('chaos-2', 2, 'unknown'); // took effect
    h.create('chaos-3', 2, 'unknown'); // did not
    h.create('chaos-4', 1, 'fail');
    h.create('chaos-5', 1);
    h.delete('chaos-5');
    h.addPartitions('chaos-1', 5);
    h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 1 });
    h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 2 });
    h.commit('g1', 'chaos-1', 0, 10);
    h.commit('g1', 'chaos-1', 0, 20);
    h.commit('g1', 'chaos-1', 1, 7, 'unknown');
    h.commit('g1', 'chaos-5', 0, 3); // its topic was deleted: skipped
    const f = new Final()
      .topic('chaos-1', 5)
      .change('chaos-1', 0, { isr: [1, 2] })
      .change('chaos-1', 0, { isr: [1, 2, 3] })
      .topic('chaos-2', 2)
      .topic('harness-own', 1)
      .offset('g1', 'chaos-1', 0, 20);
    const summary = check(h, f);
    expect(summary.violations).toEqual([]);
    expect(summary.checked).toEqual({ ops: 13, acked: 9, failed: 1, unknown: 3, topics: 2, offsets: 2 });
  });

  it('reports nothing for an empty history and an empty image', () => {
    expect(checkHistory([], [])).toEqual({ violations: [], checked: { ops: 0, acked: 0, failed: 0, unknown: 0, topics: 0, offsets: 0 } });
  });
});

// ---- 1. acked-create-present ------------------------------------------------------------------

describe('acked-create-present', () => {
  it('accepts an acked create present with its id, and one whose asked delete took it', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.create('chaos-2', 1);
    h.delete('chaos-2', 'unknown');
    h.create('chaos-3', 1);
    h.delete('chaos-3', 'unknown'); // did not take effect: still there, same id
    const summary = check(h, new Final().topic('chaos-1', 1).topic('chaos-3', 1));
    expect(summary.violations).toEqual([]);
  });

  it('reports an acked create missing from the image', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const lost = h.create('chaos-2', 3);
    const summary = check(h, new Final().topic('chaos-1', 1));
    expect(summary.violations).toEqual([
      { check: 'acked-create-present', opIds: [lost.id], message: `op ${lost.id} create-topic chaos-2: acked with topicId ${idOf('chaos-2')}, absent from the final image` },
    ]);
  });

  it('reports an acked create present under another topic id, even after an asked delete', () => {
    const h = new History();
    const a = h.create('chaos-1', 1);
    const b = h.create('chaos-2', 1);
    h.delete('chaos-2', 'unknown');
    const summary = check(h, new Final().topic('chaos-1', 1, { topicId: idOf('chaos-1', 7) }).topic('chaos-2', 1, { topicId: idOf('chaos-2', 7) }));
    expect(of(summary, 'acked-create-present').map((v) => v.opIds)).toEqual([[a.id], [b.id]]);
    expect(of(summary, 'acked-create-present')[0]!.message).toContain(`final image has topicId ${idOf('chaos-1', 7)}`);
    expect(checksOf(summary)).toEqual(['acked-create-present', 'acked-create-present']);
  });

  it('accepts a deleted and recreated name holding the new id', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.delete('chaos-1');
    h.create('chaos-1', 1, 'ok', { topicId: idOf('chaos-1', 1) });
    expect(check(h, new Final().topic('chaos-1', 1, { topicId: idOf('chaos-1', 1) })).violations).toEqual([]);
  });
});

// ---- 2. failed-create-absent ------------------------------------------------------------------

describe('failed-create-absent', () => {
  it('accepts a failed create absent, and an unknown-outcome create either way', () => {
    const h = new History();
    h.create('chaos-1', 1, 'fail');
    h.create('chaos-2', 1, 'unknown');
    h.create('chaos-3', 1, 'unknown');
    const summary = check(h, new Final().topic('chaos-2', 1));
    expect(summary.violations).toEqual([]);
  });

  it('reports a failed create present (once: never-invoked leaves it to this check)', () => {
    const h = new History();
    const failed = h.create('chaos-1', 2, 'fail');
    const summary = check(h, new Final().topic('chaos-1', 2));
    expect(summary.violations).toEqual([
      {
        check: 'failed-create-absent',
        opIds: [failed.id],
        message: `op ${failed.id} create-topic chaos-1 failed (INVALID_REPLICATION_FACTOR), expected absent, final image has it (topicId ${idOf('chaos-1')}, 2 partitions)`,
      },
    ]);
  });

  it('accepts a failed create present when another create of the name was asked', () => {
    const h = new History();
    h.create('chaos-1', 2, 'fail');
    h.create('chaos-1', 2, 'unknown');
    expect(check(h, new Final().topic('chaos-1', 2)).violations).toEqual([]);
  });
});

// ---- 3. acked-delete-absent -------------------------------------------------------------------

describe('acked-delete-absent', () => {
  it('accepts an acked delete whose topic is gone', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.delete('chaos-1');
    expect(check(h, new Final()).violations).toEqual([]);
  });

  it('reports an acked delete whose topic is still present', () => {
    const h = new History();
    const c = h.create('chaos-1', 1);
    const d = h.delete('chaos-1');
    const summary = check(h, new Final().topic('chaos-1', 1));
    expect(summary.violations).toEqual([
      {
        check: 'acked-delete-absent',
        opIds: [c.id, d.id],
        message: `op ${d.id} delete-topic chaos-1 was acked, expected absent, final image still has it (the one op ${c.id} created) (topicId ${idOf('chaos-1')}, 1 partition)`,
      },
    ]);
  });

  it('accepts a recreate after the delete, but not the old topic surviving it', () => {
    const recreated = new History();
    recreated.create('chaos-1', 1);
    recreated.delete('chaos-1');
    recreated.create('chaos-1', 1, 'unknown');
    expect(check(recreated, new Final().topic('chaos-1', 1, { topicId: idOf('chaos-1', 1) })).violations).toEqual([]);

    const survived = check(recreated, new Final().topic('chaos-1', 1));
    expect(checksOf(survived)).toEqual(['acked-delete-absent']);
  });
});

// ---- 4. never-invoked -------------------------------------------------------------------------

describe('never-invoked', () => {
  it('ignores topics without the prefix', () => {
    const h = new History();
    h.create('chaos-1', 1);
    expect(check(h, new Final().topic('chaos-1', 1).topic('__harness', 3).topic('probe-1', 1)).violations).toEqual([]);
  });

  it('reports a topic with the prefix that no op asked for', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const summary = check(h, new Final().topic('chaos-1', 1).topic('chaos-99', 2));
    expect(summary.violations).toEqual([
      { check: 'never-invoked', opIds: [], message: `topic chaos-99 (topicId ${idOf('chaos-99')}, 2 partitions) is in the final image, but no create-topic op asked for it` },
    ]);
  });

  it('honours topicPrefix', () => {
    const h = new History();
    const f = new Final().topic('chaos-99', 1).topic('mine-7', 1);
    expect(check(h, f, { topicPrefix: 'mine-' }).violations.map((v) => v.message)).toEqual([expect.stringContaining('topic mine-7 ')]);
  });
});

// ---- 5. partition-count -----------------------------------------------------------------------

describe('partition-count', () => {
  it("accepts the create's count, an unknown add-partitions' total and the largest acked total", () => {
    const h = new History();
    h.create('chaos-1', 3);
    h.create('chaos-2', 3);
    h.addPartitions('chaos-2', 6, 'unknown');
    h.create('chaos-3', 1);
    h.addPartitions('chaos-3', 2);
    h.addPartitions('chaos-3', 4);
    expect(check(h, new Final().topic('chaos-1', 3).topic('chaos-2', 6).topic('chaos-3', 4)).violations).toEqual([]);
  });

  it('reports a partition count no op asked for', () => {
    const h = new History();
    const c = h.create('chaos-1', 3);
    const a = h.addPartitions('chaos-1', 4, 'unknown');
    const summary = check(h, new Final().topic('chaos-1', 5));
    expect(summary.violations).toEqual([
      {
        check: 'partition-count',
        opIds: [c.id, a.id],
        message: `topic chaos-1 has 5 partitions in the final image, but no op asked for 5 (op ${c.id} create 3, op ${a.id} add-partitions to 4)`,
      },
    ]);
  });

  it("reports a count only a failed add-partitions asked for (a refusal explains nothing)", () => {
    const h = new History();
    h.create('chaos-1', 3);
    h.addPartitions('chaos-1', 4, 'fail');
    expect(checksOf(check(h, new Final().topic('chaos-1', 4)))).toEqual(['partition-count']);
  });

  it('reports a topic below its largest acked add-partitions', () => {
    const h = new History();
    h.create('chaos-1', 3);
    const grow = h.addPartitions('chaos-1', 6);
    const summary = check(h, new Final().topic('chaos-1', 3));
    expect(summary.violations).toEqual([
      { check: 'partition-count', opIds: [grow.id], message: `topic chaos-1: op ${grow.id} add-partitions to 6 was acked, final image has 3 partitions` },
    ]);
  });
});

// ---- 6. offsets -------------------------------------------------------------------------------

describe('offsets', () => {
  it('accepts the last acked offset, or a later unknown one', () => {
    const h = new History();
    h.create('chaos-1', 2);
    h.commit('g', 'chaos-1', 0, 5);
    h.commit('g', 'chaos-1', 0, 9);
    h.commit('g', 'chaos-1', 1, 5);
    h.commit('g', 'chaos-1', 1, 9, 'unknown');
    const summary = check(h, new Final().topic('chaos-1', 2).offset('g', 'chaos-1', 0, 9).offset('g', 'chaos-1', 1, 9));
    expect(summary.violations).toEqual([]);
    expect(summary.checked.offsets).toBe(2);
  });

  it('reports a final offset lower than the last acked', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.commit('g', 'chaos-1', 0, 5);
    const last = h.commit('g', 'chaos-1', 0, 9);
    const v = of(check(h, new Final().topic('chaos-1', 1).offset('g', 'chaos-1', 0, 5)), 'offsets');
    expect(v).toEqual([{ check: 'offsets', opIds: [last.id], message: `group g chaos-1-0: op ${last.id} committed offset 9 (acked), final committed offset is lower: 5` }]);
  });

  it('reports an acked commit with no final offset', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const c = h.commit('g', 'chaos-1', 0, 5);
    expect(check(h, new Final().topic('chaos-1', 1)).violations).toEqual([
      { check: 'offsets', opIds: [c.id], message: `group g chaos-1-0: op ${c.id} committed offset 5 (acked), final image has no committed offset` },
    ]);
  });

  it('reports a final offset never sent, and one only a failed op sent', () => {
    const h = new History();
    h.create('chaos-1', 2);
    const a = h.commit('g', 'chaos-1', 0, 5, 'unknown');
    const failed = h.commit('g', 'chaos-1', 1, 8, 'fail');
    const summary = check(h, new Final().topic('chaos-1', 2).offset('g', 'chaos-1', 0, 6).offset('g', 'chaos-1', 1, 8));
    expect(summary.violations).toEqual([
      { check: 'offsets', opIds: [a.id], message: `group g chaos-1-0: final committed offset 6 was never sent (op ${a.id} sent 5)` },
      {
        check: 'offsets',
        opIds: [failed.id],
        message: `group g chaos-1-1: final committed offset 8 is what failed op ${failed.id} sent, expected an acked or unknown op's offset`,
      },
    ]);
  });

  it("skips a deleted topic's offsets", () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.commit('g', 'chaos-1', 0, 5);
    h.delete('chaos-1');
    const summary = check(h, new Final());
    expect(summary.violations).toEqual([]);
    expect(summary.checked.offsets).toBe(0);
  });

  it('ignores offsets of keys no op committed', () => {
    const h = new History();
    h.create('chaos-1', 1);
    expect(check(h, new Final().topic('chaos-1', 1).offset('harness', 'chaos-1', 0, 42)).violations).toEqual([]);
  });
});

// ---- 7. alter-isr -----------------------------------------------------------------------------

describe('quotas', () => {
  it('accepts the last acked value, or a later unknown one, and no quota when none was acked', () => {
    const h = new History();
    h.quota('u1', 10);
    h.quota('u1', 20);
    h.quota('u2', 5);
    h.quota('u2', 9, 'unknown');
    h.quota('u3', 4, 'unknown');
    h.quota('u4', 4, 'fail');
    expect(of(check(h, new Final().quota('u1', 20).quota('u2', 9)), 'quotas')).toEqual([]);
    expect(of(check(h, new Final().quota('u1', 20).quota('u2', 5).quota('u3', 4)), 'quotas')).toEqual([]);
  });

  it('reports a final value lower than the last acked, and an acked one lost', () => {
    const h = new History();
    h.quota('u1', 10);
    const last = h.quota('u1', 20);
    const lost = h.quota('u2', 5);
    const v = of(check(h, new Final().quota('u1', 10)), 'quotas');
    expect(v.map((x) => x.opIds)).toEqual([[last.id], [lost.id]]);
    expect(v[0]!.message).toMatch(/set producer_byte_rate 20 \(acked\), final value is lower: 10/);
    expect(v[1]!.message).toMatch(/user u2: .* final image has no such value/);
  });

  it('reports a final value never sent, and one only a failed op sent', () => {
    const h = new History();
    h.quota('u1', 10);
    const failed = h.quota('u1', 30, 'fail');
    expect(of(check(h, new Final().quota('u1', 15)), 'quotas')[0]!.message).toMatch(/final producer_byte_rate 15 was never sent/);
    const v = of(check(h, new Final().quota('u1', 30)), 'quotas');
    expect(v).toHaveLength(1);
    expect(v[0]!.opIds).toEqual([failed.id]);
  });
});

describe('scram', () => {
  it("holds the user's final SCRAM-SHA-256 iteration count to the set-scram ops: the last acked, or a later unknown one", () => {
    const h = new History();
    h.scram('u1', 4096);
    h.scram('u1', 4100);
    h.scram('u2', 5000, 'unknown');
    expect(of(check(h, new Final().scram('u1', 4100).scram('u2', 5000)), 'scram')).toEqual([]);
    expect(of(check(h, new Final().scram('u1', 4100)), 'scram')).toEqual([]);
  });

  it('reports an acked credential lost (another mechanism is not it), a lower final count, one never sent, one only a failed op sent', () => {
    const h = new History();
    const first = h.scram('u1', 4096);
    const last = h.scram('u1', 4200);
    const failed = h.scram('u1', 4300, 'fail');
    const lost = of(check(h, new Final().scram('u1', 4200, 2)), 'scram');
    expect(lost.map((x) => x.opIds)).toEqual([[last.id]]);
    expect(lost[0]!.message).toMatch(/user u1: op \d+ set SCRAM-SHA-256 iterations 4200 \(acked\), final image has no such value/);
    expect(of(check(h, new Final().scram('u1', 4096)), 'scram').map((x) => x.opIds)).toEqual([[last.id]]);
    expect(of(check(h, new Final().scram('u1', 4150)), 'scram')[0]!.message).toMatch(/final SCRAM-SHA-256 iterations 4150 was never sent/);
    expect(of(check(h, new Final().scram('u1', 4300)), 'scram').map((x) => x.opIds)).toEqual([[failed.id]]);
    expect(first.id).toBeLessThan(last.id);
  });
});

describe('alter-isr', () => {
  it('accepts final epochs at or above every acked one, increasing in commit order', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 1 });
    h.alterIsr('chaos-1', 0, { leaderEpoch: 1, partitionEpoch: 3 });
    h.alterIsr('chaos-1', 0, { leaderEpoch: 1, partitionEpoch: 9 }, 'fail'); // refused: says nothing
    expect(check(h, new Final().topic('chaos-1', 1, { partition: { leaderEpoch: 1, partitionEpoch: 3 } })).violations).toEqual([]);
  });

  it('reports a final partition epoch below an acked one', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const a = h.alterIsr('chaos-1', 0, { leaderEpoch: 2, partitionEpoch: 5 });
    const summary = check(h, new Final().topic('chaos-1', 1, { partition: { leaderEpoch: 2, partitionEpoch: 4 } }));
    expect(summary.violations).toEqual([
      { check: 'alter-isr', opIds: [a.id], message: `op ${a.id} alter-isr chaos-1-0: final image went back: partitionEpoch 4 < acked 5` },
    ]);
  });

  it('reports a final leader epoch below an acked one', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.alterIsr('chaos-1', 0, { leaderEpoch: 2, partitionEpoch: 5 });
    const v = of(check(h, new Final().topic('chaos-1', 1, { partition: { leaderEpoch: 1, partitionEpoch: 5 } })), 'alter-isr');
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining('leaderEpoch 1 < acked 2')]);
  });

  it('reports sequential acked alter-isr ops whose partition epochs do not increase', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const first = h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 4 });
    const second = h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 4 });
    const summary = check(h, new Final().topic('chaos-1', 1, { partition: { partitionEpoch: 4 } }));
    expect(summary.violations).toEqual([
      {
        check: 'alter-isr',
        opIds: [first.id, second.id],
        message: `chaos-1-0: op ${second.id} alter-isr (invoked at ${second.invokedAtMs}ms) acked partitionEpoch 4, expected above 4 that op ${first.id} acked on completing at ${first.completedAtMs}ms`,
      },
    ]);
  });

  it('accepts overlapping ops acked in either epoch order', () => {
    const h = new History();
    h.create('chaos-1', 1, 'ok', { at: { invoked: 0, completed: 1 } });
    h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 2 }, 'ok', { invoked: 10, completed: 30 });
    h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 1 }, 'ok', { invoked: 20, completed: 25 });
    expect(check(h, new Final().topic('chaos-1', 1, { partition: { partitionEpoch: 2 } })).violations).toEqual([]);
  });

  it('reports an acked alter-isr on a topic that is gone though no delete was asked (even if its create was unknown)', () => {
    const h = new History();
    h.create('chaos-1', 1, 'unknown');
    const a = h.alterIsr('chaos-1', 0, { leaderEpoch: 0, partitionEpoch: 1 });
    expect(check(h, new Final()).violations).toEqual([
      { check: 'alter-isr', opIds: [a.id], message: `op ${a.id} alter-isr chaos-1-0 acked and no delete of chaos-1 was asked, final image has no topic chaos-1` },
    ]);

    h.delete('chaos-1', 'unknown');
    expect(check(h, new Final()).violations).toEqual([]);
  });

  it('reports an acked alter-isr on a partition the final topic lacks', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const a = h.alterIsr('chaos-1', 3, { leaderEpoch: 0, partitionEpoch: 1 });
    expect(check(h, new Final().topic('chaos-1', 1)).violations).toEqual([
      { check: 'alter-isr', opIds: [a.id], message: `op ${a.id} alter-isr chaos-1-3 acked, final image has only 1 partitions` },
    ]);
  });
});

// ---- 8. commit-order --------------------------------------------------------------------------

describe('commit-order', () => {
  it('accepts the later acked commit being final, and an earlier unknown one (it may land late)', () => {
    const h = new History();
    h.create('chaos-1', 2);
    h.commit('g', 'chaos-1', 0, 10);
    h.commit('g', 'chaos-1', 0, 5); // offsets not growing: this one was acked after
    h.commit('g', 'chaos-1', 1, 10, 'unknown');
    h.commit('g', 'chaos-1', 1, 5);
    const f = new Final().topic('chaos-1', 2).offset('g', 'chaos-1', 0, 5).offset('g', 'chaos-1', 1, 10);
    expect(of(check(h, f), 'commit-order')).toEqual([]);
  });

  it('reports a final value written by an op that completed before a later acked commit was invoked', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const older = h.commit('g', 'chaos-1', 0, 10);
    const newer = h.commit('g', 'chaos-1', 0, 5);
    const summary = check(h, new Final().topic('chaos-1', 1).offset('g', 'chaos-1', 0, 10));
    // `offsets` is content (10 was acked and is the largest): only the order gives it away.
    expect(summary.violations).toEqual([
      {
        check: 'commit-order',
        opIds: [older.id, newer.id],
        message: `group g chaos-1-0: final committed offset 10 is what op ${older.id} committed (completed by ${older.completedAtMs}ms), but op ${newer.id} (offset 5) was acked and invoked at ${newer.invokedAtMs}ms, after: expected 5 or a later commit`,
      },
    ]);
  });

  it('accepts either value of two overlapping acked commits', () => {
    const h = new History();
    h.create('chaos-1', 1, 'ok', { at: { invoked: 0, completed: 1 } });
    h.commit('g', 'chaos-1', 0, 10, 'ok', { invoked: 10, completed: 30 });
    h.commit('g', 'chaos-1', 0, 5, 'ok', { invoked: 20, completed: 25 });
    expect(check(h, new Final().topic('chaos-1', 1).offset('g', 'chaos-1', 0, 10)).violations).toEqual([]);
  });

  it('also reports the growing-offsets case alongside offsets', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.commit('g', 'chaos-1', 0, 5);
    h.commit('g', 'chaos-1', 0, 9);
    expect(checksOf(check(h, new Final().topic('chaos-1', 1).offset('g', 'chaos-1', 0, 5)))).toEqual(['offsets', 'commit-order']);
  });
});

// ---- 9. image-invariants ----------------------------------------------------------------------

describe('image-invariants', () => {
  it('accepts a sound image', () => {
    const h = new History();
    h.create('chaos-1', 2);
    expect(of(check(h, new Final().topic('chaos-1', 2)), 'image-invariants')).toEqual([]);
  });

  it('reports a leader not in the ISR', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const summary = check(h, new Final().topic('chaos-1', 1, { partition: { leader: 3, isr: [1, 2] } }));
    expect(summary.violations).toEqual([{ check: 'image-invariants', opIds: [], message: expect.stringContaining('chaos-1-0 at offset') }]);
    expect(summary.violations[0]!.message).toContain('leader 3 is not in the ISR 1,2');
  });

  it('reports a fenced leader and an ISR member that is not a replica', () => {
    const h = new History();
    h.create('chaos-1', 1);
    const f = new Final().topic('chaos-1', 1, { partition: { replicas: [1, 2], isr: [1, 2, 4] } });
    f.log.push(broker(1, { fenced: true }));
    const messages = of(check(h, f), 'image-invariants').map((v) => v.message);
    expect(messages).toEqual([expect.stringContaining('ISR member 4 is not a replica'), expect.stringContaining('leader 1 is fenced')]);
  });

  it('reports a record that does not replay, and still runs the other checks', () => {
    const h = new History();
    const lost = h.create('chaos-1', 1);
    const records = new Final().records();
    records.push({ type: 'PartitionChange', topicId: idOf('chaos-9'), partitionId: 0, isr: [1] });
    const summary = checkHistory(h.ops, records);
    expect(summary.violations).toEqual([
      { check: 'acked-create-present', opIds: [lost.id], message: expect.stringContaining('absent from the final image') },
      { check: 'image-invariants', opIds: [], message: expect.stringContaining(`final record ${records.length - 1}: cannot replay PartitionChange record: unknown topic id`) },
    ]);
  });
});

// ---- cost -------------------------------------------------------------------------------------

describe('checkHistory cost', () => {
  // Size, not speed: the answer over a realistic 30-minute history (timings belong in benchmarks).
  it('checks 100k ops against 50k records and finds nothing wrong in a consistent run', () => {
    const h = new History();
    const f = new Final();
    const topics = 10_000;
    for (let t = 0; t < topics; t++) {
      const name = `chaos-${t}`;
      h.create(name, 2);
      f.topic(name, 2, { partition: { partitionEpoch: 2 } });
    }
    for (let t = 0; t < topics; t++) {
      h.alterIsr(`chaos-${t}`, 0, { leaderEpoch: 0, partitionEpoch: 1 });
      h.alterIsr(`chaos-${t}`, 0, { leaderEpoch: 0, partitionEpoch: 2 });
    }
    // 70k commits over 20k keys, the last of each key acked and final.
    for (let i = 0; i < 70_000; i++) {
      const t = i % topics;
      const partition = Math.floor(i / topics) % 2;
      h.commit('g', `chaos-${t}`, partition, i);
    }
    for (let i = 70_000 - 20_000; i < 70_000; i++) f.offset('g', `chaos-${i % topics}`, Math.floor(i / topics) % 2, i);
    const records = f.records();
    expect(h.ops.length).toBe(100_000);
    expect(records.length).toBeGreaterThanOrEqual(50_000);

    const summary = checkHistory(h.ops, records);
    expect(summary.violations).toEqual([]);
    expect(summary.checked).toMatchObject({ ops: 100_000, acked: 100_000, topics, offsets: 20_000 });
  });
});

describe('reassign', () => {
  it("accepts the last acked move's target, settled or still in flight, and a cancel leaving nothing in flight", () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.create('chaos-2', 1);
    h.create('chaos-3', 1);
    h.reassign('chaos-1', [1, 2]);
    h.reassign('chaos-1', [3, 2]);
    h.reassign('chaos-2', [3, 1]);
    h.reassign('chaos-3', [1, 2]);
    h.reassign('chaos-3', null);
    h.reassign('chaos-3', [2, 3], 'fail'); // refused: says nothing
    const f = new Final()
      .topic('chaos-1', 1, { partition: { replicas: [3, 2], isr: [3, 2], leader: 3 } })
      .topic('chaos-2', 1, { partition: { replicas: [3, 1, 2], isr: [1, 2], addingReplicas: [3], removingReplicas: [2] } })
      .topic('chaos-3', 1);
    expect(of(check(h, f), 'reassign')).toEqual([]);
  });

  it('reports a final partition on other replicas than the last acked move, and a move in flight after an acked cancel', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.create('chaos-2', 1);
    const moved = h.reassign('chaos-1', [3, 2]);
    h.reassign('chaos-2', [3, 1]);
    const cancelled = h.reassign('chaos-2', null);
    const f = new Final()
      .topic('chaos-1', 1, { partition: { replicas: [2, 3], isr: [2, 3], leader: 2 } })
      .topic('chaos-2', 1, { partition: { replicas: [3, 1, 2], isr: [1, 2], addingReplicas: [3], removingReplicas: [2] } });
    expect(of(check(h, f), 'reassign')).toEqual([
      { check: 'reassign', opIds: [moved.id], message: `chaos-1-0: op ${moved.id} moved it to 3,2 (acked, the last asked), final image has replicas 2,3, adding -, removing -` },
      { check: 'reassign', opIds: [cancelled.id], message: `chaos-2-0: op ${cancelled.id} cancelled its move (acked, the last asked), final image has a move in flight (replicas 3,1,2, adding 3, removing 2)` },
    ]);
  });

  it('skips a partition whose last move overlapped another asked one, or ended unknown, or whose topic delete was asked', () => {
    const h = new History();
    h.create('chaos-1', 1);
    h.create('chaos-2', 1);
    h.create('chaos-3', 1);
    h.reassign('chaos-1', [1, 2], 'ok', { invoked: 100, completed: 200 });
    h.reassign('chaos-1', [3, 2], 'ok', { invoked: 150, completed: 160 }); // overlaps: either may be last
    h.reassign('chaos-2', [1, 2]);
    h.reassign('chaos-2', [3, 2], 'unknown');
    h.reassign('chaos-3', [3, 2]);
    h.delete('chaos-3', 'unknown');
    const f = new Final().topic('chaos-1', 1, { partition: { replicas: [1, 2], isr: [1, 2] } }).topic('chaos-2', 1).topic('chaos-3', 1);
    expect(of(check(h, f), 'reassign')).toEqual([]);
  });
});

describe('CHECK_NAMES', () => {
  it('names every check these tests report', () => {
    expect([...CHECK_NAMES].sort()).toEqual(
      ['acked-create-present', 'failed-create-absent', 'acked-delete-absent', 'never-invoked', 'partition-count', 'offsets', 'quotas', 'scram', 'alter-isr', 'reassign', 'commit-order', 'image-invariants'].sort(),
    );
  });
});
