// A broker's MetadataSource (broker/metadata-follower.ts) that a test drives by hand: append()
// replays records into a real MetadataDelta on the last image and publishes it, as the loader
// does for committed batches; loadSnapshot() publishes a delta from the empty image, as the
// loader does for a snapshot installed after falling behind.

import type { MetadataSource } from '../../broker/metadata-follower.js';
import { MetadataDelta } from '../../metadata-log/delta.js';
import { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';

export class ManualMetadataSource implements MetadataSource {
  private readonly listeners: MetadataListener[] = [];
  image: MetadataImage = MetadataImage.EMPTY;

  addMetadataListener(listener: MetadataListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** The records committed after the last image. */
  append(...records: MetadataRecord[]): MetadataImage {
    return this.publish(new MetadataDelta(this.image), records);
  }

  /** A snapshot holding just `records` replaces the image. */
  loadSnapshot(...records: MetadataRecord[]): MetadataImage {
    return this.publish(new MetadataDelta(MetadataImage.EMPTY), records);
  }

  private publish(delta: MetadataDelta, records: readonly MetadataRecord[]): MetadataImage {
    for (const r of records) delta.replay(r);
    const endOffset = this.image.provenance.endOffset + Math.max(1, records.length);
    this.image = delta.apply({ endOffset, epoch: 1 });
    for (const l of [...this.listeners]) l(delta, this.image);
    return this.image;
  }
}
