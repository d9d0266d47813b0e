// StoreGroup (quorum/controller/configs/group-membership.ts): a coordinator's group membership in the
// metadata log, and DeleteGroups removing it.
import { describe, expect, it } from 'vitest';
import { coordinatorOf } from '../../metadata-log/group-ownership.js';
import type { GroupMemberMetadata } from '../../metadata-log/records/types.js';
import { GROUP_METADATA_BYTES_MAX, storeGroup, type StoredGroupMembership } from '../../quorum/controller/configs/group-membership.js';
import { deleteGroups } from '../../quorum/controller/configs/offsets.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord, OpHarness, topicRecords } from './controller-configs-fixture.js';

/** Brokers 1 and 2 (epochs 10, 11); a group each coordinates. */
function cluster(level?: number) {
  const h = new OpHarness([mvRecord(level), brokerRecord(1, 10), brokerRecord(2, 11), ...topicRecords('orders', 1, 2)]);
  const ownedBy = (b: number) => Array.from({ length: 1000 }, (_, i) => `g${i}`).find((g) => coordinatorOf([1, 2], g) === b)!;
  return { h, g1: ownedBy(1), g2: ownedBy(2), claim1: { brokerId: 1, brokerEpoch: 10 } };
}

const member = (memberId: string, groupInstanceId: string | null = null, assignment = [1, 2, 3]): GroupMemberMetadata => ({
  memberId,
  groupInstanceId,
  clientId: 'app',
  clientHost: '/127.0.0.1',
  rebalanceTimeoutMs: 60_000,
  sessionTimeoutMs: 10_000,
  subscription: Buffer.from([9]),
  assignment: Buffer.from(assignment),
});

const membership = (generationId: number, members = [member('m1', 'i1'), member('m2')]): StoredGroupMembership => ({
  protocolType: 'consumer',
  generationId,
  protocolName: 'range',
  leaderId: members[0]?.memberId ?? 'm1',
  members,
});

describe('StoreGroup', () => {
  it('stores the membership as one GroupMetadata record stamped with the controller clock; the image then holds it', () => {
    const { h, g1, claim1 } = cluster();
    const r = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(3) });
    expect(r.response).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(r.records).toEqual([{ type: 'GroupMetadata', groupId: g1, stateTimestampMs: h.nowMs, ...membership(3) }]);
    h.apply(r);
    expect(h.image.groupMetadata(g1)).toMatchObject({ generationId: 3, leaderId: 'm1', members: [{ memberId: 'm1', groupInstanceId: 'i1' }, { memberId: 'm2' }] });
  });

  it('keeps only the record\'s fields, with the bytes copied out of the request', () => {
    const { h, g1, claim1 } = cluster();
    const frame = Buffer.from([7, 7, 7, 7]);
    const withExtras = { ...member('m1'), assignment: frame.subarray(1, 3), extra: 'not a field' } as GroupMemberMetadata;
    const r = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(1, [withExtras]) });
    const stored = r.records[0] as unknown as { members: GroupMemberMetadata[] };
    expect(Object.keys(stored.members[0]!)).not.toContain('extra');
    frame.fill(0);
    expect([...stored.members[0]!.assignment]).toEqual([7, 7]);
  });

  it('null (the group emptied) writes a tombstone when membership is stored, nothing otherwise', () => {
    const { h, g1, claim1 } = cluster();
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: null })).toEqual({ records: [], response: { errorCode: 0, errorMessage: null } });
    h.apply(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(1) }));
    const r = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: null });
    expect(r.records).toEqual([{ type: 'GroupMetadataTombstone', groupId: g1 }]);
    h.apply(r);
    expect(h.image.groupMetadata(g1)).toBeUndefined();
  });

  it('a removal naming the generation the group emptied at removes only a membership stored below it', () => {
    const { h, g1, claim1 } = cluster();
    h.apply(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(6) }));
    // Late: the group emptied at 5 and was stored again at 6 since.
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: null, removeBelowGeneration: 5 })).toEqual({ records: [], response: { errorCode: 0, errorMessage: null } });
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: null, removeBelowGeneration: 6 }).records).toEqual([]);
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: null, removeBelowGeneration: 7 }).records).toEqual([{ type: 'GroupMetadataTombstone', groupId: g1 }]);
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: null, removeBelowGeneration: 'x' as never }).response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('another broker, a stale epoch or no claim is refused, nothing written', () => {
    const { h, g1, g2, claim1 } = cluster();
    const other = storeGroup(h.ctx(), { coordinator: claim1, groupId: g2, group: membership(1) });
    expect(other.response.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(other.records).toEqual([]);
    expect(storeGroup(h.ctx(), { coordinator: { brokerId: 1, brokerEpoch: 9 }, groupId: g1, group: membership(1) }).response.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const unclaimed = storeGroup(h.ctx(), { groupId: g1, group: membership(1) } as never);
    expect(unclaimed.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(unclaimed.records).toEqual([]);
  });

  it('below metadata.version 1.0-IV4 it is UNSUPPORTED_VERSION and nothing is written', () => {
    const { h, g1, claim1 } = cluster(4);
    const r = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(1) });
    expect(r.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(r.response.errorMessage).toMatch(/metadata.version 5/);
    expect(r.records).toEqual([]);
  });

  it('an older generation than the stored one is ILLEGAL_GENERATION; the same generation replaces it', () => {
    const { h, g1, claim1 } = cluster();
    h.apply(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(5) }));
    const older = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(4) });
    expect(older.response.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(older.records).toEqual([]);
    const restarted = membership(5, [member('m1-new', 'i1'), member('m2')]);
    const same = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: restarted });
    expect(same.response.errorCode).toBe(ErrorCode.NONE);
    h.apply(same);
    expect(h.image.groupMetadata(g1)!.leaderId).toBe('m1-new');
  });

  it.each([
    ['no members', membership(1, []), /members: is empty/],
    ['a leader who is not a member', { ...membership(1), leaderId: 'ghost' }, /leaderId/],
    ['generation 0', membership(0), /generationId/],
    ['a member id twice', membership(1, [member('m1'), member('m1')]), /appears twice/],
    ['members that are not a list', { ...membership(1), members: 'm1' as never }, /not a list of members/],
    ['a string assignment', membership(1, [{ ...member('m1'), assignment: 'x' as never }]), /not bytes/],
  ])('a membership with %s is INVALID_REQUEST, naming the problem', (_what, group, reason) => {
    const { h, g1, claim1 } = cluster();
    const r = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group });
    expect(r.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(r.response.errorMessage).toMatch(reason);
    expect(r.records).toEqual([]);
  });

  it('an empty group id is INVALID_GROUP_ID', () => {
    const { h, claim1 } = cluster();
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: '', group: membership(1) }).response.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('a membership larger than one record may hold is INVALID_REQUEST; just below the bound is stored', () => {
    const { h, g1, claim1 } = cluster();
    const big = (n: number) => membership(1, [member('m1', null, Array.from({ length: n }, () => 1))]);
    const over = storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: big(GROUP_METADATA_BYTES_MAX) });
    expect(over.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(over.response.errorMessage).toMatch(/more than the 1048588/);
    expect(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: big(GROUP_METADATA_BYTES_MAX - 200) }).response.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('DeleteGroups and stored membership', () => {
  it('a group with stored membership and no offsets is deleted (tombstoned), not GROUP_ID_NOT_FOUND', () => {
    const { h, g1, claim1 } = cluster();
    h.apply(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: membership(2) }));
    const r = deleteGroups(h.ctx(), { groupIds: [g1], coordinator: claim1 });
    expect(r.response.results).toEqual([{ groupId: g1, errorCode: ErrorCode.NONE, errorMessage: null }]);
    expect(r.records).toEqual([{ type: 'GroupMetadataTombstone', groupId: g1 }]);
    h.apply(r);
    expect(h.image.groupMetadata(g1)).toBeUndefined();
    expect(deleteGroups(h.ctx(), { groupIds: [g1], coordinator: claim1 }).response.results[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});
