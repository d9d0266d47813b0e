// An active QuorumController in one process, over a Raft that commits each append at once (or
// refuses it, or holds it), for controller tests that need the whole execute path (soft state
// saved and restored around an append Raft refuses, transactions) without a simulated quorum.

import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import { METADATA_VERSION_FEATURE, type MetadataRecord } from '../../metadata-log/records/types.js';
import { controllerConfig, type ControllerConfig } from '../../quorum/controller/config.js';
import { QuorumController } from '../../quorum/controller/quorum-controller.js';
import { silentLogger } from '../../quorum/env/index.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { ProposalRejectedError, type AppendedProposal, type RaftClient } from '../../quorum/runtime/api.js';
import { ManualClock } from './manual-clock.js';
import { Prng } from '../../quorum/sim/prng.js';

/** A leader's Raft that commits every append at once (applying it to the controller), unless told to refuse. */
export class InstantRaft {
  readonly log: LogBatch[] = [];
  refuse = 0;
  /** While set, appends wait here for release() instead of committing on the next turn. */
  held: (() => void)[] | null = null;
  constructor(private readonly controller: QuorumController) {}

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const commit of held) commit();
  }

  nextOffset(): number {
    const last = this.log.at(-1);
    return last === undefined ? 0 : last.baseOffset + last.records.length;
  }

  appendAll(proposals: readonly (readonly Uint8Array[])[]): AppendedProposal {
    if (this.refuse > 0) {
      this.refuse--;
      throw new ProposalRejectedError('BACKPRESSURE', 'too much appended and not yet committed');
    }
    const base = this.nextOffset();
    const batches = proposals.map((records, i) => ({ baseOffset: base + proposals.slice(0, i).reduce((n, p) => n + p.length, 0), epoch: 1, appendTimeMs: 0, records: [...records] }));
    this.log.push(...batches);
    const lastOffset = this.nextOffset() - 1;
    // Committed on the next turn, as a leader's own append is after the followers acknowledge it.
    const held = this.held;
    const acknowledged = held === null ? Promise.resolve() : new Promise<void>((resolve) => held.push(resolve));
    const committed = acknowledged.then(() => {
      this.controller.apply(batches);
      return { offset: lastOffset, epoch: 1 };
    });
    return { baseOffset: base, lastOffset, epoch: 1, committed };
  }

  leader() {
    return { epoch: 1, leaderId: 1 };
  }

  types(): string[] {
    return this.log.flatMap((b) => b.records.map((r) => decodeRecord(r).type));
  }
}

/** A controller active in epoch 1 whose committed log holds metadata.version 7 and `records`. */
export async function activeController(
  cluster: string,
  records: readonly MetadataRecord[] = [],
  config: Partial<Omit<ControllerConfig, 'clusterId'>> = {},
): Promise<{ c: QuorumController; raft: InstantRaft; clock: ManualClock }> {
  const clock = new ManualClock();
  // A seeded generator, not a constant: topic ids are drawn until one is new.
  const c = new QuorumController({ nodeId: 1, clock, random: new Prng(1), logger: silentLogger, config: controllerConfig(cluster, { noOpIntervalMs: 0, ...config }), verifyRecords: true });
  const raft = new InstantRaft(c);
  c.raft = raft as unknown as RaftClient;
  c.onLeaderChange({ epoch: 1, leaderId: 1 });
  const first: MetadataRecord = { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: 7 };
  // The log starts with metadata.version and `records`, committed.
  raft.log.push({ baseOffset: 0, epoch: 1, appendTimeMs: 0, records: [first, ...records].map(encodeRecord) });
  c.apply(raft.log);
  await new Promise((r) => setImmediate(r));
  if (!c.isActive) throw new Error('activeController: the controller did not become active');
  return { c, raft, clock };
}

