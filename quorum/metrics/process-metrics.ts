// The process's own metrics, under the names Prometheus's client libraries use (process_*,
// nodejs_*) so that stock dashboards find them, plus which node this is (metaquorum_node_info).
// Event-loop delay matters here more than in most services: the Raft driver, the fsync and every
// request share the one thread, so a stalled loop is a late heartbeat, fetch or vote.
//
// The delay sampler is a timer every LOOP_SAMPLE_MS: it wakes the process 100 times a second,
// idle or not (six idle dev-cluster nodes made 600 wake-ups a second between them). So it runs
// only once someone reads it:
//
//   idle ──first collect()──► sampling (that scrape reports no delay: nothing sampled yet)
//   sampling ──collect()──► sampling (reports the delay since the previous scrape, then resets)
//   idle | sampling ──stop()──► stopped (collect() still answers, without sampling again)

import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { counter, gauge, type Collector, type MetricFamily } from './registry.js';

export interface NodeIdentity {
  readonly nodeId: number;
  readonly roles: readonly string[];
  readonly clusterId: string;
  readonly version: string;
}

/** The part of perf_hooks' IntervalHistogram used here (a test passes a fake to see when it is enabled). */
export type LoopDelaySampler = Pick<IntervalHistogram, 'enable' | 'disable' | 'percentile' | 'max' | 'reset'>;

const loopDelaySampler = (): LoopDelaySampler => monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });

/** The process's collector; the event loop's delay is sampled from its first collect() until `stop` (see the header). */
export function processCollector(node: NodeIdentity, newSampler: () => LoopDelaySampler = loopDelaySampler): { readonly collector: Collector; stop(): void } {
  let loopDelay: LoopDelaySampler | null = null;
  let stopped = false;
  const startSeconds = (performance.timeOrigin + 0) / 1000;
  const collector: Collector = (): MetricFamily[] => {
    if (loopDelay === null && !stopped) {
      loopDelay = newSampler();
      loopDelay.enable();
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const families: MetricFamily[] = [
      gauge('metaquorum_node_info', 'Which node this is: its id, roles, cluster and build (always 1).', [
        { labels: { node_id: String(node.nodeId), roles: node.roles.join(','), cluster_id: node.clusterId, version: node.version }, value: 1 },
      ]),
      counter('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', (cpu.user + cpu.system) / 1e6),
      gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss),
      gauge('process_start_time_seconds', 'When the process started, in seconds since the Unix epoch.', Math.round(startSeconds * 1000) / 1000),
      gauge('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.', memory.heapUsed),
      gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes.', memory.heapTotal),
      gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript ones (buffers among them), in bytes.', memory.external),
      // Since the previous scrape (the sampler is reset each time), so a spike is seen once.
      gauge('nodejs_eventloop_delay_seconds', 'Event-loop delay since the previous scrape (beyond the 10 ms sampling interval; sampled from the first scrape on): quantiles and max, in seconds.', [
        { labels: { quantile: '0.5' }, value: nsToSeconds(loopDelay?.percentile(50) ?? NaN) },
        { labels: { quantile: '0.99' }, value: nsToSeconds(loopDelay?.percentile(99) ?? NaN) },
        { labels: { quantile: '1' }, value: nsToSeconds(loopDelay?.max ?? NaN) },
      ]),
    ];
    loopDelay?.reset();
    const fds = openFileDescriptors();
    if (fds !== undefined) families.push(gauge('process_open_fds', 'Open file descriptors (sockets and log segments among them).', fds));
    return families;
  };
  return {
    collector,
    stop: () => {
      stopped = true;
      loopDelay?.disable();
    },
  };
}

/** How often the loop's delay is sampled; each sample is the time between two timer turns. */
const LOOP_SAMPLE_MS = 10;

/**
 * A sample as the delay beyond the sampling interval it includes (a loop that never stalls shows
 * 0, not 10 ms). A histogram with no samples reports NaN or a huge sentinel: no delay seen.
 */
function nsToSeconds(ns: number): number {
  return Number.isFinite(ns) && ns < 1e15 ? Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS) / 1000 : 0;
}

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined; // not Linux
  }
}
