// The controller's bounds (DESIGN §10), beside the quorum's in quorum/limits.ts.

export const controllerLimits = {
  /** Events (operations, timers) waiting in the controller's queue before callers get CONTROLLER_BUSY. */
  eventQueueMax: 10_000,
  /** Offset commits lingering before they are flushed early as one proposal. */
  lingeringOffsetCommitsMax: 5_000,
  /** Expired sessions fenced per check (one operation each); the rest wait for the next check. */
  fencingsPerCheckMax: 100,
  /** How often the active controller looks for leaderless partitions it may elect uncleanly. */
  uncleanElectionCheckIntervalMs: 5_000,
  /** Operations waiting for the high watermark to pass what their answer was based on. */
  commitWaitersMax: 100_000,
  /**
   * PartitionChange records one controlled-shutdown heartbeat may write while the broker's
   * partitions are moved off it in steps (cluster/heartbeat.ts). A broker in the ISRs of 2,000,000
   * partitions needs 2,000,000 records: written as one operation they kept the active controller's
   * event loop busy for longer than the followers' fetch timeout, so a new controller was elected,
   * which got the same heartbeat and was deposed in turn (measured by bench:scale). A step of this
   * size is one proposal (the default maxRecordsPerOperation), so it is never a transaction that
   * the controller computes twice; on a busy 2-core machine it takes ~100-300 ms.
   */
  controlledShutdownMovesPerStepMax: 10_000,
  /**
   * An import session (migration/import-metadata.ts) with no step for this long is aborted: the
   * command that opened it died or lost its connection, and every other write waits while one is
   * open. The client sends its next part as soon as the last one committed.
   */
  importIdleTimeoutMs: 30_000,
  /** An import's abort that Raft refused for now (back-pressure) is tried again after this long. */
  importAbortRetryMs: 1_000,
  /** After a failed snapshot, the next attempt waits at least this long. */
  snapshotRetryBackoffMs: 10_000,
} as const;
