// Waits, event-driven, until this broker's metadata image satisfies a condition (or a deadline
// passes). Used for read-your-writes: a broker that forwarded a topic write to the controller
// answers the client only once its own image shows the write, so the client's next Metadata
// request to the same broker (kafkajs's createTopics polls it for leaders) already sees it; a
// broker that is still catching up (just after a controller failover, say) would otherwise answer
// UNKNOWN_TOPIC_OR_PARTITION for a topic it just reported created.
//
// Once closed (the broker stopping) no image comes any more: a wait asked for then is answered at
// once from the last image, so no timer outlives the broker.

import type { Clock } from '../quorum/env/index.js';
import type { MetadataImageView } from '../metadata-log/image-types.js';
import type { MetadataSource } from './metadata-follower.js';

interface Waiter {
  readonly test: (image: MetadataImageView) => boolean;
  readonly done: (met: boolean) => void;
}

export class ImageWatch {
  private readonly waiters = new Set<Waiter>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly source: MetadataSource,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = source.addMetadataListener((_delta, image) => {
      for (const w of [...this.waiters]) if (w.test(image)) w.done(true);
    });
  }

  /** true once the image satisfies `test` (at once if it already does); false at the deadline. */
  until(test: (image: MetadataImageView) => boolean, timeoutMs: number): Promise<boolean> {
    if (test(this.source.image)) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        test,
        done: (met) => {
          if (!this.waiters.delete(waiter)) return;
          cancel();
          resolve(met);
        },
      };
      const cancel = this.clock.setTimer(timeoutMs, () => waiter.done(false));
      this.waiters.add(waiter);
    });
  }

  /** Every waiter is answered false (shutdown); later ones are answered at once. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const w of [...this.waiters]) w.done(false);
  }
}
