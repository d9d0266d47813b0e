// What a broker currently holds in the partition table: leaderships and ISR memberships. The
// lifecycle operations ask this to decide whether anything must move before a broker may go
// (controlled shutdown, re-registration cleanup).
//
// A scan over every partition of the image: O(partitions). It runs only on registration of a new
// incarnation and on shutdown heartbeats, never on the ordinary heartbeat path. (Kafka keeps a
// broker -> partitions index, BrokersToIsrs; add one to the image if this ever shows in a profile.)

import type { MetadataImageView } from '../../../metadata-log/image-types.js';

export interface BrokerRoles {
  /** Partitions the broker leads. */
  readonly leaderships: number;
  /** Partitions whose ISR holds the broker (led or not). */
  readonly isrMemberships: number;
}

export function brokerRoles(image: MetadataImageView, brokerId: number): BrokerRoles {
  let leaderships = 0;
  let isrMemberships = 0;
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      if (p.leader === brokerId) leaderships++;
      if (p.isr.includes(brokerId)) isrMemberships++;
    }
  }
  return { leaderships, isrMemberships };
}

/** True when the broker leads no partition and is in no ISR: fencing it would change no partition. */
export function holdsNothing(image: MetadataImageView, brokerId: number): boolean {
  const roles = brokerRoles(image, brokerId);
  return roles.leaderships === 0 && roles.isrMemberships === 0;
}

/** True when the broker leads at least one partition. */
export function leadsAny(image: MetadataImageView, brokerId: number): boolean {
  for (const topic of image.topics()) {
    for (const p of topic.partitions) if (p.leader === brokerId) return true;
  }
  return false;
}
