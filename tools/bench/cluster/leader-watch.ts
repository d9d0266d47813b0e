// Watching the survivors of a failover trial for the new leader (bench:cluster, bench:vs-zk): one
// poll loop per survivor, each asking "who leads now?" every `everyMs`, until one names a new
// leader or the watch is stopped. Records when that was first seen and who it was.

import { now, sleep } from './bench-cluster.js';

export class LeaderWatch {
  /** When a survivor first named a new leader (performance.now()), NaN until then. */
  at = NaN;
  leader: number | null = null;
  private watching = true;
  private readonly loops: Promise<void>;

  /** `probes`: one per survivor, resolving with the new leader it names, or null (a failure counts as null). */
  constructor(probes: readonly (() => Promise<number | null>)[], everyMs: number) {
    this.loops = Promise.all(
      probes.map(async (probe) => {
        while (this.watching && !Number.isFinite(this.at)) {
          const id = await probe().catch(() => null);
          if (id !== null && !Number.isFinite(this.at)) {
            this.at = now();
            this.leader = id;
          }
          await sleep(everyMs);
        }
      }),
    ).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.watching = false;
    await this.loops;
  }
}
