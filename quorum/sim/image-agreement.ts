// The metadata layer's own safety property, for the simulator: every node's committed image at
// the same end offset is the same state. Raft's invariants (invariants.ts) only say the nodes hold
// the same records; this says they made the same image of them, however they got there (replaying
// batches of any size, loading a snapshot, a standby turned active). A replay that depends on
// anything but the records (time, a map's insertion order, the node's own soft state) or a snapshot
// that does not round-trip shows up here as two digests for one offset (KAFKA-14275 is that kind of
// divergence, found in production).
//
// An image is compared by a digest of its snapshot bytes: snapshotRecords writes every part of the
// state in a fixed order, so equal states give equal bytes. One checker per simulated cluster.

import type { MetadataImage } from '../../metadata-log/image.js';
import { writeSnapshot } from '../../metadata-log/snapshot.js';
import { FNV_OFFSET_BASIS, fnv1a } from './fnv.js';

/** A 32-bit digest of the image's state (its snapshot bytes; the provenance is not part of it). */
export function imageDigest(image: MetadataImage): number {
  let h = FNV_OFFSET_BASIS;
  for (const chunk of writeSnapshot(image)) h = fnv1a(h, chunk);
  return h;
}

export class ImageAgreement {
  /** The first digest reported at each end offset, and by whom. */
  private readonly first = new Map<number, { readonly nodeId: number; readonly digest: number }>();

  /** A violation when another node's image at this end offset was a different state; null otherwise. */
  check(nodeId: number, image: MetadataImage): string | null {
    const end = image.provenance.endOffset;
    const digest = imageDigest(image);
    const first = this.first.get(end);
    if (first === undefined) {
      this.first.set(end, { nodeId, digest });
      return null;
    }
    if (first.digest === digest) return null;
    return `committed images differ at end offset ${end}: node ${first.nodeId} made state ${hex(first.digest)}, node ${nodeId} made ${hex(digest)} of the same records`;
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
