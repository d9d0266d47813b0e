// The young generation of the benchmarks' own process, which is the load generator of the
// closed-loop write phases (bench:cluster, bench:vs-zk).
//
// Why: all 64 outstanding requests pass through this one process, so each of its scavenges
// stalls every request at once. At Node's default semi-space (16 MiB) it scavenged about 10
// times a second, 4 ms each (traced with --trace-gc-nvp, bench:cluster throughput), and the
// cluster waited. At 64 MiB the load generator stops throttling what it measures: bench:cluster
// throughput, 5 alternating pairs on one machine, 28,010 -> 30,427 writes/s (ahead in 4 of 5).
// The flag must be on the node command line (V8 sizes its heap at start), so the npm scripts
// pass it; a run started another way says so in its notes.

export const LOAD_GENERATOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** The flags this process was started with, as the benchmark's JSON records them. */
export function loadGeneratorNodeFlags(): string[] {
  const fromEnv = (process.env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((f) => f !== '');
  return [...process.execArgv, ...fromEnv];
}

/** A note for the report when the load generator runs without the flags (else undefined). */
export function loadGeneratorHeapNote(flags: readonly string[] = loadGeneratorNodeFlags()): string | undefined {
  const missing = LOAD_GENERATOR_NODE_FLAGS.filter((want) => !flags.some((f) => f.split('=')[0] === want.split('=')[0]));
  if (missing.length === 0) return undefined;
  return `the load generator (this process) ran without ${missing.join(' ')}: its GC pauses stall every outstanding request, so write throughput reads low; run it through npm run (package.json passes the flag)`;
}
