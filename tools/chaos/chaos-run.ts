// One chaos run on real processes (`metaquorum chaos`, test/chaos/): a cluster on loopback whose
// every controller link goes through the fault proxy, the workload (./workload.ts) and the nemesis
// (./nemesis.ts) for the duration, then healing and the checks:
//
//   recovery         after the last fault heals, a write commits within recoveryBoundMs
//   (reported, not checked: the longest stretch without an acknowledged write; a request to a
//   paused leader waits out the workload's 2 s request timeout, so that is its floor)
//   history          every acknowledged operation is in the final image, in order; nothing that
//                    was never invoked is there (./checker.ts, on the active controller's image)
//   image            the invariants of DESIGN §5 on the final image (in the checker)
//   controllers      every controller reaches the same image (same offset, same records)
//   brokers          every broker converges to the controllers' image (exportMetadata, record for record)
//   logs             every voter's committed log is identical (dump-log, after a clean stop,
//                    offset by offset over the offsets all of them still hold)
//   leader-per-epoch at most one leader per epoch, from every node's "leader changed" log lines
//
// Run sequence: format and start → wait ready → create the offsets topic → workload + nemesis for
// durationMs → stop the nemesis (its fault heals) → recovery probe → stop the workload → checks →
// clean stop → log checks. Everything is bounded; all processes are stopped whatever happens.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askNode } from '../admin/admin-client.js';
import { controllerChannelTo, endpointOf, waitFor, waitForClusterReady } from '../server/cluster-ready.js';
import { defaultCliPath, ProcessCluster } from '../server/process-cluster.js';
import { ExitWatch } from '../server/exit-watch.js';
import { compareCommittedLogs, imageDifference, recordLinesByOffset } from './log-compare.js';
import { Prng } from '../../quorum/sim/prng.js';
import type { ControllerChannel } from '../../quorum/server/controller-channel.js';
import { checkHistory, type Violation } from './checker.js';
import { FaultProxy } from './fault-proxy.js';
import { damageMetadata, logLineSince, logMark, logSince, wipeAndFormat, writeFsyncStall } from './disk-faults.js';
import { FSYNC_STALL_ENV } from '../../quorum/node/fsync-stall.js';
import { longestUnavailability } from './history.js';
import { Nemesis, type FaultEvent, type FaultKind } from './nemesis.js';
import { ChaosWorkload, OFFSETS_TOPIC, OFFSETS_TOPIC_PARTITIONS } from './workload.js';

export interface ChaosOptions {
  readonly controllers: number;
  /** All brokers: in combined mode the controllers are brokers too, and any more are broker-only nodes. */
  readonly brokers: number;
  /** Combined mode (process.roles=broker,controller): each controller runs a broker on its own log. */
  readonly combined: boolean;
  readonly durationMs: number;
  readonly seed: number;
  readonly faults: readonly FaultKind[];
  /** Where the nodes' data goes (default a temporary directory, removed unless keepData). */
  readonly dataDir?: string;
  readonly keepData: boolean;
  readonly workers: number;
  /** After healing, the first write must commit within this. */
  readonly recoveryBoundMs: number;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

export interface ChaosReport {
  readonly seed: number;
  readonly shape: { readonly controllers: number; readonly brokers: number; readonly combined: boolean };
  readonly durationMs: number;
  readonly faults: { readonly total: number; readonly byKind: Readonly<Record<string, number>>; readonly events: readonly FaultEvent[] };
  readonly operations: { readonly total: number; readonly ok: number; readonly fail: number; readonly unknown: number; readonly byKind: Readonly<Record<string, { ok: number; fail: number; unknown: number }>> };
  /** Why operations failed or ended unknown: error name → count (the most frequent first). */
  readonly errors: Readonly<Record<string, number>>;
  readonly longestUnavailabilityMs: number;
  readonly longestUnavailabilityAt: { readonly fromMs: number; readonly toMs: number } | null;
  readonly recoveryMs: number | null;
  readonly violations: readonly Violation[];
  readonly reproduce: string;
  readonly dataDir: string | null;
  readonly passed: boolean;
}

/** Timeouts short enough that faults resolve within seconds on a 2-core machine. */
export const CHAOS_PROPERTIES: Readonly<Record<string, string>> = {
  'broker.heartbeat.interval.ms': '500',
  'broker.session.timeout.ms': '4000',
  'group.initial.rebalance.delay.ms': '0',
  // The workload plays the partition leaders (alter-isr) and checks the ISRs it was answered.
  'metaquorum.isr.expansion.enable': 'false',
  // Snapshots every 512 KiB of records: installs, prefix drops and the corrupt-snapshot fault get exercised.
  'metadata.log.max.record.bytes.between.snapshots': '524288',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** waitFor, answering undefined instead of throwing when the time runs out (a check then reports it). */
function until<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  return waitFor('chaos check', timeoutMs, probe).catch(() => undefined);
}

/** `dump-log --records-only` of a voter's metadata directory: offset → line. */
function dumpLog(dir: string): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [defaultCliPath(), 'dump-log', '--dir', dir, '--records-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`dump-log ${dir} exited ${code}: ${err.trim()}`));
      try {
        resolve(recordLinesByOffset(out, dir));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

/** Every "leader changed" line of every node's log: epoch → leader ids claimed. */
async function leadersByEpoch(cluster: ProcessCluster): Promise<Map<number, Set<number>>> {
  const out = new Map<number, Set<number>>();
  for (const n of cluster.nodes) {
    let text: string;
    try {
      text = await readFile(n.logPath, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.includes('"leader changed"')) continue;
      try {
        const e = JSON.parse(line) as { epoch?: number; leaderId?: number | null };
        if (typeof e.epoch !== 'number' || typeof e.leaderId !== 'number') continue;
        const set = out.get(e.epoch) ?? new Set<number>();
        set.add(e.leaderId);
        out.set(e.epoch, set);
      } catch {
        // a line cut by SIGKILL
      }
    }
  }
  return out;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const now = () => Date.now() - started;
  // Separate streams: the workload draws at a rate set by timing, which must not shift the fault schedule.
  const faultPrng = new Prng(o.seed);
  const workPrng = new Prng(o.seed ^ 0x5bd1e995);
  const random = () => faultPrng.next();
  const workRandom = () => workPrng.next();
  const dir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'mq-chaos-')));
  const proxy = new FaultProxy();
  const violations: Violation[] = [];
  const violate = (check: string, message: string) => violations.push({ check, message, opIds: [] });
  let cluster: ProcessCluster | undefined;
  let channel: ControllerChannel | undefined;
  const unexpected: string[] = [];
  /** The high watermark once the workload stopped: offsets below it are committed (null: not known). */
  let committedEnd: number | null = null;
  let nemesis: Nemesis | undefined;
  let workload: ChaosWorkload | undefined;
  let recoveryMs: number | null = null;
  // A node that exits while the cluster starts fails the run at once with the error it logged (a
  // port taken meanwhile, say), as dev does, not after the 60 s wait with a connection error.
  const startup = new ExitWatch(() => undefined);
  let starting = true;
  const startupExit = startup.onExit(() => cluster!);
  try {
    cluster = await ProcessCluster.create({
      dataDir: dir,
      shape: { controllers: o.controllers, brokers: o.brokers, combined: o.combined, basePort: 0, properties: CHAOS_PROPERTIES },
      logLevel: 'info',
      onUnexpectedExit: (id, code, signal) => {
        unexpected.push(`node ${id} exited by itself (${signal ?? code}) at ${now()} ms`);
        if (starting) startupExit(id, code, signal);
      },
      routeVoters: async (planned) => {
        const ports = new Map<string, number>();
        for (const from of planned) {
          for (const to of planned) {
            if (to.controllerPort === null || to.id === from.id) continue;
            ports.set(`${from.id}->${to.id}`, await proxy.addLink(`${from.id}->${to.id}`, { host: '127.0.0.1', port: to.controllerPort }));
          }
        }
        return (fromId, voterId) => ({ host: '127.0.0.1', port: ports.get(`${fromId}->${voterId}`)! });
      },
    });
    const c = cluster;
    // Ctrl-C or SIGTERM mid-run: every node is killed (they run in their own process groups and
    // would outlive this process) and the data is kept for a look.
    const abandon = (signal: string) => {
      o.log(`${signal}: killing every node; data kept in ${dir}`);
      for (const n of c.nodes) {
        const pid = c.pid(n.id);
        if (pid === null) continue;
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      process.exit(130);
    };
    process.once('SIGINT', () => abandon('SIGINT'));
    process.once('SIGTERM', () => abandon('SIGTERM'));
    process.env[FSYNC_STALL_ENV] = '1'; // the nodes inherit it: the slow-disk fault's hook is armed
    await c.startAll();
    const giveUp = new AbortController(); // stops the polling when a node's exit ended the wait
    try {
      await startup.race(waitForClusterReady(c, 60_000, undefined, giveUp.signal));
    } finally {
      giveUp.abort();
    }
    starting = false;
    o.log(`cluster up: ${shapeText(o)}, ${proxy.linkNames().length} proxied links, data in ${dir}`);
    channel = controllerChannelTo(c, 5_000);
    const ch = channel;
    const rf = Math.min(2, o.brokers);
    const made = await until(30_000, async () => {
      const r = await ch.call('createTopics', { topics: [{ name: OFFSETS_TOPIC, numPartitions: OFFSETS_TOPIC_PARTITIONS, replicationFactor: rf, configs: [] }], validateOnly: false });
      const code = r.topics[0]?.errorCode;
      return code === 0 || code === 36 ? true : undefined;
    });
    if (made === undefined) throw new Error(`could not create ${OFFSETS_TOPIC} on a healthy cluster`);

    workload = new ChaosWorkload({ rpc: ch, random: workRandom, now, workers: o.workers, requestTimeoutMs: 2_000, maxTopics: 60, replicationFactor: rf });
    nemesis = new Nemesis(
      {
        nodes: c.nodes.map((n) => n.id),
        controllers: c.controllers.map((n) => n.id),
        links: proxy.linkNames(),
        activeController: async () => (await askNode(endpointOf(c.controllers[Math.floor(random() * c.controllers.length)]!), 'describeNode', {}, { timeoutMs: 1_000 })).activeControllerId,
        kill: (id) => c.kill(id),
        restart: async (id) => void c.start(id),
        pause: (id) => c.pause(id),
        resume: (id) => c.resume(id),
        setLinks: (names, fault) => {
          for (const n of names) proxy.setFault(n, fault);
        },
        healLinks: () => proxy.healAll(),
        slowDisk: async (id, stallMs) => {
          await writeFsyncStall(join(c.node(id).dir, 'metadata'), stallMs);
          await c.signal(id, 'SIGUSR2');
        },
        wipe: (id) => wipeAndFormat(join(c.node(id).dir, 'metadata'), c.clusterId, id, c.node(id).roles.includes('controller')),
        corrupt: (id, rnd) => damageMetadata(join(c.node(id).dir, 'metadata'), rnd),
        logMark: (id) => logMark(c.node(id).logPath),
        logSince: (id, mark, pattern, timeoutMs) => logSince(c.node(id).logPath, mark, pattern, timeoutMs),
        logLineSince: (id, mark, pattern, timeoutMs) => logLineSince(c.node(id).logPath, mark, pattern, timeoutMs),
        // The last record offset dump-log reads, + 1 (null for a log with no record: nothing to hold it to).
        logEnd: async (id) => {
          let last = -1;
          for (const offset of (await dumpLog(join(c.node(id).dir, 'metadata'))).keys()) last = Math.max(last, offset);
          return last < 0 ? null : last + 1;
        },
      },
      {
        kinds: o.faults,
        random,
        now,
        holdMs: [1_500, 6_000],
        gapMs: [1_000, 4_000],
        log: (e) => o.log(`${String(Math.round(e.atMs / 100) / 10).padStart(6)} s  ${e.phase === 'start' ? 'fault' : 'healed'} ${e.kind}: ${e.detail}`),
      },
    );
    const w = workload;
    const nem = nemesis;
    const workloadDone = w.run();
    const nemesisDone = nem.run();
    const progress = setInterval(() => {
      const k = w.counts;
      o.log(`${String(Math.round(now() / 100) / 10).padStart(6)} s  ops ok ${k.ok}, fail ${k.fail}, unknown ${k.unknown}`);
    }, 10_000);
    await sleep(o.durationMs);
    nem.stop();
    await nemesisDone;
    clearInterval(progress);

    // Recovery: every fault is healed; the first write after that must commit within the bound.
    const healedAt = Date.now();
    const probe = await until(o.recoveryBoundMs, async () => {
      const r = await ch.call('createTopics', { topics: [{ name: `recovery-probe-${o.seed}`, numPartitions: 1, replicationFactor: rf, configs: [] }], validateOnly: false }, { timeoutMs: 2_000 });
      const code = r.topics[0]?.errorCode;
      return code === 0 || code === 36 ? true : undefined;
    });
    if (probe === undefined) violate('recovery', `no write committed within ${o.recoveryBoundMs} ms after the last fault healed`);
    else recoveryMs = Date.now() - healedAt;
    w.stop();
    await workloadDone;
    o.log(`workload stopped: ${w.history.length} operations`);

    // Everything below the high watermark now is committed: the voters' logs must agree on it
    // (a voter's tail above it may hold records never committed, which the next leader truncates).
    committedEnd = (await ch.call('describeQuorum', {})).highWatermark;

    // Controllers converge on one image; it is the final state the history is checked against.
    const images = await until(30_000, async () => {
      const all = await Promise.all(c.controllers.map((n) => askNode(endpointOf(n), 'exportMetadata', {}, { timeoutMs: 10_000 })));
      const texts = all.map((x) => JSON.stringify(x));
      return texts.every((t) => t === texts[0]) ? all[0] : undefined;
    });
    let finalRecords = images?.records;
    if (images === undefined) {
      violate('controllers', 'the controllers did not reach the same image within 30 s of the end');
      finalRecords = (await ch.call('exportMetadata', {})).records;
    }
    const checked = checkHistory(w.history, finalRecords ?? []);
    violations.push(...checked.violations);

    // Brokers converge on the controllers' whole image, record for record (not only on
    // describeTopics: a broker that skipped offset commits or configs on replay passed that).
    // The controllers' image is read again on each try: it may still move after the history check
    // (a broker fenced or unfenced, an expired offset), and the broker follows it.
    for (const b of c.brokers) {
      let last: string | null = 'never answered';
      const same = await until(30_000, async () => {
        const want = (await ch.call('exportMetadata', {})).records;
        // The client listener: a combined node's controller listener answers with the controller's image.
        last = imageDifference(want, (await askNode({ host: '127.0.0.1', port: b.clientPort! }, 'exportMetadata', {}, { timeoutMs: 10_000 })).records);
        return last === null ? true : undefined;
      });
      if (same === undefined) violate('brokers', `broker ${b.id} did not converge to the controllers' image within 30 s: ${last}`);
    }
    for (const u of unexpected) violate('crash', u);
    for (const p of nemesis.problems) violate('faults', p);
  } finally {
    nemesis?.stop();
    workload?.stop();
    await channel?.close().catch(() => undefined);
    await cluster?.stop(15_000).catch((e: unknown) => o.log(`stopping the cluster: ${String(e)}`));
    await proxy.close();
  }

  // After a clean stop: identical committed logs (every offset below the high watermark that two
  // voters both hold), one leader per epoch.
  const c = cluster!;
  try {
    const logs = await Promise.all(c.controllers.map(async (n) => ({ id: n.id, lines: await dumpLog(join(n.dir, 'metadata')) })));
    if (committedEnd === null) {
      violate('logs', 'the high watermark was not read: the committed logs were not compared');
    } else {
      const { differences, compared } = compareCommittedLogs(logs, committedEnd);
      for (const d of differences) violate('logs', d);
      o.log(`committed logs compared: ${compared} records below offset ${committedEnd} held by two voters`);
    }
  } catch (e) {
    violate('logs', `dump-log failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const [epoch, leaders] of await leadersByEpoch(c)) {
    if (leaders.size > 1) violate('leader-per-epoch', `epoch ${epoch} had ${leaders.size} leaders: ${[...leaders].join(', ')}`);
  }

  const history = workload?.history ?? [];
  const byKind: Record<string, { ok: number; fail: number; unknown: number }> = {};
  for (const op of history) {
    const k = (byKind[op.request.kind] ??= { ok: 0, fail: 0, unknown: 0 });
    k[op.outcome]++;
  }
  const counts = workload?.counts ?? { ok: 0, fail: 0, unknown: 0 };
  const errorCounts = new Map<string, number>();
  for (const op of history) {
    if (op.error === undefined) continue;
    const name = `${op.outcome} ${/^[A-Z_]+/.exec(op.error)?.[0] ?? op.error.slice(0, 60)}`;
    errorCounts.set(name, (errorCounts.get(name) ?? 0) + 1);
  }
  const errors = Object.fromEntries([...errorCounts].sort((a, b) => b[1] - a[1]).slice(0, 12));
  const window = longestUnavailability(history);
  const passed = violations.length === 0;
  if (passed && !o.keepData && o.dataDir === undefined) await rm(dir, { recursive: true, force: true });
  return {
    seed: o.seed,
    shape: { controllers: o.controllers, brokers: o.brokers, combined: o.combined },
    durationMs: o.durationMs,
    faults: { total: nemesis?.events.filter((e) => e.phase === 'start').length ?? 0, byKind: Object.fromEntries(nemesis?.counts ?? []), events: nemesis?.events ?? [] },
    operations: { total: history.length, ...counts, byKind },
    errors,
    longestUnavailabilityMs: window === null ? 0 : window.toMs - window.fromMs,
    longestUnavailabilityAt: window,
    recoveryMs,
    violations,
    reproduce: `metaquorum chaos --controllers ${o.controllers} --brokers ${o.brokers}${o.combined ? ' --combined' : ''} --duration ${Math.round(o.durationMs / 1000)}s --seed ${o.seed} --faults ${o.faults.join(',')}`,
    dataDir: passed && !o.keepData && o.dataDir === undefined ? null : dir,
    passed,
  };
}

/** "3 controllers + 2 brokers", or "3 combined nodes + 1 broker" in combined mode. */
export function shapeText(shape: { readonly controllers: number; readonly brokers: number; readonly combined: boolean }): string {
  if (!shape.combined) return `${shape.controllers} controllers + ${shape.brokers} brokers`;
  const extra = shape.brokers - shape.controllers;
  return `${shape.controllers} combined nodes${extra > 0 ? ` + ${extra} broker${extra === 1 ? '' : 's'}` : ''}`;
}
