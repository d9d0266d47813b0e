// broker/group-store.ts: the broker's GroupStore over the controller's storeGroup, outcome by outcome.
import { describe, expect, it } from 'vitest';
import { ControllerGroupStore } from '../../broker/group-store.js';
import { imageOf } from '../../metadata-log/delta.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import type { StoredGroupMembership } from '../../quorum/controller/configs/group-membership.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';

const membership: StoredGroupMembership = { protocolType: 'consumer', generationId: 3, protocolName: 'range', leaderId: 'm1', members: [] };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function storeWith(answer: number | Error, level = 5, brokerEpoch = 7) {
  const calls: unknown[] = [];
  const channel = {
    call: async (method: string, request: unknown) => {
      calls.push({ method, request });
      if (answer instanceof Error) throw answer;
      return { errorCode: answer, errorMessage: answer === ErrorCode.NONE ? null : 'no' };
    },
  } as unknown as RpcCaller;
  const image = imageOf([{ type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: level }]);
  const store = new ControllerGroupStore({ brokerId: 2, brokerEpoch: () => brokerEpoch, image: () => image, channel, logger: quiet });
  return { store, calls };
}

describe('ControllerGroupStore', () => {
  it.each([
    [ErrorCode.NONE, 'stored'],
    [ErrorCode.NOT_COORDINATOR, 'not-coordinator'],
    [ErrorCode.ILLEGAL_GENERATION, 'skipped'],
    [ErrorCode.INVALID_REQUEST, 'skipped'],
    [ErrorCode.UNSUPPORTED_VERSION, 'skipped'],
    [ErrorCode.NOT_CONTROLLER, 'failed'],
    [new Error('timed out'), 'failed'],
  ])('the controller answering %s is %s', async (answer, outcome) => {
    const { store, calls } = storeWith(answer);
    expect(await store.save('g', membership)).toBe(outcome);
    expect(calls).toEqual([{ method: 'storeGroup', request: { coordinator: { brokerId: 2, brokerEpoch: 7 }, groupId: 'g', group: membership } }]);
  });

  it('below metadata.version 1.0-IV4 nothing is sent: skipped at once, and no removal', () => {
    const { store, calls } = storeWith(ErrorCode.NONE, 4);
    expect(store.save('g', membership)).toBe('skipped');
    store.remove('g', 3);
    expect(calls).toEqual([]);
  });

  it('an unregistered broker (no epoch) cannot claim the group: failed, nothing sent', async () => {
    const { store, calls } = storeWith(ErrorCode.NONE, 5, -1);
    expect(await store.save('g', membership)).toBe('failed');
    expect(calls).toEqual([]);
  });

  it('a removal sends the group as null with the generation it emptied at, and settles (never rejects) once answered, so the next store of the group waits for it', async () => {
    const { store, calls } = storeWith(ErrorCode.NONE);
    await store.remove('g', 3);
    expect(calls).toEqual([{ method: 'storeGroup', request: { coordinator: { brokerId: 2, brokerEpoch: 7 }, groupId: 'g', group: null, removeBelowGeneration: 3 } }]);
    await expect(storeWith(new Error('timed out')).store.remove('g', 3)).resolves.toBeUndefined();
  });
});
