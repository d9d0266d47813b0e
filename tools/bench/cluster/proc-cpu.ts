// CPU accounting for bench:cluster, from /proc (Linux): CPU seconds used by each node process, by
// the bench process itself, and by the whole machine, between two samples. On a shared 2-core
// machine this is what says where the time goes (leader, followers, brokers, load generator) and
// whether something else was running. Elsewhere (no /proc) the node figures are NaN.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** User and system (kernel) CPU seconds of one process, all threads; NaN if it is gone or /proc is unavailable. */
export function processCpuSeconds(pid: number | null): { user: number; system: number } {
  if (pid === null) return { user: NaN, system: NaN };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(rest[11]) / CLOCK_TICKS_PER_S, system: Number(rest[12]) / CLOCK_TICKS_PER_S };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/**
 * Seconds the process's main thread spent runnable but waiting for a core (the kernel's run-queue
 * delay, /proc/<pid>/schedstat field 2): how much of its latency is the machine, not the code.
 */
export function runQueueWaitSeconds(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const f = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
    return Number(f[1]) / 1e9;
  } catch {
    return NaN;
  }
}

/** read()- and write()-family system calls of one process so far (sockets and files alike), from /proc/<pid>/io. */
export function processSyscalls(pid: number | null): { reads: number; writes: number } {
  if (pid === null) return { reads: NaN, writes: NaN };
  try {
    const fields = new Map(readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map((l) => {
      const [k, v] = l.split(':');
      return [k?.trim() ?? '', Number(v)] as const;
    }));
    return { reads: fields.get('syscr') ?? NaN, writes: fields.get('syscw') ?? NaN };
  } catch {
    return { reads: NaN, writes: NaN };
  }
}

/**
 * CPU seconds of the whole machine (all cores), from /proc/stat: time in processes (user, nice,
 * system), in interrupts (irq, softirq: loopback TCP delivery and block I/O completions are often
 * accounted here, not to a process), and stolen by the hypervisor.
 */
function machineCpuSeconds(): { processes: number; interrupts: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const at = (i: number) => (f[i] ?? 0) / CLOCK_TICKS_PER_S;
    return { processes: at(0) + at(1) + at(2), interrupts: at(5) + at(6), steal: at(7) };
  } catch {
    return { processes: NaN, interrupts: NaN, steal: NaN };
  }
}

export interface CpuSample {
  readonly wallS: number;
  readonly nodes: ReadonlyMap<number, number>;
  readonly nodesSystem: ReadonlyMap<number, number>;
  readonly nodesWait: ReadonlyMap<number, number>;
  readonly nodesSyscalls: ReadonlyMap<number, { reads: number; writes: number }>;
  readonly bench: number;
  readonly benchWait: number;
  readonly machine: { processes: number; interrupts: number; steal: number };
}

export interface CpuUse {
  readonly wallS: number;
  /** Cores used by each node over the interval (CPU seconds / wall seconds). */
  readonly nodeCores: Readonly<Record<string, number>>;
  readonly nodesCores: number;
  /** The load generator (this process). */
  readonly benchCores: number;
  /** Other processes on the machine (kernel threads included: jbd2, kworkers flushing for fsync). */
  readonly otherCores: number;
  /** Interrupt handling (irq + softirq) and hypervisor steal, in cores. */
  readonly interruptCores: number;
  readonly stealCores: number;
  /** read()/write()-family system calls of each node per second (socket messages, log writes). */
  readonly nodeSyscallsPerS: Readonly<Record<string, { reads: number; writes: number }>>;
  /** The kernel's share of each node's CPU (system / (user + system)): syscalls, TCP, fsync. */
  readonly nodeSystemShare: Readonly<Record<string, number>>;
  /** Run-queue wait of each node's main thread (and the bench's), ms per second of wall time. */
  readonly nodeRunQueueWaitMsPerS: Readonly<Record<string, number>>;
  readonly benchRunQueueWaitMsPerS: number;
  /** CPU seconds of each node, and of the bench, over the interval. */
  readonly nodeCpuS: Readonly<Record<string, number>>;
  readonly benchCpuS: number;
}

export function sampleCpu(pids: ReadonlyMap<number, number | null>): CpuSample {
  const nodes = new Map<number, number>();
  const nodesSystem = new Map<number, number>();
  const nodesWait = new Map<number, number>();
  const nodesSyscalls = new Map<number, { reads: number; writes: number }>();
  for (const [id, pid] of pids) {
    nodesSyscalls.set(id, processSyscalls(pid));
    const c = processCpuSeconds(pid);
    nodes.set(id, c.user + c.system);
    nodesSystem.set(id, c.system);
    nodesWait.set(id, runQueueWaitSeconds(pid));
  }
  const u = process.cpuUsage();
  return { wallS: performance.now() / 1000, nodes, nodesSystem, nodesWait, nodesSyscalls, bench: (u.user + u.system) / 1e6, benchWait: runQueueWaitSeconds(process.pid), machine: machineCpuSeconds() };
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const wallS = b.wallS - a.wallS;
  const nodeCpuS: Record<string, number> = {};
  const nodeCores: Record<string, number> = {};
  let nodesS = 0;
  for (const [id, end] of b.nodes) {
    const s = end - (a.nodes.get(id) ?? NaN);
    nodeCpuS[String(id)] = s;
    nodeCores[String(id)] = s / wallS;
    if (Number.isFinite(s)) nodesS += s;
  }
  const nodeSyscallsPerS: Record<string, { reads: number; writes: number }> = {};
  for (const [id, end] of b.nodesSyscalls) {
    const start = a.nodesSyscalls.get(id);
    nodeSyscallsPerS[String(id)] = { reads: (end.reads - (start?.reads ?? NaN)) / wallS, writes: (end.writes - (start?.writes ?? NaN)) / wallS };
  }
  const nodeSystemShare: Record<string, number> = {};
  for (const [id, end] of b.nodesSystem) nodeSystemShare[String(id)] = (end - (a.nodesSystem.get(id) ?? NaN)) / (nodeCpuS[String(id)] ?? NaN);
  const nodeRunQueueWaitMsPerS: Record<string, number> = {};
  for (const [id, end] of b.nodesWait) nodeRunQueueWaitMsPerS[String(id)] = ((end - (a.nodesWait.get(id) ?? NaN)) * 1000) / wallS;
  const benchCpuS = b.bench - a.bench;
  const otherS = b.machine.processes - a.machine.processes - nodesS - benchCpuS;
  const interruptCores = (b.machine.interrupts - a.machine.interrupts) / wallS;
  const stealCores = (b.machine.steal - a.machine.steal) / wallS;
  return { wallS, nodeCores, nodesCores: nodesS / wallS, benchCores: benchCpuS / wallS, otherCores: otherS / wallS, interruptCores, stealCores, nodeSyscallsPerS, nodeSystemShare, nodeRunQueueWaitMsPerS, benchRunQueueWaitMsPerS: ((b.benchWait - a.benchWait) * 1000) / wallS, nodeCpuS, benchCpuS };
}
