// `metaquorum quorum describe --status | --replication [--human-readable]`: Kafka's
// `kafka-metadata-quorum describe`, from DescribeQuorum (answered by the active controller) and
// DescribeNode (the cluster id and the voters' endpoints, from the node reached).
//
// --status prints Kafka's fields (ClusterId, LeaderId, LeaderEpoch, HighWatermark, MaxFollowerLag,
// MaxFollowerLagTimeMs, CurrentVoters, CurrentObservers). --replication prints one row per replica,
// the leader first. LastFetchTimestamp and LastCaughtUpTimestamp are wall-clock milliseconds since
// the epoch, as Kafka prints them (-1: never): the controller reports ages (its clocks are
// monotonic), which this tool subtracts from its own clock when the answer arrives; --json carries
// both; --human-readable prints the ages, "123 ms ago".
// With no leader known the numbers Kafka reports as -1 print as -1 (JSON: null).
// With no voter acting as the active controller, either flag prints each voter's own view instead
// and exits 1 with the reason (quorum-no-leader.ts).
// DirectoryId (Kafka's, in CurrentVoters and in the replication rows) is the data directory each
// replica runs on: it tells a voter restarted on a wiped disk from the copy the quorum knows. An
// unknown one (a replica that has not fetched from this leader) is left out of CurrentVoters and
// prints "-" (JSON: null).

import type { Command } from 'commander';
import type { QuorumDescription, ReplicaDescription } from '../../quorum/controller/describe-quorum.js';
import type { DescribeNodeResponse } from '../../quorum/server/rpc-methods.js';
import { action, print, UsageError } from './common.js';
import { isNoActiveController, noLeaderDiagnosis, noLeaderView, renderNoLeader } from './quorum-no-leader.js';
import { addAdminOptions, withAdmin, type ReadOptions } from './admin-options.js';
import { hostPortText, renderTable } from './format.js';

interface DescribeOptions extends ReadOptions {
  readonly status?: boolean;
  readonly replication?: boolean;
  readonly humanReadable?: boolean;
}

export interface QuorumStatusView {
  readonly clusterId: string;
  readonly leaderId: number | null;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  readonly maxFollowerLag: number | null;
  readonly maxFollowerLagTimeMs: number | null;
  readonly currentVoters: readonly { readonly id: number; readonly directoryId?: string; readonly endpoints?: readonly string[] }[];
  readonly currentObservers: readonly { readonly id: number }[];
}

export interface ReplicationRow {
  readonly nodeId: number;
  readonly directoryId: string | null;
  /** null (-1 in the table, as Kafka prints it) for a voter that has not fetched from this leader. */
  readonly logEndOffset: number | null;
  readonly lag: number | null;
  readonly lastFetchAgoMs: number | null;
  readonly lastCaughtUpAgoMs: number | null;
  /** Wall-clock ms since the epoch: `nowMs` given to replicationRows less the age. */
  readonly lastFetchTimestamp: number | null;
  readonly lastCaughtUpTimestamp: number | null;
  readonly status: ReplicaDescription['status'];
}

export function quorumStatusView(q: QuorumDescription, node: DescribeNodeResponse): QuorumStatusView {
  const endpoints = new Map(node.voters.map((v) => [v.id, hostPortText(v.host, v.port)]));
  return {
    clusterId: node.clusterId,
    leaderId: q.leaderId,
    leaderEpoch: q.leaderEpoch,
    highWatermark: q.highWatermark,
    maxFollowerLag: q.maxFollowerLag,
    maxFollowerLagTimeMs: q.maxFollowerLagTimeMs,
    currentVoters: q.voters.map((v) => {
      const endpoint = endpoints.get(v.replicaId);
      return {
        id: v.replicaId,
        ...(v.directoryId === null ? {} : { directoryId: v.directoryId }),
        ...(endpoint === undefined ? {} : { endpoints: [endpoint] }),
      };
    }),
    currentObservers: q.observers.map((o) => ({ id: o.replicaId })),
  };
}

/** Leader first, then the other voters, then observers, each group in id order; timestamps from `nowMs` (wall clock). */
export function replicationRows(q: QuorumDescription, nowMs: number): ReplicationRow[] {
  const at = (ago: number | null) => (ago === null ? null : Math.round(nowMs - ago));
  const rank = { Leader: 0, Follower: 1, Observer: 2 } as const;
  return [...q.voters, ...q.observers]
    .sort((a, b) => rank[a.status] - rank[b.status] || a.replicaId - b.replicaId)
    .map((r) => ({
      nodeId: r.replicaId,
      directoryId: r.directoryId,
      logEndOffset: r.logEndOffset,
      lag: r.lag,
      lastFetchAgoMs: r.lastFetchAgoMs,
      lastCaughtUpAgoMs: r.lastCaughtUpAgoMs,
      lastFetchTimestamp: at(r.lastFetchAgoMs),
      lastCaughtUpTimestamp: at(r.lastCaughtUpAgoMs),
      status: r.status,
    }));
}

const orMinusOne = (n: number | null): string => String(n ?? -1);

function renderStatus(s: QuorumStatusView): string {
  const voter = (v: QuorumStatusView['currentVoters'][number]) => {
    const fields = [`"id": ${v.id}`];
    if (v.directoryId !== undefined) fields.push(`"directoryId": ${JSON.stringify(v.directoryId)}`);
    if (v.endpoints !== undefined) fields.push(`"endpoints": [${v.endpoints.map((e) => JSON.stringify(e)).join(', ')}]`);
    return `{${fields.join(', ')}}`;
  };
  const fields: [string, string][] = [
    ['ClusterId', s.clusterId],
    ['LeaderId', orMinusOne(s.leaderId)],
    ['LeaderEpoch', String(s.leaderEpoch)],
    ['HighWatermark', String(s.highWatermark)],
    ['MaxFollowerLag', orMinusOne(s.maxFollowerLag)],
    ['MaxFollowerLagTimeMs', orMinusOne(s.maxFollowerLagTimeMs)],
    ['CurrentVoters', `[${s.currentVoters.map(voter).join(', ')}]`],
    ['CurrentObservers', `[${s.currentObservers.map((o) => `{"id": ${o.id}}`).join(', ')}]`],
  ];
  return fields.map(([k, v]) => `${`${k}:`.padEnd(24)}${v}`).join('\n');
}

function renderReplication(rows: readonly ReplicationRow[], humanReadable: boolean): string {
  const ago = (ms: number | null) => (ms === null ? 'never' : `${ms} ms ago`);
  const time = (r: ReplicationRow, which: 'Fetch' | 'CaughtUp') =>
    humanReadable ? ago(which === 'Fetch' ? r.lastFetchAgoMs : r.lastCaughtUpAgoMs) : String((which === 'Fetch' ? r.lastFetchTimestamp : r.lastCaughtUpTimestamp) ?? -1);
  return renderTable(
    ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'],
    rows.map((r) => [String(r.nodeId), r.directoryId ?? '-', orMinusOne(r.logEndOffset), orMinusOne(r.lag), time(r, 'Fetch'), time(r, 'CaughtUp'), r.status]),
  );
}

async function describe(opts: DescribeOptions): Promise<void> {
  const status = opts.status === true;
  const replication = opts.replication === true;
  if (status === replication) throw new UsageError('quorum describe: give exactly one of --status and --replication');
  if (status && opts.humanReadable === true) throw new UsageError('quorum describe: --human-readable goes with --replication');
  await withAdmin(opts, async (rpc, callOptions) => {
    let q: QuorumDescription;
    let node: DescribeNodeResponse | undefined;
    try {
      [q, node] = await Promise.all([rpc.call('describeQuorum', {}, callOptions), status ? rpc.call('describeNode', {}, callOptions) : undefined]);
    } catch (e) {
      // No leader, or none that answered in time (a hung one): show what each voter believes,
      // then fail with the reason (quorum-no-leader.ts).
      const timedOut = !isNoActiveController(e) && (e as { code?: unknown } | null)?.code === 'REQUEST_TIMEOUT';
      if (!isNoActiveController(e) && !timedOut) throw e;
      const view = noLeaderView(await rpc.askVoters());
      print(opts.json, view, renderNoLeader);
      throw new Error(noLeaderDiagnosis(view, { json: opts.json, timedOut }), { cause: e });
    }
    if (node === undefined) {
      const rows = replicationRows(q, Date.now());
      print(opts.json, { replicas: rows }, () => renderReplication(rows, opts.humanReadable === true));
      return;
    }
    print(opts.json, quorumStatusView(q, node), renderStatus);
  });
}

export function registerQuorumCommand(program: Command): void {
  const quorum = program.command('quorum').description("Inspect the controller quorum (Kafka's kafka-metadata-quorum).");
  const cmd = quorum
    .command('describe')
    .description('Describe the quorum: --status (leader, epoch, high watermark, lag, voters) or --replication (one row per replica). With no leader: each voter\'s own view (state, epoch, vote, log end), and exit 1 with the reason.')
    .option('--status', 'the leader, epoch, high watermark, follower lag, voters and observers')
    .option('--replication', 'one row per voter and observer: log end offset, lag, last fetch and catch-up')
    .option('--human-readable', 'with --replication: ages as "123 ms ago"');
  addAdminOptions(cmd, { json: true }).action(action(describe));
}
