// Resident memory of a process from /proc/<pid>/status (Linux), for bench:scale: VmRSS (resident
// now) and VmHWM (the peak resident set since the process started). Elsewhere, or for a process
// that is gone, both are NaN. A sampler keeps the highest VmRSS seen per node between resets, so a
// phase's peak is known even for a process that restarts (VmHWM starts again with the process).

import { readFileSync } from 'node:fs';

export interface ResidentMemory {
  /** Bytes resident now. */
  readonly rssBytes: number;
  /** Highest resident bytes since the process started. */
  readonly hwmBytes: number;
}

export function residentMemory(pid: number | null): ResidentMemory {
  if (pid === null) return { rssBytes: NaN, hwmBytes: NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m === null ? NaN : Number(m[1]) * 1024;
    };
    return { rssBytes: kib('VmRSS'), hwmBytes: kib('VmHWM') };
  } catch {
    return { rssBytes: NaN, hwmBytes: NaN };
  }
}

/** Samples VmRSS of every node every `everyMs` and keeps the peak per node id since the last reset. */
export class RssSampler {
  private peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => ReadonlyMap<number, number | null>,
    everyMs = 250,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample(): void {
    for (const [id, pid] of this.pids()) {
      const { rssBytes } = residentMemory(pid);
      if (Number.isFinite(rssBytes)) this.peaks.set(id, Math.max(this.peaks.get(id) ?? 0, rssBytes));
    }
  }

  /** The peak VmRSS per node since the last reset (a sample is taken first), and a fresh start. */
  takePeaks(): Map<number, number> {
    this.sample();
    const p = this.peaks;
    this.peaks = new Map();
    return p;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
