// A broker's GroupStore (broker/kafka/groups/group-coordinator.ts): the consumer groups it
// coordinates are stored in the metadata log through the active controller (storeGroup,
// quorum/controller/configs/group-membership.ts) and resumed from this broker's image.
//
// Outcomes of a store, from the controller's answer:
//   NONE                                      stored
//   NOT_COORDINATOR                           not-coordinator (the controller's newer image gives
//                                             the group to another broker, or fenced this one)
//   UNSUPPORTED_VERSION, INVALID_REQUEST,     skipped: trying again cannot help (the level went
//   INVALID_GROUP_ID, ILLEGAL_GENERATION      below 1.0-IV4? never; a group too large for one
//                                             record; a newer generation stored); logged
//   anything else, or no answer in time       failed (the coordinator tries again)
// Below metadata.version 1.0-IV4 in this broker's image nothing is sent: skipped. Until this broker
// is registered (no broker epoch) nothing can be claimed: failed.

import type { Logger } from '../quorum/env/index.js';
import { ErrorCode, errorName } from '../quorum/controller/errors.js';
import { metadataVersionSupportsGroupMetadata } from '../quorum/controller/configs/features.js';
import type { StoredGroupMembership } from '../quorum/controller/configs/group-membership.js';
import type { RpcCaller } from '../quorum/server/rpc-methods.js';
import type { MetadataImageView, StoredGroupMetadata } from '../metadata-log/image-types.js';
import type { GroupStore, StoreOutcome } from './kafka/groups/group-coordinator.js';

/** How long one store may take, its retries to a new active controller included. */
export const GROUP_STORE_TIMEOUT_MS = 5_000;

const FOR_GOOD: ReadonlySet<number> = new Set([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_GROUP_ID, ErrorCode.ILLEGAL_GENERATION]);

export interface ControllerGroupStoreOptions {
  readonly brokerId: number;
  /** -1 until the broker is registered. */
  readonly brokerEpoch: () => number;
  readonly image: () => MetadataImageView;
  readonly channel: RpcCaller;
  readonly logger: Logger;
}

export class ControllerGroupStore implements GroupStore {
  constructor(private readonly o: ControllerGroupStoreOptions) {}

  load(groupId: string): StoredGroupMetadata | undefined {
    return this.o.image().groupMetadata(groupId);
  }

  save(groupId: string, membership: StoredGroupMembership): StoreOutcome | Promise<StoreOutcome> {
    if (!metadataVersionSupportsGroupMetadata(this.o.image())) return 'skipped';
    return this.send(groupId, membership);
  }

  remove(groupId: string, belowGeneration: number): Promise<void> | undefined {
    // Sent even when this image holds nothing for the group: a store of it may not have reached
    // the image yet. The controller writes a tombstone only if it holds the group. Settles once
    // answered, so that the coordinator sends the group's next store only then.
    if (!metadataVersionSupportsGroupMetadata(this.o.image())) return undefined;
    return this.send(groupId, null, belowGeneration).then(() => undefined);
  }

  private async send(groupId: string, group: StoredGroupMembership | null, removeBelowGeneration?: number): Promise<StoreOutcome> {
    const brokerEpoch = this.o.brokerEpoch();
    if (brokerEpoch < 0) return 'failed';
    const what = group === null ? 'removal' : `generation ${group.generationId}`;
    try {
      const request = { coordinator: { brokerId: this.o.brokerId, brokerEpoch }, groupId, group, ...(removeBelowGeneration === undefined ? {} : { removeBelowGeneration }) };
      const r = await this.o.channel.call('storeGroup', request, { timeoutMs: GROUP_STORE_TIMEOUT_MS });
      if (r.errorCode === ErrorCode.NONE) return 'stored';
      if (r.errorCode === ErrorCode.NOT_COORDINATOR) return 'not-coordinator';
      const forGood = FOR_GOOD.has(r.errorCode);
      this.o.logger.warn({ groupId, error: errorName(r.errorCode), reason: r.errorMessage }, `the controller did not store group ${groupId}'s ${what}${forGood ? '' : '; tried again'}`);
      return forGood ? 'skipped' : 'failed';
    } catch (e) {
      this.o.logger.warn({ groupId, err: e instanceof Error ? e.message : String(e) }, `storing group ${groupId}'s ${what} failed; tried again`);
      return 'failed';
    }
  }
}
