// Runs that once failed, kept as named scenarios (DESIGN §5: a seed that ever failed becomes a
// named scenario). Each names the bug it caught. The options are written out in full (not derived
// from the seed) so a change to deriveOptions cannot silently turn a regression into another run;
// `node dist/tools/sim-cli.js --replay '<options json>'` replays one with the driver's log tail.
// Options added later are written into the old records with the value that reproduces the run as
// it was found (observerFetchIntervalMs: 0, brokers fetching again at once).
import { describe, expect, it } from 'vitest';
import { formatFailure, runSimulation } from '../../quorum/sim/run.js';
import type { SimOptions } from '../../quorum/sim/sim-options.js';

const cases: { readonly name: string; readonly options: SimOptions }[] = [
  {
    // Pre-vote: a Prospective voter went back to following the dead leader whenever a peer's pre-vote
    // answer named it (even a granted one), so the survivors never elected anyone.
    name: "(voters=3, observers=1) leader crashed and left down in the liveness phase: the survivors elect a successor",
    options: {"seed": 331, "voters": 3, "observers": 1, "safetyMs": 17833, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.9753032612148672, "delayMaxMs": 6.741390163218602, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 20, "inFlightAppliedProbability": 0.8075935014057904, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 1000, "weights": {"crash": 3, "gracefulStop": 2, "pause": 2, "partition": 0, "oneWay": 2, "slowFsync": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 48, "recordsPerProposalMax": 1, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 1000, "maxEvents": 2000000},
  },
  {
    name: "(voters=5, observers=2) leader crashed and left down, lossy network: the survivors elect a successor",
    options: {"seed": 332, "voters": 5, "observers": 2, "safetyMs": 11356, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 1.7728566041681915, "delayMaxMs": 9.799381910217926, "dropProbability": 0.026765848184004428, "duplicateProbability": 0.032269693154376, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 20, "inFlightAppliedProbability": 0.033061757450923324, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 500, "weights": {"crash": 4, "gracefulStop": 1, "pause": 2, "partition": 2, "oneWay": 1, "slowFsync": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.033943904633633795, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 1, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 59, "recordsPerProposalMax": 4, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 50, "maxEvents": 2000000},
  },
  {
    // The driver's light lane handed committed batches to the state machine ahead of an earlier
    // Ready's committed batches that were still waiting behind that Ready's I/O.
    name: "(voters=3, observers=3) crashes and partitions: committed batches reach the state machine in offset order",
    options: {"seed": 40, "voters": 3, "observers": 3, "safetyMs": 16669, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 1.044558078981936, "delayMaxMs": 9.714620536658913, "dropProbability": 0, "duplicateProbability": 0.017603038786910476, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 0.6256697215139866, "volatileSurvivesProbability": 0.7502849593292922}, "faults": {"meanIntervalMs": 4000, "weights": {"crash": 3, "gracefulStop": 0, "pause": 1, "partition": 3, "oneWay": 0, "slowFsync": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 37, "recordsPerProposalMax": 4, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 200, "maxEvents": 2000000},
  },
  {
    // A timer firing exactly at its deadline: nextDeadlineMs() said due (sentMs + timeout <= now) while
    // the tick's check (now - sentMs < timeout) said not yet, in floating point; the driver re-armed a
    // 0 ms timer forever at one simulated instant.
    name: "(voters=3, observers=2) timers that fire exactly on their deadline do not spin",
    options: {"seed": 21, "voters": 3, "observers": 2, "safetyMs": 15540, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": false, "network": {"delayMinMs": 0.8123067550361156, "delayMaxMs": 7.194230127427727, "dropProbability": 0.023345198249444366, "duplicateProbability": 0.0377719596028328, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 1, "inFlightAppliedProbability": 0.6174946799874306, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 4000, "weights": {"crash": 3, "gracefulStop": 0, "pause": 0, "partition": 3, "oneWay": 0, "slowFsync": 1}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 2, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 14, "recordsPerProposalMax": 2, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 0, "maxEvents": 2000000},
  },
  {
    // Snapshot install on a follower whose divergent batch straddles the snapshot end: the core asked
    // for truncateFrom(52) inside the batch at 51 (and deletePrefix(52) keeps that batch).
    name: "(voters=5, observers=1) a follower installs a snapshot over a divergent batch that straddles its end",
    options: {"seed": 131946046, "voters": 5, "observers": 1, "safetyMs": 8179, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 1.9999999999999993, "delayMaxMs": 1.9999999999999993, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 6.231749504690914e-41, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 800, "weights": {"crash": 3, "gracefulStop": 2, "pause": 0, "partition": 4, "oneWay": 4, "slowFsync": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.01, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 1}, "workload": {"clients": 2, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 38, "recordsPerProposalMax": 2, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "maxEvents": 2000000},
  },
  {
    // A snapshot deleted (log start moved, snapshotsRetained=1) while a follower was downloading it:
    // the leader's snapshot read threw and the driver halted on a fatal error.
    name: "(voters=5, observers=3) a snapshot is deleted while a follower downloads it",
    options: {"seed": 2107720927, "voters": 5, "observers": 3, "safetyMs": 7301, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.20593106742337525, "delayMaxMs": 0.20593106742337525, "dropProbability": 3e-323, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 0.999999999999999, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 3000, "weights": {"crash": 0, "gracefulStop": 1, "pause": 0, "partition": 1, "oneWay": 1, "slowFsync": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 1}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 27, "recordsPerProposalMax": 3, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "maxEvents": 2000000},
  },
  {
    name: "(voters=1, observers=3) observers download snapshots while the lone voter keeps taking new ones",
    options: {"seed": 611909253, "voters": 1, "observers": 3, "safetyMs": 6252, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.4483482268070467, "delayMaxMs": 0.4483493334355975, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 5e-324, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 400, "weights": {"crash": 0, "gracefulStop": 1, "pause": 2, "partition": 1, "oneWay": 2, "slowFsync": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.01, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 1}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 33, "recordsPerProposalMax": 3, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "maxEvents": 2000000},
  },
];

describe('simulator regressions', () => {
  it.each(cases)('$name', async ({ options }) => {
    const r = await runSimulation(options);
    expect(r.violations, formatFailure(r)).toEqual([]);
  }, 60_000);
});
