// The partition moves a broker's lifecycle change implies, through the replication helper's
// elections (KIP-841), with the broker's new state passed as an override so the elections see it
// before its registration change is replayed, and with the cluster's unclean-election default.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { PartitionChangeRecord } from '../../../metadata-log/records/types.js';
import type { ControllerConfig } from '../config.js';
import { brokerDrainChanges, brokerEligibleChanges, brokerIneligibleChanges, eligibility, type DrainCursor, type DrainPass } from '../replication/elections.js';

export interface ImageAndConfig {
  readonly image: MetadataImageView;
  readonly config: ControllerConfig;
}

/** Fence, controlled shutdown, unregistration, unclean-shutdown cleanup: leaderships move off, ISRs shrink. */
export function movesOff(ctx: ImageAndConfig, brokerId: number): PartitionChangeRecord[] {
  return brokerIneligibleChanges(ctx.image, brokerId, eligibility(ctx.image, new Map([[brokerId, false]])), {
    uncleanLeaderElectionEnable: ctx.config.uncleanLeaderElectionEnable,
  });
}

/** A step of a large controlled shutdown: at most `max` moves that leave no partition leaderless (see elections.ts). */
export function drainStep(ctx: ImageAndConfig, brokerId: number, max: number, from?: DrainCursor): DrainPass {
  return brokerDrainChanges(ctx.image, brokerId, eligibility(ctx.image, new Map([[brokerId, false]])), max, from);
}

/** Unfence: leaderless partitions get an election in which the broker counts as eligible. */
export function movesOnto(ctx: ImageAndConfig, brokerId: number): PartitionChangeRecord[] {
  return brokerEligibleChanges(ctx.image, brokerId, eligibility(ctx.image, new Map([[brokerId, true]])), {
    uncleanLeaderElectionEnable: ctx.config.uncleanLeaderElectionEnable,
  });
}
