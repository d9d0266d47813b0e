// What `format` tells a new node about the voters' data directories (KIP-853's bootstrap voters,
// over our static controller.quorum.voters), written into its quorum-state file:
//
//   --initial-controllers 1@host:port:<dir id>,...   a node of a new cluster: every voter's
//       directory, the same on every node (base at offset 0). No voter is ever unknown, so none
//       is trusted on first use (the hole that leaves: quorum/raft/voter-directories.ts). On a
//       voter, its own entry is the directory id it is formatted with.
//   --no-initial-controllers                          a voter replacing a lost disk: it knows only
//       that the quorum does not count it yet (itself -> null); it votes and stands again once the
//       leader has re-admitted its new directory. A broker writes nothing.
//   neither                                           nothing: directories are trusted on first use.
//
// Either flag also makes the node strict (quorum/raft/voter-directories.ts): a voter it has no
// directory for counts for nothing there, instead of being trusted on first use.
//
// The endpoints must match controller.quorum.voters exactly: the list is copied onto every node,
// and a mismatch means it was copied from another cluster or edited on one node only.

import { isValidClusterId, randomClusterId } from './cluster-id.js';
import type { Voter } from './endpoints.js';
import { UsageError } from '../cli/common.js';
import type { QuorumStateData } from '../../quorum/raft/types.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { metadataStoragePaths } from '../../quorum/node/layout.js';

export type VoterBootstrap =
  | { readonly kind: 'initial-controllers'; readonly directories: ReadonlyMap<number, string> }
  | { readonly kind: 'replacing' }
  | { readonly kind: 'first-use' };

/** Parses `id@host:port:directoryId,...` (Kafka's syntax) against the configured voters; throws UsageError. */
export function parseInitialControllers(text: string, voters: readonly Voter[]): ReadonlyMap<number, string> {
  const flag = '--initial-controllers';
  const directories = new Map<number, string>();
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const m = /^(\d+)@(.+):(\d+):([^:]+)$/.exec(entry);
    if (m === null) throw new UsageError(`${flag}: expected id@host:port:directoryId, got ${JSON.stringify(entry)}`);
    const id = Number(m[1]);
    const host = m[2]!.replace(/^\[(.*)\]$/, '$1');
    const port = Number(m[3]);
    const directoryId = m[4]!;
    if (!isValidClusterId(directoryId)) {
      throw new UsageError(`${flag}: ${JSON.stringify(directoryId)} (node ${id}) is not a directory id (22 characters of URL-safe base64, as "metaquorum random-uuid" prints)`);
    }
    const voter = voters.find((v) => v.id === id);
    if (voter === undefined) throw new UsageError(`${flag}: node ${id} is not in controller.quorum.voters (${describeVoters(voters)})`);
    if (voter.host !== host || voter.port !== port) {
      throw new UsageError(`${flag}: node ${id} is at ${host}:${port} here but at ${voter.host}:${voter.port} in controller.quorum.voters; give the same list to every node`);
    }
    if (directories.has(id)) throw new UsageError(`${flag}: node ${id} is named twice`);
    for (const [other, dir] of directories) {
      if (dir === directoryId) throw new UsageError(`${flag}: nodes ${other} and ${id} have the same directory id ${directoryId}; every voter needs its own`);
    }
    directories.set(id, directoryId);
  }
  const missing = voters.filter((v) => !directories.has(v.id)).map((v) => v.id);
  if (missing.length > 0) throw new UsageError(`${flag}: no entry for voter${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; name every voter of controller.quorum.voters`);
  return directories;
}

/** `--initial-controllers` for these voters with new directory ids (what `dev` formats a new cluster with). */
export function newInitialControllers(voterIds: readonly number[]): ReadonlyMap<number, string> {
  return new Map(voterIds.map((id) => [id, randomClusterId()]));
}

/** The directory id `format` gives this node's metadata.log.dir: its initial-controllers entry when it has one. */
export function bootstrapDirectoryId(bootstrap: VoterBootstrap, nodeId: number, isVoter: boolean): string | undefined {
  return bootstrap.kind === 'initial-controllers' && isVoter ? bootstrap.directories.get(nodeId) : undefined;
}

/** The quorum state a newly formatted metadata.log.dir starts with; undefined: none. */
export function bootstrapQuorumState(bootstrap: VoterBootstrap, nodeId: number, isVoter: boolean): QuorumStateData | undefined {
  let map: Record<string, string | null>;
  if (bootstrap.kind === 'initial-controllers') map = Object.fromEntries([...bootstrap.directories].map(([id, dir]) => [String(id), dir]));
  else if (bootstrap.kind === 'replacing' && isVoter) map = { [String(nodeId)]: null };
  else return undefined;
  return { epoch: 0, leaderId: null, votedId: null, voterDirectories: { offset: 0, map, strict: true } };
}

/** Writes a newly formatted metadata.log.dir's quorum state (before its meta.properties). */
export async function writeBootstrapQuorumState(metadataLogDir: string, state: QuorumStateData): Promise<void> {
  await new FileQuorumStateStore(metadataStoragePaths(metadataLogDir).quorumStateFile).write(state);
}

function describeVoters(voters: readonly Voter[]): string {
  return voters.map((v) => `${v.id}@${v.host}:${v.port}`).join(',');
}
