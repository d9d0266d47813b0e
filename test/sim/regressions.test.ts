// Runs that once failed, kept as named scenarios (DESIGN §5: a seed that ever failed becomes a
// named scenario). Each names the bug it caught. The options are written out in full (not derived
// from the seed) so a change to deriveOptions cannot silently turn a regression into another run;
// `node dist/tools/sim-cli.js --replay '<options json>'` replays one with the driver's log tail.
// Options added later are written into the old records with the value that reproduces the run as
// it was found (observerFetchIntervalMs: 0, brokers fetching again at once; initialControllers:
// false, voter directories trusted on first use).
import { describe, expect, it } from 'vitest';
import { formatFailure, runSimulation } from '../../quorum/sim/run.js';
import type { SimOptions } from '../../quorum/sim/sim-options.js';

const cases: { readonly name: string; readonly options: SimOptions }[] = [
  {
    // Pre-vote: a Prospective voter went back to following the dead leader whenever a peer's pre-vote
    // answer named it (even a granted one), so the survivors never elected anyone.
    name: "(voters=3, observers=1) leader crashed and left down in the liveness phase: the survivors elect a successor",
    options: {"seed": 331, "voters": 3, "observers": 1, "safetyMs": 17833, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.9753032612148672, "delayMaxMs": 6.741390163218602, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 20, "inFlightAppliedProbability": 0.8075935014057904, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 1000, "weights": {"crash": 3, "gracefulStop": 2, "pause": 2, "partition": 0, "oneWay": 2, "slowFsync": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 48, "recordsPerProposalMax": 1, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 1000, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    name: "(voters=5, observers=2) leader crashed and left down, lossy network: the survivors elect a successor",
    options: {"seed": 332, "voters": 5, "observers": 2, "safetyMs": 11356, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 1.7728566041681915, "delayMaxMs": 9.799381910217926, "dropProbability": 0.026765848184004428, "duplicateProbability": 0.032269693154376, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 20, "inFlightAppliedProbability": 0.033061757450923324, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 500, "weights": {"crash": 4, "gracefulStop": 1, "pause": 2, "partition": 2, "oneWay": 1, "slowFsync": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.033943904633633795, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 1, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 59, "recordsPerProposalMax": 4, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 50, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // The driver's light lane handed committed batches to the state machine ahead of an earlier
    // Ready's committed batches that were still waiting behind that Ready's I/O.
    name: "(voters=3, observers=3) crashes and partitions: committed batches reach the state machine in offset order",
    options: {"seed": 40, "voters": 3, "observers": 3, "safetyMs": 16669, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 1.044558078981936, "delayMaxMs": 9.714620536658913, "dropProbability": 0, "duplicateProbability": 0.017603038786910476, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 0.6256697215139866, "volatileSurvivesProbability": 0.7502849593292922}, "faults": {"meanIntervalMs": 4000, "weights": {"crash": 3, "gracefulStop": 0, "pause": 1, "partition": 3, "oneWay": 0, "slowFsync": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 37, "recordsPerProposalMax": 4, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 200, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // A timer firing exactly at its deadline: nextDeadlineMs() said due (sentMs + timeout <= now) while
    // the tick's check (now - sentMs < timeout) said not yet, in floating point; the driver re-armed a
    // 0 ms timer forever at one simulated instant.
    name: "(voters=3, observers=2) timers that fire exactly on their deadline do not spin",
    options: {"seed": 21, "voters": 3, "observers": 2, "safetyMs": 15540, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": false, "network": {"delayMinMs": 0.8123067550361156, "delayMaxMs": 7.194230127427727, "dropProbability": 0.023345198249444366, "duplicateProbability": 0.0377719596028328, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 1, "inFlightAppliedProbability": 0.6174946799874306, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 4000, "weights": {"crash": 3, "gracefulStop": 0, "pause": 0, "partition": 3, "oneWay": 0, "slowFsync": 1}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 0, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 2}, "workload": {"clients": 2, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 14, "recordsPerProposalMax": 2, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 0, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // Snapshot install on a follower whose divergent batch straddles the snapshot end: the core asked
    // for truncateFrom(52) inside the batch at 51 (and deletePrefix(52) keeps that batch).
    name: "(voters=5, observers=1) a follower installs a snapshot over a divergent batch that straddles its end",
    options: {"seed": 131946046, "voters": 5, "observers": 1, "safetyMs": 8179, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 1.9999999999999993, "delayMaxMs": 1.9999999999999993, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 6.231749504690914e-41, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 800, "weights": {"crash": 3, "gracefulStop": 2, "pause": 0, "partition": 4, "oneWay": 4, "slowFsync": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.01, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 1}, "workload": {"clients": 2, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 38, "recordsPerProposalMax": 2, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // A snapshot deleted (log start moved, snapshotsRetained=1) while a follower was downloading it:
    // the leader's snapshot read threw and the driver halted on a fatal error.
    name: "(voters=5, observers=3) a snapshot is deleted while a follower downloads it",
    options: {"seed": 2107720927, "voters": 5, "observers": 3, "safetyMs": 7301, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.20593106742337525, "delayMaxMs": 0.20593106742337525, "dropProbability": 3e-323, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 0.999999999999999, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 3000, "weights": {"crash": 0, "gracefulStop": 1, "pause": 0, "partition": 1, "oneWay": 1, "slowFsync": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 1}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 27, "recordsPerProposalMax": 3, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    name: "(voters=1, observers=3) observers download snapshots while the lone voter keeps taking new ones",
    options: {"seed": 611909253, "voters": 1, "observers": 3, "safetyMs": 6252, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.4483482268070467, "delayMaxMs": 0.4483493334355975, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 5e-324, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 400, "weights": {"crash": 0, "gracefulStop": 1, "pause": 2, "partition": 1, "oneWay": 2, "slowFsync": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.01, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 0, "snapshotsRetained": 1}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 33, "recordsPerProposalMax": 3, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // The simulated quorum-state store kept epoch, leader and vote but dropped the voter-directory map
    // (the real file keeps it): a voter restarted after its log prefix was dropped forgot every
    // directory, counted the vote of a wiped voter that had voted for another candidate in that
    // epoch, and a second leader was elected in epoch 2.
    name: "(voters=3, observers=1) a restarted voter still knows the wiped voter's old directory: no second leader in an epoch",
    options: {"seed": 900042, "voters": 3, "observers": 1, "safetyMs": 19672, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": false, "network": {"delayMinMs": 0.4732956026680767, "delayMaxMs": 6.021363899298012, "dropProbability": 0.032208599825389685, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 5, "inFlightAppliedProbability": 0.24066884047351778, "volatileSurvivesProbability": 0.7632944050710648}, "faults": {"meanIntervalMs": 1000, "weights": {"crash": 0, "gracefulStop": 2, "pause": 2, "partition": 0, "oneWay": 2, "slowFsync": 1, "wipe": 1}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.03254706277512014, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 5, "snapshotsRetained": 2}, "workload": {"clients": 1, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 19, "recordsPerProposalMax": 3, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 50, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // The wipe fault checked that the other voters held as many offsets as were committed, not the
    // same records: it wiped one of the two voters holding the committed tail while the third held a
    // diverged tail of the same length, not yet truncated (a double fault the quorum cannot survive).
    name: "(voters=3, observers=3) a disk is replaced only while a majority of the others hold the committed records themselves",
    options: {"seed": 144, "voters": 3, "observers": 3, "safetyMs": 13816, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": false, "network": {"delayMinMs": 0.8030721087474375, "delayMaxMs": 6.300779826333747, "dropProbability": 0.04223673350643367, "duplicateProbability": 0.009860401996411383, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 20, "inFlightAppliedProbability": 0.11446484201587737, "volatileSurvivesProbability": 0.38386673550121486}, "faults": {"meanIntervalMs": 1000, "weights": {"crash": 0, "gracefulStop": 2, "pause": 1, "partition": 1, "oneWay": 2, "slowFsync": 0, "wipe": 1}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.04419399324106053, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 5, "snapshotsRetained": 1}, "workload": {"clients": 1, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 27, "recordsPerProposalMax": 1, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 200, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // Liveness: a wiped voter was re-admitted, but the record had not reached it when the leader
    // stepped down and the third voter went down. Its own log still said "replaced", so it refused
    // the candidate whose log counted it: no leader for good. (Found with the connection-reset fault.)
    name: "(voters=3, observers=0) a re-admitted voter whose log lags its re-admission votes for a candidate that counts it",
    options: {"seed": 301462, "voters": 3, "observers": 0, "safetyMs": 13857, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 0.30243384526111183, "delayMaxMs": 2.7712262572254986, "dropProbability": 0.01758162659825757, "duplicateProbability": 0.031407772062812, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 1, "inFlightAppliedProbability": 0.8584143235348165, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 500, "weights": {"crash": 2, "gracefulStop": 2, "pause": 0, "partition": 0, "oneWay": 0, "slowFsync": 0, "wipe": 1, "reset": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 5, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 47, "recordsPerProposalMax": 2, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 1000, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // The election backoff after a refused round was min(100 ms x rand(2^retries), 1000): once the
    // retries grew, 1000 ms nearly every time. Three candidates whose refusals arrived together
    // (a wiped voter awaiting re-admission refused them all) waited the same 1000 ms and stood
    // together again every round; over a 450 ms link (a round trip below the election timeout)
    // none got ahead by a one-way delay, and no leader was elected in 30 s. Found by a slow-link
    // sweep (one-way 20-25% of the request timeout, above the 10-20% the seed sweeps draw).
    name: "(voters=5, observers=2) slow link (one-way 450 ms), a wiped voter refusing every candidate: candidates that lost together do not stand together forever",
    options: {"seed": 7600110, "voters": 5, "observers": 2, "safetyMs": 10488, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": true, "network": {"delayMinMs": 451.734249596484, "delayMaxMs": 461.1745180981234, "dropProbability": 0, "duplicateProbability": 0.010472942469641568, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 0.9754151981323957, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 1000, "weights": {"crash": 0, "gracefulStop": 1, "pause": 3, "partition": 0, "oneWay": 0, "slowFsync": 0, "wipe": 1, "reset": 0}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0, "clockOffsetMaxMs": 0, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 2, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 15, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 45, "recordsPerProposalMax": 1, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 200, "initialControllers": true, "maxEvents": 2000000},
  },
  {
    // The simulator's own gate (not the system): a disk was replaced only when the leader's log
    // counted every voter by its current directory, but the leader's whole log, so a re-admission
    // it had appended and not yet made durable or replicated passed the gate. The leader itself was
    // then wiped, taking the re-admission with it: two voters of three counting for nothing in every
    // surviving log, which no quorum survives. The gate now reads the committed records only.
    name: "(voters=3, observers=3) a disk is replaced only once the previous replacement's re-admission is committed",
    options: {"seed": 1071410, "voters": 3, "observers": 3, "safetyMs": 18118, "livenessBoundMs": 30000, "livenessLeaveMinorityDown": false, "network": {"delayMinMs": 0.7727869845228269, "delayMaxMs": 3.5655836237827314, "dropProbability": 0, "duplicateProbability": 0, "peerLostDelayMs": 5, "serialize": false}, "disk": {"writeLatencyMinMs": 0.01, "writeLatencyMaxMs": 0.2, "fsyncLatencyMinMs": 0.1, "fsyncLatencyMaxMs": 50, "inFlightAppliedProbability": 0.27229769504629076, "volatileSurvivesProbability": 0}, "faults": {"meanIntervalMs": 500, "weights": {"crash": 1, "gracefulStop": 2, "pause": 3, "partition": 1, "oneWay": 0, "slowFsync": 2, "wipe": 1, "reset": 2}, "downMinMs": 200, "downMaxMs": 4000, "faultMinMs": 200, "faultMaxMs": 5000, "slowFsyncMaxMs": 50}, "clockRateDelta": 0.044006845704279846, "clockOffsetMaxMs": 1000000, "timerLatenessMaxMs": 1, "timerEarlinessMaxMs": 0, "raft": {"electionTimeoutMs": 1000, "fetchTimeoutMs": 2000, "electionBackoffMaxMs": 1000, "requestTimeoutMs": 2000, "fetchMaxWaitMs": 500, "observerFetchIntervalMs": 15, "snapshotsRetained": 2}, "workload": {"clients": 3, "proposeIntervalMinMs": 5, "proposeIntervalMaxMs": 42, "recordsPerProposalMax": 2, "maxInFlight": 4, "clientTimeoutMs": 5000}, "snapshotEveryRecords": 25, "initialControllers": false, "maxEvents": 2000000},
  },
  {
    // A leader cut off from the majority resigned (check-quorum), then, standing for election as
    // Prospective, reported itself as the leader again (it kept its own id in memory, as the
    // persisted state must): its driver logged a leader change to itself and NotLeaderError hinted
    // at itself. Caught by onlyALeaderReportsItself (found by a review, 2026-11-24).
    name: "(voters=3, observers=3) partitions and pauses: a resigned leader standing again does not report itself as the leader",
    options: {"seed":1,"voters":3,"observers":3,"safetyMs":16697,"livenessBoundMs":30000,"livenessLeaveMinorityDown":true,"network":{"delayMinMs":0.9746709014521912,"delayMaxMs":24.148482036800125,"dropProbability":0.009536153031513096,"duplicateProbability":0.04620407823240385,"peerLostDelayMs":5,"serialize":false},"disk":{"writeLatencyMinMs":0.01,"writeLatencyMaxMs":0.2,"fsyncLatencyMinMs":0.1,"fsyncLatencyMaxMs":50,"inFlightAppliedProbability":0.1408136177342385,"volatileSurvivesProbability":0},"faults":{"meanIntervalMs":500,"weights":{"crash":0,"gracefulStop":2,"pause":3,"partition":3,"oneWay":2,"slowFsync":2,"wipe":1,"reset":0},"downMinMs":200,"downMaxMs":4000,"faultMinMs":200,"faultMaxMs":5000,"slowFsyncMaxMs":50},"clockRateDelta":0.007950950262602419,"clockOffsetMaxMs":1000000,"timerLatenessMaxMs":1,"timerEarlinessMaxMs":0,"raft":{"electionTimeoutMs":1000,"fetchTimeoutMs":2000,"electionBackoffMaxMs":1000,"requestTimeoutMs":2000,"fetchMaxWaitMs":500,"observerFetchIntervalMs":5,"snapshotsRetained":2},"workload":{"clients":3,"proposeIntervalMinMs":5,"proposeIntervalMaxMs":17,"recordsPerProposalMax":2,"maxInFlight":4,"clientTimeoutMs":5000},"snapshotEveryRecords":1000,"initialControllers":true,"maxEvents":2000000},
  },
];

describe('simulator regressions', () => {
  it.each(cases)('$name', async ({ options }) => {
    const r = await runSimulation(options);
    expect(r.violations, formatFailure(r)).toEqual([]);
  }, 60_000);
});

// Runs that broke nothing but recovered slowly: each bounds, in simulated time, how long the
// liveness phase waited for a leader after healing (RecoveryTimes; sim-cli's sweep summary names
// the slowest seeds). Deterministic, so the bound is a fact about the code, not about the machine.
const slowRecoveries: { readonly name: string; readonly leaderWithinMs: number; readonly options: SimOptions }[] = [
  {
    // A lone voter restarted after leading came back Resigned and waited out an election timeout
    // (1-2 s here) before standing; Kafka's stands at once. 2,085 ms to a fresh commit before.
    name: "(voters=1) a lone voter restarted after leading leads again at once",
    leaderWithinMs: 100,
    options: {"seed":1090145,"voters":1,"observers":0,"safetyMs":13294,"livenessBoundMs":30000,"livenessLeaveMinorityDown":false,"network":{"delayMinMs":261.16469861008227,"delayMaxMs":269.89625117741525,"dropProbability":0,"duplicateProbability":0,"peerLostDelayMs":5,"serialize":false},"disk":{"writeLatencyMinMs":0.01,"writeLatencyMaxMs":0.2,"fsyncLatencyMinMs":0.1,"fsyncLatencyMaxMs":50,"inFlightAppliedProbability":0.041352226166054606,"volatileSurvivesProbability":0.22724813339300454},"faults":{"meanIntervalMs":2000,"weights":{"crash":3,"gracefulStop":0,"pause":1,"partition":1,"oneWay":0,"slowFsync":2,"wipe":1,"reset":0},"downMinMs":200,"downMaxMs":4000,"faultMinMs":200,"faultMaxMs":5000,"slowFsyncMaxMs":50},"clockRateDelta":0,"clockOffsetMaxMs":0,"timerLatenessMaxMs":1,"timerEarlinessMaxMs":0,"raft":{"electionTimeoutMs":1000,"fetchTimeoutMs":2000,"electionBackoffMaxMs":1000,"requestTimeoutMs":2000,"fetchMaxWaitMs":500,"observerFetchIntervalMs":5,"snapshotsRetained":2},"workload":{"clients":1,"proposeIntervalMinMs":5,"proposeIntervalMaxMs":23,"recordsPerProposalMax":1,"maxInFlight":4,"clientTimeoutMs":5000},"snapshotEveryRecords":1000,"initialControllers":true,"maxEvents":2000000},
  },
  {
    // Pre-vote answers counted only from voters in the prospective's own epoch: a voter restarted
    // (or cut off while the epochs moved on) answered from its older epoch, so with two of five
    // voters down its grant was dropped and no one was elected until it learnt the epoch from its
    // own fetch timeout and pre-vote: 3,408 ms without a leader after healing. Answers now echo
    // the pre-vote round and count by it.
    name: "(voters=5, observers=0) two voters down: a voter still in an older epoch counts towards a pre-vote",
    leaderWithinMs: 1000,
    options: {"seed":1110464,"voters":5,"observers":0,"safetyMs":18725,"livenessBoundMs":30000,"livenessLeaveMinorityDown":true,"network":{"delayMinMs":1.805759718734771,"delayMaxMs":2.3811000414192676,"dropProbability":0,"duplicateProbability":0.014737297629471869,"peerLostDelayMs":5,"serialize":true},"disk":{"writeLatencyMinMs":0.01,"writeLatencyMaxMs":0.2,"fsyncLatencyMinMs":0.1,"fsyncLatencyMaxMs":1,"inFlightAppliedProbability":0.04573038057424128,"volatileSurvivesProbability":0},"faults":{"meanIntervalMs":500,"weights":{"crash":2,"gracefulStop":0,"pause":2,"partition":3,"oneWay":0,"slowFsync":2,"wipe":1,"reset":0},"downMinMs":200,"downMaxMs":4000,"faultMinMs":200,"faultMaxMs":5000,"slowFsyncMaxMs":50},"clockRateDelta":0.03793675306951627,"clockOffsetMaxMs":0,"timerLatenessMaxMs":1,"timerEarlinessMaxMs":20,"raft":{"electionTimeoutMs":1000,"fetchTimeoutMs":2000,"electionBackoffMaxMs":1000,"requestTimeoutMs":2000,"fetchMaxWaitMs":500,"observerFetchIntervalMs":0,"snapshotsRetained":2},"workload":{"clients":3,"proposeIntervalMinMs":5,"proposeIntervalMaxMs":43,"recordsPerProposalMax":4,"maxInFlight":4,"clientTimeoutMs":5000},"snapshotEveryRecords":1000,"initialControllers":false,"maxEvents":2000000},
  },
];

describe('simulator regressions: recovery after healing', () => {
  it.each(slowRecoveries)('$name', async ({ options, leaderWithinMs }) => {
    const r = await runSimulation(options);
    expect(r.violations, formatFailure(r)).toEqual([]);
    expect(r.stats.recovery).not.toBeNull();
    expect(r.stats.recovery!.leaderMs).toBeLessThanOrEqual(leaderWithinMs);
  }, 60_000);
});
