// The chaos run's last check: after a clean stop, the voters' committed logs are identical.
// `dump-log --records-only` prints one line per record ("| offset: N type: ..."); two voters must
// print the same line for every offset below the high watermark that both still hold (a voter's
// log may start later, at a snapshot, and its tail above the high watermark may hold records that
// were never committed, which the next leader would truncate).

/** The record lines of `dump-log --records-only` output, by offset; throws on any other line. */
export function recordLinesByOffset(output: string, source: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const l of output.split('\n')) {
    const t = l.trim();
    if (t === '') continue;
    // Keyed by the record's offset. (Keyed by the first word, "|", before: every line but the
    // last was dropped, and the check compared the voters' last records only.)
    const m = /^\| offset: (\d+) /.exec(t);
    if (m === null) throw new Error(`dump-log ${source}: a line that is not a record line: ${t.slice(0, 120)}`);
    lines.set(Number(m[1]), t);
  }
  return lines;
}

export interface VoterLog {
  readonly id: number;
  readonly lines: ReadonlyMap<number, string>;
}

/** Every pair of voters, every offset below `committedEnd` both hold: the first difference per pair, and how many were compared. */
export function compareCommittedLogs(logs: readonly VoterLog[], committedEnd: number): { readonly differences: string[]; readonly compared: number } {
  const differences: string[] = [];
  let compared = 0;
  for (let i = 0; i < logs.length; i++) {
    for (let j = i + 1; j < logs.length; j++) {
      const [a, b] = [logs[i]!, logs[j]!];
      for (const [offset, line] of a.lines) {
        if (offset >= committedEnd) continue;
        const theirs = b.lines.get(offset);
        if (theirs === undefined) continue; // below that voter's log start (a snapshot), or not fetched yet
        compared++;
        if (theirs !== line) {
          differences.push(`voter ${a.id} and voter ${b.id} differ at committed offset ${offset}: "${line}" vs "${theirs}"`);
          break;
        }
      }
    }
  }
  // Guards the check itself: after a run, two voters always share some committed offsets.
  if (committedEnd > 0 && compared === 0) differences.push(`no committed offset (below ${committedEnd}) was held by two voters to compare`);
  return { differences, compared };
}

/**
 * A broker's image against the controllers' final image, both as exportMetadata records (snapshot
 * order): the first record that differs, or null when they are the same. The brokers were compared
 * on describeTopics only, so a broker whose replay skipped a record type that describeTopics does
 * not show (an OffsetCommit, a Config, a broker registration) passed the run.
 */
export function imageDifference(want: readonly unknown[], got: readonly unknown[]): string | null {
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    const w = i < want.length ? JSON.stringify(want[i]) : undefined;
    const g = i < got.length ? JSON.stringify(got[i]) : undefined;
    if (w === g) continue;
    const cut = (s: string | undefined) => (s === undefined ? 'nothing' : s.length > 200 ? `${s.slice(0, 200)}...` : s);
    return `record ${i} of ${want.length}: expected ${cut(w)}, found ${cut(g)} (${got.length} records in all)`;
  }
  return null;
}
