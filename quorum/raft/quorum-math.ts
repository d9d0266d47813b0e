// Majority arithmetic, kept apart so it can be checked against a naive model (test/unit).

/** How many voters make a majority of `voterCount`. */
export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The largest offset that at least a majority of voters hold: sort the voters' end offsets
 * descending and take the one at index floor(n/2) (Kafka's LeaderState.maybeUpdateHighWatermark).
 * Unknown end offsets count as 0.
 */
export function majorityEndOffset(endOffsets: readonly number[]): number {
  if (endOffsets.length === 0) return 0;
  const sorted = [...endOffsets].sort((a, b) => b - a);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The leader's next high watermark: the majority end offset, accepted only once it covers the
 * leader's own LeaderChange record (it must be > epochStartOffset, KAFKA-12619) and never moving
 * back (KAFKA-16530).
 */
export function nextHighWatermark(current: number, epochStartOffset: number, endOffsets: readonly number[]): number {
  const candidate = majorityEndOffset(endOffsets);
  if (candidate <= epochStartOffset) return current;
  return Math.max(current, candidate);
}
