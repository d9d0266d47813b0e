// ElectLeaders (quorum/controller/replication/elect-leaders.ts): preferred and unclean elections an
// operator asks for, per named partition or over every partition, with Kafka's answers.
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { electLeaders, ElectionType, type ElectLeadersRequest } from '../../quorum/controller/replication/elect-leaders.js';
import { apply, broker, brokers, ctx, image, part, topic } from './controller-replication-fixtures.js';

function run(img: MetadataImage, request: ElectLeadersRequest, overrides = {}) {
  const r = electLeaders(ctx(img, overrides), request);
  return { img: apply(img, r.records), records: r.records, response: r.response, codes: r.response.results.flatMap((t) => t.partitions.map((p) => p.errorCode)) };
}

const preferred = (t: string, ...partitionIds: number[]): ElectLeadersRequest => ({ electionType: ElectionType.PREFERRED, partitions: [{ topic: t, partitionIds }] });
const unclean = (t: string, ...partitionIds: number[]): ElectLeadersRequest => ({ electionType: ElectionType.UNCLEAN, partitions: [{ topic: t, partitionIds }] });

describe('electLeaders', () => {
  const base = image([
    ...brokers(3),
    ...topic('t', [
      { replicas: [1, 2, 3], leader: 2 }, // preferred 1 is in sync: elect it
      { replicas: [1, 2, 3], leader: 1 }, // already on its preferred replica
      { replicas: [3, 1, 2], isr: [1, 2], leader: 1 }, // preferred 3 out of sync
    ]),
  ]);

  it('preferred: moves leadership to the preferred replica, bumping the leader epoch; one already there is ELECTION_NOT_NEEDED; one out of sync PREFERRED_LEADER_NOT_AVAILABLE', () => {
    const r = run(base, preferred('t', 0, 1, 2));
    expect(r.codes).toEqual([ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]);
    expect(r.records).toHaveLength(1);
    expect(part(r.img, 't', 0)).toMatchObject({ leader: 1, leaderEpoch: 1 });
    expect(part(r.img, 't', 2).leader).toBe(1);
  });

  it('preferred: a fenced preferred replica is not available', () => {
    const r = run(apply(base, [broker({ id: 1, fenced: true })]), preferred('t', 0));
    expect(r.codes).toEqual([ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]);
    expect(r.records).toEqual([]);
  });

  it('unclean: a leaderless partition gets its first eligible replica as leader with ISR [it], RECOVERING, whatever the topic config says; one with a leader is ELECTION_NOT_NEEDED; none eligible is ELIGIBLE_LEADERS_NOT_AVAILABLE', () => {
    let img = image([...brokers(3), ...topic('u', [{ replicas: [1, 2, 3], isr: [1], leader: -1 }, { replicas: [1, 2], leader: 1 }, { replicas: [1], isr: [1], leader: -1 }], { 'unclean.leader.election.enable': 'false' })]);
    img = apply(img, [broker({ id: 1, fenced: true })]);
    const r = run(img, unclean('u', 0, 1, 2));
    expect(r.codes).toEqual([ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE]);
    expect(part(r.img, 'u', 0)).toMatchObject({ leader: 2, isr: [2], leaderRecoveryState: 1 });
  });

  it('unknown topics and partitions are named in the answer', () => {
    const r = electLeaders(ctx(base), { electionType: ElectionType.PREFERRED, partitions: [{ topic: 'nope', partitionIds: [0] }, { topic: 't', partitionIds: [7] }] });
    expect(r.response.results.map((t) => t.partitions[0])).toEqual([
      { partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope' },
      { partitionId: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as t-7' },
    ]);
  });

  it('every partition: only those that needed an election are answered; past the bound the scan stops and says more', () => {
    const all = run(base, { electionType: ElectionType.PREFERRED, partitions: null });
    expect(all.response).toEqual({
      results: [{ topic: 't', partitions: [{ partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null }, { partitionId: 2, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'The preferred leader was not available.' }] }],
      more: false,
    });
    const many = image([...brokers(2), ...topic('m', [0, 1, 2, 3].map(() => ({ replicas: [1, 2], leader: 2 })))]);
    const first = run(many, { electionType: ElectionType.PREFERRED, partitions: null }, { maxRecordsPerOperation: 3 });
    expect(first.records).toHaveLength(3);
    expect(first.response.more).toBe(true);
    const second = run(first.img, { electionType: ElectionType.PREFERRED, partitions: null }, { maxRecordsPerOperation: 3 });
    expect(second.records).toHaveLength(1);
    expect(second.response.more).toBe(false);
  });

  it('named partitions past the bound are POLICY_VIOLATION; one named twice is elected once', () => {
    const many = image([...brokers(2), ...topic('m', [0, 1].map(() => ({ replicas: [1, 2], leader: 2 })))]);
    expect(run(many, preferred('m', 0, 1), { maxRecordsPerOperation: 1 }).codes).toEqual([ErrorCode.NONE, ErrorCode.POLICY_VIOLATION]);
    const twice = run(many, preferred('m', 0, 0));
    expect(twice.records).toHaveLength(1);
    expect(twice.codes).toEqual([ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED]);
  });

  it('a malformed body is refused whole as INVALID_REQUEST', () => {
    for (const bad of [{ electionType: 2, partitions: null }, { electionType: 0 }, { electionType: 0, partitions: [{ topic: 't', partitionIds: ['0'] }] }, { electionType: 0, partitions: 'all' }]) {
      expect(() => electLeaders(ctx(base), bad as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
    }
  });
});
