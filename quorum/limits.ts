// Every bound of the quorum in one place (DESIGN §10): queues, batches, frames and loops.
// A full queue answers with back-pressure; it never grows past its bound.

export const limits = {
  /** Records one proposal may carry (Kafka: MAX_RECORDS_PER_BATCH). */
  recordsPerProposalMax: 10_000,
  /** Bytes of one proposal; larger is refused as BATCH_TOO_LARGE. */
  proposalBytesMax: 8 * 1024 * 1024,
  /** A sealed batch is closed once it holds this many bytes or records. */
  batchBytesMax: 1024 * 1024,
  batchRecordsMax: 10_000,
  /**
   * Records proposed but not yet committed before new proposals are refused with BACKPRESSURE.
   * Large enough for one controller operation at 1M partitions (fencing a broker that is in the ISR
   * of 750,000 partitions writes 750,000 PartitionChange records as one metadata transaction).
   */
  uncommittedRecordsMax: 2_000_000,
  /** Bytes of batches in one Fetch response (Kafka: 8 MiB). */
  fetchBytesMax: 8 * 1024 * 1024,
  /**
   * A voter's parked fetch waits at most this long after the high watermark moves before it is
   * answered with nothing but the news (core.ts releaseParkedFetches): under load the news rides
   * with the next data well within it; idle, followers still apply within a few ms.
   */
  voterHighWatermarkLingerMs: 5,
  /**
   * Records in one fetch answer from which an up-to-date observer waits its whole fetch interval
   * before the next fetch (RaftConfig.observerFetchIntervalMs; fewer records, a proportional part
   * of it, at least observerSpacingMinMs): at the default 40 ms interval, a broker takes changes
   * at most every 5 ms, and at most every 40 ms once they come faster than about 800 records/s
   * (core.ts observerSpacingMs).
   */
  observerBurstRecords: 32,
  /**
   * The least wait after an answer with records (the whole interval when that is shorter): what a
   * burst of single changes costs in freshness. A fixed time, not a share of the interval, so a
   * longer interval makes a stream cheaper for brokers without making sparse changes later.
   */
  observerSpacingMinMs: 5,
  /** Bytes of one FetchSnapshot chunk. */
  snapshotChunkBytesMax: 1024 * 1024,
  /** Read barriers waiting for a quorum round. */
  pendingReadsMax: 100_000,
  /** Batches the core hands the state machine in one Ready. */
  committedBatchesPerReadyMax: 4096,
  /** Election retries counted for the exponential backoff (2^n is capped here). */
  electionRetriesMax: 20,
  /** One encoded Raft batch; a quarter of the transport's frame bound (DEFAULT_MAX_FRAME_BYTES, 64 MiB), so a message carrying one fits. */
  frameBytesMax: 16 * 1024 * 1024,
} as const;
