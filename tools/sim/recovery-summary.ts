// A seed sweep's recovery after healing (run.ts's liveness phase), summed up for sim-cli: a slow
// election breaks no invariant (the liveness bound is 30 s), so the sweep shows the distribution
// and names the slowest seeds, to be replayed and explained.

import { percentile } from '../bench/stats.js';
import type { RecoveryTimes } from '../../quorum/sim/run.js';

/** One seed's outcome, as far as recovery goes (null: the run failed before recovering). */
export interface SeedRecovery {
  readonly seed: number;
  readonly voters: number;
  readonly recovery: RecoveryTimes | null;
}

type RecoveryStage = keyof RecoveryTimes;
const STAGES: readonly RecoveryStage[] = ['leaderMs', 'commitMs', 'convergedMs'];
/** How many of the slowest seeds the summary names. */
const SLOWEST_SHOWN = 5;

interface StageSummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface RecoverySummary {
  readonly seeds: number;
  readonly leaderMs: StageSummary;
  readonly commitMs: StageSummary;
  readonly convergedMs: StageSummary;
  /** The seeds slowest to commit a fresh proposal after healing, slowest first. */
  readonly slowest: readonly ({ readonly seed: number; readonly voters: number } & RecoveryTimes)[];
}

export function recoverySummary(outcomes: readonly SeedRecovery[]): RecoverySummary | null {
  const timed = outcomes.filter((x): x is typeof x & { recovery: RecoveryTimes } => x.recovery !== null);
  if (timed.length === 0) return null;
  const perStage = <T>(f: (k: RecoveryStage) => T) => Object.fromEntries(STAGES.map((k) => [k, f(k)])) as Record<RecoveryStage, T>;
  const stages = perStage((k): StageSummary => {
    const xs = timed.map((x) => x.recovery[k]);
    return { p50: Math.round(percentile(xs, 0.5)), p99: Math.round(percentile(xs, 0.99)), max: Math.round(Math.max(...xs)) };
  });
  const slowest = [...timed]
    .sort((a, b) => b.recovery.commitMs - a.recovery.commitMs || a.seed - b.seed)
    .slice(0, SLOWEST_SHOWN)
    .map((x) => ({ seed: x.seed, voters: x.voters, ...perStage((k) => Math.round(x.recovery[k])) }));
  return { seeds: timed.length, ...stages, slowest };
}

export function formatRecovery(r: RecoverySummary): string {
  const label: Record<RecoveryStage, string> = { leaderMs: 'leader', commitMs: 'fresh commit', convergedMs: 'all applied' };
  const stages = STAGES.map((k) => `${label[k]} p50 ${r[k].p50} / p99 ${r[k].p99} / max ${r[k].max} ms`).join('; ');
  const slowest = r.slowest.map((x) => `${x.seed} (${x.voters} voters: ${x.commitMs} ms)`).join(', ');
  return `recovery after healing, simulated, ${r.seeds} seeds: ${stages}; slowest to commit: ${slowest}`;
}
