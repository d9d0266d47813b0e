// What a valid quorum state is (epoch, leader, vote, voter directories), in one place for the real
// file store (it refuses to write an invalid one and reports a damaged file) and for the simulated
// disk (a contract violation), so the simulator cannot accept a state the real store would refuse.

import { isDirectoriesAt } from './voter-directories.js';

/** Why these fields are not a quorum state (one sentence), or undefined when they are. */
export function quorumStateProblem(epoch: unknown, leaderId: unknown, votedId: unknown, voterDirectories: unknown): string | undefined {
  if (!isNonNegativeInt(epoch)) return `epoch ${String(epoch)} is not a non-negative integer`;
  if (leaderId !== null && !isNonNegativeInt(leaderId)) return `leaderId ${String(leaderId)} is not a node id or null`;
  if (votedId !== null && !isNonNegativeInt(votedId)) return `votedId ${String(votedId)} is not a node id or null`;
  if (voterDirectories !== undefined && !isDirectoriesAt(voterDirectories)) return 'voterDirectories is not {offset, map of voter id to directory id or null}';
  return undefined;
}

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
