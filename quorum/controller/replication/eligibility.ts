// Who may lead a partition or join its ISR (KIP-841, KAFKA-13916): a registered broker that is
// neither fenced nor in controlled shutdown. Every election and ISR change in this directory asks
// one of these predicates, never the registration directly, so an operation that changes a broker's
// state and moves partitions in the same breath (fence, unfence, controlled shutdown) can say "as if
// the change were already applied" with an override.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';

/** Whether a broker may lead or join an ISR (KIP-841): registered, unfenced, not shutting down. */
export type IsEligible = (brokerId: number) => boolean;

/**
 * `isEligible` without the brokers being drained for a controlled shutdown (OpContext.draining):
 * what may be given a leadership or a new replica. A drained broker keeps what it holds until the
 * drain moves it, but gets nothing back meanwhile (the preferred-leader pass, new partitions).
 */
export function excludingDraining(isEligible: IsEligible, draining: ((brokerId: number) => boolean) | undefined): IsEligible {
  return draining === undefined ? isEligible : (brokerId) => isEligible(brokerId) && !draining(brokerId);
}

/** Eligibility as the image says, with `overrides` applied on top (a change being made in the same operation). */
export function eligibility(image: MetadataImageView, overrides?: ReadonlyMap<number, boolean>): IsEligible {
  return (brokerId) => {
    const forced = overrides?.get(brokerId);
    if (forced !== undefined) return forced;
    const b = image.broker(brokerId);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  };
}
