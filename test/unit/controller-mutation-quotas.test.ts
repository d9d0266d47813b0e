// controller_mutation_rate (quorum/controller/quotas/controller-mutation-quotas.ts): which quota
// applies to a (user, client id) and which bucket it is charged to, in Kafka's order; the token
// bucket (11 s of the rate, full at first, refilled at the rate); strict and permissive charging;
// the undo log of an operation computed twice; and CreateTopics, CreatePartitions and DeleteTopics
// charging each topic once its other checks pass (validateOnly too), with the answer's throttle time.

import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { ClientQuotaEntityPart, ClientQuotaRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import {
  ControllerMutationQuotas,
  controllerMutationQuota,
  BUCKETS_MAX,
  QUOTA_WINDOW_SECONDS,
  THROTTLE_MS_MAX,
  type MutationQuotaClaim,
  withTrustedQuotaClaim,
} from '../../quorum/controller/quotas/controller-mutation-quotas.js';
import { createTopics, type CreatableTopic } from '../../quorum/controller/replication/create-topics.js';
import { createPartitions } from '../../quorum/controller/replication/create-partitions.js';
import { deleteTopics } from '../../quorum/controller/replication/delete-topics.js';
import { apply, brokers, ctx, image, rng } from './controller-replication-fixtures.js';
import { activeController } from '../support/instant-raft.js';
import { ControllerBusyError } from '../../quorum/controller/event-queue.js';

const user = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'user', entityName: name });
const client = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'client-id', entityName: name });
function quota(entity: ClientQuotaEntityPart[], value: number, key = 'controller_mutation_rate'): ClientQuotaRecord {
  return { type: 'ClientQuota', entity, key, value, remove: false };
}

const three = image(brokers(3));
const withQuotas = (...records: ClientQuotaRecord[]): MetadataImage => apply(three, records);

describe('which controller_mutation_rate applies, and which bucket it charges (Kafka\'s DefaultQuotaCallback order)', () => {
  const levels: [ClientQuotaEntityPart[], string][] = [
    [[user('alice'), client('etl')], '["alice","etl"]'],
    [[user('alice'), client(null)], '["alice","etl"]'],
    [[user('alice')], '["alice",""]'],
    [[user(null), client('etl')], '["alice","etl"]'],
    [[user(null), client(null)], '["alice","etl"]'],
    [[user(null)], '["alice",""]'],
    [[client('etl')], '["","etl"]'],
    [[client(null)], '["","etl"]'],
  ];

  it('the first of the eight entities that holds one wins; each level below it is ignored', () => {
    for (let i = 0; i < levels.length; i++) {
      // Level i gets rate i+1, and every level below it a quota too: level i must win.
      const img = withQuotas(...levels.slice(i).map(([entity], j) => quota(entity, i + j + 1)));
      expect(controllerMutationQuota(img, 'alice', 'etl'), `level ${i}`).toEqual({ rate: i + 1, bucket: levels[i]![1] });
    }
  });

  it('other quota keys, other users and other clients do not count; none at all: not charged', () => {
    const img = withQuotas(quota([user('alice')], 100, 'producer_byte_rate'), quota([user('bob')], 5), quota([client('other')], 5));
    expect(controllerMutationQuota(img, 'alice', 'etl')).toBeUndefined();
    expect(controllerMutationQuota(img, 'bob', 'etl')).toEqual({ rate: 5, bucket: '["bob",""]' });
  });
});

describe('the token bucket', () => {
  const img = withQuotas(quota([user('alice')], 2)); // 2 partitions/s: 22 at once
  const claim = (strict: boolean): MutationQuotaClaim => ({ user: 'alice', clientId: 'c', strict });

  it(`starts full with ${QUOTA_WINDOW_SECONDS} s of the rate; permissive charges go into debt and say how long it takes to get back to zero`, () => {
    const q = new ControllerMutationQuotas();
    const r1 = q.forRequest(img, claim(false), 0)!;
    expect(r1.charge(22)).toBeNull();
    expect(r1.throttleTimeMs).toBe(0);
    expect(r1.charge(4)).toBeNull(); // permissive: passes, 4 in debt
    expect(r1.throttleTimeMs).toBe(2000); // 4 tokens at 2/s
    // 1.5 s later: 3 refilled, 1 in debt still.
    const r2 = q.forRequest(img, claim(false), 1500)!;
    expect(r2.charge(1)).toBeNull();
    expect(r2.throttleTimeMs).toBe(1000);
  });

  it('strict: a bucket in debt refuses the topic (THROTTLING_QUOTA_EXCEEDED, Kafka\'s message); the first topic past the bucket still passes', () => {
    const q = new ControllerMutationQuotas();
    const r = q.forRequest(img, claim(true), 0)!;
    expect(r.charge(20)).toBeNull();
    expect(r.charge(10)).toBeNull(); // 2 left: passes, 8 in debt
    expect(r.charge(1)).toEqual({ code: ErrorCode.THROTTLING_QUOTA_EXCEEDED, message: 'The throttling quota has been exceeded.' });
    expect(r.throttleTimeMs).toBe(4000);
    // Refused topics take nothing: 4 s later the bucket is at zero, not below, and takes a topic again.
    expect(q.forRequest(img, claim(true), 4000)!.charge(1)).toBeNull();
  });

  it('refills at the rate up to its size, not beyond (an idle client gets one burst, not an ever-growing one)', () => {
    const q = new ControllerMutationQuotas();
    expect(q.forRequest(img, claim(true), 0)!.charge(1)).toBeNull();
    const later = q.forRequest(img, claim(true), 3_600_000)!;
    expect(later.charge(22)).toBeNull();
    expect(later.charge(1)).toBeNull(); // 1 in debt
    expect(later.charge(1)).toEqual(expect.objectContaining({ code: ErrorCode.THROTTLING_QUOTA_EXCEEDED }));
  });

  it('save/restore: an operation computed twice (a transaction) or refused is charged once, or not at all', () => {
    const q = new ControllerMutationQuotas();
    const saved = q.save();
    q.forRequest(img, claim(true), 0)!.charge(30);
    q.restore(saved);
    expect(q.size).toBe(0);
    const r = q.forRequest(img, claim(true), 0)!;
    expect(r.charge(22)).toBeNull();
    const second = q.save();
    r.charge(5);
    q.restore(second);
    expect(q.forRequest(img, claim(true), 0)!.charge(1)).toBeNull(); // 0 left, not -5: passes
  });

  it(`at most ${BUCKETS_MAX} buckets: a new one drops the one charged longest ago, not one charged since (a review found buckets in debt dropped, and a scan per new key)`, () => {
    const q = new ControllerMutationQuotas();
    const everyone = withQuotas(quota([client(null)], 1)); // each client id its own bucket of 11
    const charge = (clientId: string, partitions: number, strict = true) => q.forRequest(everyone, { user: 'u', clientId, strict }, 0)!.charge(partitions);
    expect(charge('debtor', 12)).toBeNull(); // 1 in debt
    expect(charge('old', 1)).toBeNull();
    for (let i = 0; i < BUCKETS_MAX - 2; i++) charge(`c${i}`, 1);
    expect(q.size).toBe(BUCKETS_MAX);
    expect(charge('debtor', 1)).not.toBeNull(); // still in debt, and now charged last
    charge('new', 1); // drops 'old', charged longest ago, not 'debtor'
    expect(q.size).toBe(BUCKETS_MAX);
    expect(charge('debtor', 1)).not.toBeNull();
    expect(charge('old', 11)).toBeNull(); // a fresh, full bucket
  });

  it('a long client id is hashed into the key; a quota of 0 throttles at most THROTTLE_MS_MAX', () => {
    const long = 'x'.repeat(30_000);
    const found = controllerMutationQuota(withQuotas(quota([client(long)], 3)), 'u', long)!;
    expect(found.rate).toBe(3);
    expect(found.bucket.length).toBeLessThan(100);
    const zero = withQuotas(quota([user('alice')], 0));
    const r = new ControllerMutationQuotas().forRequest(zero, { user: 'alice', clientId: 'c', strict: false }, 0)!;
    expect(r.charge(1)).toBeNull();
    expect(r.throttleTimeMs).toBe(THROTTLE_MS_MAX);
  });

  it('strict: a topic passed into debt is answered without throttle time (Kafka records a violation only when it refuses)', () => {
    const r = new ControllerMutationQuotas().forRequest(img, claim(true), 0)!;
    expect(r.charge(30)).toBeNull();
    expect(r.throttleTimeMs).toBe(0);
    expect(r.charge(1)).not.toBeNull();
    expect(r.throttleTimeMs).toBe(4000);
  });

  it('a claim that is not { user, clientId, strict } (from the network) refuses the request', () => {
    const q = new ControllerMutationQuotas();
    expect(() => q.forRequest(img, { user: 7 } as unknown as MutationQuotaClaim, 0)).toThrow(/mutationQuota must be/);
    expect(q.forRequest(img, undefined, 0)).toBeUndefined();
  });
});

describe('CreateTopics, CreatePartitions and DeleteTopics charge each topic that passes its checks', () => {
  const img = withQuotas(quota([user('alice')], 1)); // 11 partitions at once
  const strict: MutationQuotaClaim = { user: 'alice', clientId: 'c', strict: true };
  const t = (name: string, numPartitions: number): CreatableTopic => ({ name, numPartitions, replicationFactor: 1, configs: [] });

  it('CreateTopics (strict): a topic refused by another check is not charged; once in debt the next topic is refused and writes nothing; the answer carries the throttle time', () => {
    const q = new ControllerMutationQuotas();
    const c = ctx(img);
    const { response, records } = createTopics(
      c,
      { topics: [t('bad name', 50), t('a', 8), t('b', 8), t('c', 1)], validateOnly: false, mutationQuota: strict },
      rng(),
      undefined,
      q.forRequest(c.image, strict, c.nowMs),
    );
    expect(response.topics.map((r) => [r.name, r.errorCode])).toEqual([
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['a', ErrorCode.NONE],
      ['b', ErrorCode.NONE], // 3 left: passes into debt (5)
      ['c', ErrorCode.THROTTLING_QUOTA_EXCEEDED],
    ]);
    expect(response.throttleTimeMs).toBe(5000);
    expect(new Set(records.filter((r) => r.type === 'Topic').map((r) => (r as { name: string }).name))).toEqual(new Set(['a', 'b']));
  });

  it('validateOnly is charged too, as Kafka charges it; without a claim (a tool, or no quota) nothing is charged and there is no throttle time', () => {
    const q = new ControllerMutationQuotas();
    const c = ctx(img);
    const dry = createTopics(c, { topics: [t('a', 11)], validateOnly: true }, rng(), undefined, q.forRequest(c.image, strict, c.nowMs));
    expect(dry.response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    const after = createTopics(c, { topics: [t('a', 1), t('b', 1)], validateOnly: false }, rng(), undefined, q.forRequest(c.image, strict, c.nowMs));
    expect(after.response.topics.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
    const free = createTopics(c, { topics: [t('a', 100)], validateOnly: false }, rng());
    expect(free.response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(free.response.throttleTimeMs).toBeUndefined();
  });

  it('CreatePartitions charges the partitions added; DeleteTopics the partitions removed', () => {
    const q = new ControllerMutationQuotas();
    let state = img;
    const created = createTopics(ctx(state), { topics: [t('x', 4), t('y', 4)], validateOnly: false }, rng());
    state = apply(state, created.records);
    const c = ctx(state);
    const grown = createPartitions(c, { topics: [{ name: 'x', count: 10, assignments: null }], validateOnly: false }, rng(), undefined, q.forRequest(c.image, strict, c.nowMs));
    expect(grown.response.results[0]!.errorCode).toBe(ErrorCode.NONE); // 6 of 11
    const deleted = deleteTopics(c, { topics: [{ name: 'y', topicId: null }, { name: 'x', topicId: null }] }, q.forRequest(c.image, strict, c.nowMs));
    // y (4 partitions) leaves 1; x (4 in the image this operation reads) passes into debt (3).
    expect(deleted.response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(deleted.response.throttleTimeMs).toBeUndefined(); // strict: passed, so no throttle
    const again = createPartitions(c, { topics: [{ name: 'x', count: 11, assignments: null }], validateOnly: false }, rng(), undefined, q.forRequest(c.image, strict, c.nowMs));
    expect(again.response.results[0]!.errorCode).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    expect(again.response.throttleTimeMs).toBe(3000);
    expect(again.records).toEqual([]);
  });
});

describe('the active controller', () => {
  it('an operation whose records Raft refuses (back-pressure) is not charged: the buckets are put back with the rest of its soft state', async () => {
    const { c, raft } = await activeController('mutation-quotas', [...brokers(3), quota([user('alice')], 1)]); // 11 at once
    const claim: MutationQuotaClaim = { user: 'alice', clientId: 'c', strict: true };
    const create = (name: string, partitions: number) => c.createTopics({ topics: [{ name, numPartitions: partitions, replicationFactor: 1, configs: [] }], validateOnly: false, mutationQuota: claim });
    raft.refuse = 1;
    await expect(create('refused', 10)).rejects.toBeInstanceOf(ControllerBusyError);
    expect((await create('a', 10)).topics[0]!.errorCode).toBe(ErrorCode.NONE); // 1 left
    // Had the refused one been charged, the bucket would be 9 in debt and this one refused.
    const last = await create('b', 1);
    expect(last.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(last.throttleTimeMs).toBeUndefined();
    expect((await create('c', 1)).topics[0]!.errorCode).toBe(ErrorCode.NONE); // 0 left: strict still passes, 1 in debt
    expect((await create('d', 1)).topics[0]!.errorCode).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
  });
});

describe('whose claim the controller takes', () => {
  it("a trusted forwarder's claim is kept; anyone else's is dropped from the three topic writes, so no one spends another user's quota", () => {
    const claim = { user: 'alice', clientId: 'c', strict: false };
    const body = { topics: [], validateOnly: false, mutationQuota: claim };
    for (const method of ['createTopics', 'deleteTopics', 'createPartitions']) {
      expect(withTrustedQuotaClaim(true, method, body)).toBe(body);
      expect(withTrustedQuotaClaim(false, method, body)).toEqual({ topics: [], validateOnly: false });
    }
    expect(withTrustedQuotaClaim(false, 'alterConfigs', body)).toBe(body);
    expect(withTrustedQuotaClaim(false, 'createTopics', null)).toBeNull();
  });
});
