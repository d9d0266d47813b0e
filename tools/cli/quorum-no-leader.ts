// `quorum describe` when no voter acts as the active controller. Kafka's tool (DescribeQuorum goes
// to the leader) can only fail then; like `etcdctl endpoint status`, this asks every voter the
// bootstrap node named for its own view (describeNode: role, epoch, the leader it follows, its
// vote, its log) and prints one row per voter, so the operator sees why there is no leader:
//
//   fewer than a majority answer         → start the silent ones (the Note column says what failed)
//   a majority answers, one leads now    → an election just ended: run the command again
//   a majority answers, none leads       → an election under way (see their epochs and votes), or
//                                          voters that cannot reach each other's listeners
//
// Each voter gets at most 5 s (or --timeout, if shorter) to answer: a paused one accepts the
// connection and says nothing, and is shown as silent rather than holding the command.
// The rows go to stdout (JSON: {leaderId: null, voters: [...]}) and the diagnosis is the command's
// error (stderr, exit 1): it is an outage, not an answer.

import { ErrorCode } from '../../quorum/controller/errors.js';
import { majority } from '../../quorum/raft/quorum-math.js';
import { NO_ACTIVE_CONTROLLER } from '../../quorum/server/controller-channel.js';
import type { LocalQuorumView } from '../../quorum/raft/types.js';
import type { VoterAnswer } from './connect.js';
import { hostPortText, renderTable } from './format.js';

/** One voter as it sees the quorum; the view's fields are absent when it did not answer. */
export interface VoterView extends Partial<LocalQuorumView> {
  readonly id: number;
  readonly endpoint: string;
  /** Why it gave no view: unreachable, not a controller, or another cluster's node. */
  readonly note?: string;
}

export interface NoLeaderView {
  readonly leaderId: null;
  readonly voters: readonly VoterView[];
}

/**
 * Whether a call failed because no voter acted as the active controller: the channel's deadline
 * passed with no controller answering, or with the last one asked answering NOT_CONTROLLER (during
 * an election, or with no majority; found running the README tour with two controllers killed).
 */
export function isNoActiveController(e: unknown): boolean {
  const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
  return code === ErrorCode.NOT_CONTROLLER || (typeof message === 'string' && message.includes(NO_ACTIVE_CONTROLLER));
}

/**
 * Each voter's row, in id order. A voter whose cluster id differs from the one most voters answer
 * with is noted, not counted (a voters list that names another cluster's node).
 */
export function noLeaderView(answers: readonly VoterAnswer[]): NoLeaderView {
  const clusterId = mostCommon(answers.flatMap((a) => ('node' in a ? [a.node.clusterId] : [])));
  const voters = [...answers]
    .sort((a, b) => a.id - b.id)
    .map((a): VoterView => {
      const base = { id: a.id, endpoint: hostPortText(a.host, a.port) };
      if ('error' in a) return { ...base, note: `no answer: ${a.error}` };
      if (a.node.nodeId !== a.id) return { ...base, note: `node ${a.node.nodeId} listens there, not voter ${a.id}` };
      if (a.node.clusterId !== clusterId) return { ...base, note: `another cluster's node (cluster id ${a.node.clusterId})` };
      if (a.node.quorum === undefined) return { ...base, note: 'answered without a quorum view (not a controller, or still starting)' };
      return { ...base, ...a.node.quorum };
    });
  return { leaderId: null, voters };
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

const answered = (v: VoterView): v is VoterView & LocalQuorumView => v.role !== undefined;

/**
 * Why there is no leader, in one line, from the voters' own views. `json`: the voters' rows were
 * printed as JSON (their `note` field, not a Note column). `timedOut`: the call ran out of time
 * at a voter, which may lead and be busy or hung.
 */
export function noLeaderDiagnosis(view: NoLeaderView, o: { readonly json?: boolean; readonly timedOut?: boolean } = {}): string {
  const all = view.voters.length;
  const needed = majority(all);
  const up = view.voters.filter(answered);
  const leading = up.find((v) => v.role === 'Leader');
  const head = `no active controller: ${up.length} of ${all} voters answer`;
  if (up.length < needed) {
    const silent = view.voters.filter((v) => !answered(v)).map((v) => v.id);
    return `${head}, and a leader needs ${needed}: start or reach voter(s) ${silent.join(', ')} (${o.json === true ? 'the note field' : 'the Note column'} says what failed)`;
  }
  if (leading !== undefined && o.timedOut === true) {
    return `voter ${leading.id} leads in epoch ${leading.epoch} but did not answer in time: raise --timeout, or check that node (${up.length} of ${all} voters answer)`;
  }
  if (leading !== undefined) return `${head}; voter ${leading.id} has just become leader in epoch ${leading.epoch}: run the command again`;
  const epochs = [...new Set(up.map((v) => v.epoch))].sort((a, b) => a - b);
  const electing = up.filter((v) => v.role === 'Candidate' || v.role === 'Prospective').map((v) => v.id);
  const why =
    electing.length > 0
      ? `voter(s) ${electing.join(', ')} are asking for votes (epochs ${epochs.join(', ')}); if this lasts, check that the voters reach each other's controller listeners`
      : `none is asking for votes yet (epochs ${epochs.join(', ')}); if this lasts, check that the voters reach each other's controller listeners`;
  return `${head} but none leads: ${why}`;
}

const cell = (n: number | null | undefined): string => (n === undefined ? '-' : String(n ?? -1));

export function renderNoLeader(view: NoLeaderView): string {
  const rows = view.voters.map((v) => [String(v.id), v.endpoint, v.role ?? '-', cell(v.epoch), cell(v.leaderId), cell(v.votedId), cell(v.logEndOffset), cell(v.highWatermark), v.note ?? '']);
  return `No voter acts as the active controller. Each voter's own view:\n${renderTable(['NodeId', 'Endpoint', 'State', 'Epoch', 'LeaderId', 'VotedFor', 'LogEndOffset', 'HighWatermark', 'Note'], rows)}`;
}
