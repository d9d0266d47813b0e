// Command-line values shared by the benchmarks: counts with a full and a --quick default, and
// comma-separated lists of phases or workloads checked against the known ones.

/** A reader of positive integer options: the given value, else `full` (or `small` under --quick). */
export function positiveInts(quick: boolean): (name: string, v: string | undefined, full: number, small: number) => number {
  return (name, v, full, small) => {
    const n = v === undefined ? (quick ? small : full) : Number(v);
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: "${v}" is not a positive integer`);
    return n;
  };
}

/** `a,b,c` as a set of known names; an unknown one is an error naming the known ones. */
export function nameList<T extends string>(option: string, raw: string, known: readonly T[]): Set<T> {
  return new Set(
    raw.split(',').map((p) => {
      if (!(known as readonly string[]).includes(p)) throw new Error(`--${option}: unknown "${p}" (one of ${known.join(', ')})`);
      return p as T;
    }),
  );
}
