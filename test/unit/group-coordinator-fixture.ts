// What the group-coordinator tests share: bytes from text and back, and a coordinator on a manual
// clock with no initial rebalance delay (config overrides on top).

import { DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type GroupCoordinatorConfig, type JoinRequest } from '../../broker/kafka/groups/group-coordinator.js';
import { ManualClock } from '../support/manual-clock.js';

export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
export const text = (b: Uint8Array): string => Buffer.from(b).toString();

export function setup(config: Partial<GroupCoordinatorConfig> = {}) {
  const clock = new ManualClock();
  const gc = new GroupCoordinator(clock, { ...DEFAULT_GROUP_COORDINATOR_CONFIG, initialRebalanceDelayMs: 0, ...config });
  return { clock, gc };
}

/** A JoinGroup of group 'g' from instance `instance` (null: a dynamic member), 10 s session, 20 s rebalance timeout; `overrides` on top. */
export function groupJoin(instance: string | null, overrides: Partial<JoinRequest> & Pick<JoinRequest, 'protocols' | 'requireKnownMemberId'>): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: instance,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    protocolType: 'consumer',
    ...overrides,
  };
}
