// migrate-from-zk end to end: ZooKeeper → plan → the quorum, in three modes. The command line
// (tools/cli/migrate-command.ts) only parses flags and prints; this file decides.
//
//   import (default)  check the quorum (reachable, its cluster id), say what the ZooKeeper root
//                     holds, read the tree, plan, refuse on blocking anomalies (unless forced) or a
//                     cluster id mismatch, then write the records as one import session, in parts
//                     inside one metadata transaction (import-writer.ts: all of it or none of it
//                     becomes visible).
//   dry run           the same reading and planning, the same checks against the quorum when one is
//                     given; writes nothing. Its outcome says whether the import would go ahead.
//   verify            read and plan again, export the quorum's image, and list the differences.
//
// Order matters for the operator: the cheap checks (the quorum answers, its cluster id, the root
// holds Kafka) come before the long walk of a large tree, so a mistake costs seconds, not minutes.
// ZooKeeper is only read (zk-reader.ts never writes); /zookeeper is never read.

import { randomBytes } from 'node:crypto';
import { METADATA_VERSION_FEATURE, type MetadataRecord, type Uuid } from '../../metadata-log/records/types.js';
import { metadataVersionName } from '../../quorum/controller/configs/features.js';
import { importLevelNeed, type ImportMetadataResponse } from '../../quorum/controller/migration/import-metadata.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { blockingAnomalies, kafkaRoots, planMigration, type Anomaly, type MigrationPlan } from './plan.js';
import { diffImport, type ImportDiff } from './verify.js';
import { ImportCancelledError, ImportNotWrittenError, writeImport } from './import-writer.js';
import type { KafkaRootInfo, ReadZkTreeOptions, ZkAuth, ZkReadProgress, ZkSessionOptions } from './zk-reader.js';
import type { ZkTree } from './zk-tree.js';

export type MigrateMode = 'import' | 'dry-run' | 'verify';

export interface MigrateOptions {
  readonly mode: MigrateMode;
  readonly zookeeperConnect: string;
  readonly zkConnectTimeoutMs: number;
  /** ZooKeeper authentication (--zk-auth), sent on every session. */
  readonly zkAuth?: readonly ZkAuth[];
  /** --take-quorum-cluster-id: a tree with no /cluster/id (Kafka before 0.10.1) is imported under the quorum's. */
  readonly takeQuorumClusterId?: boolean;
  /** ZooKeeper reads in flight at once. */
  readonly concurrency: number;
  /** Import into a quorum that already holds topics. */
  readonly allowExistingTopics: boolean;
  /** Import even when the plan has error anomalies (what they name is left out). */
  readonly force: boolean;
  readonly passwordEncoderSecrets: readonly string[];
  readonly importLegacyOffsets: boolean;
  /** How long the quorum may take to commit the import. */
  readonly importTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** What the command needs from the outside world: injected so tests can fake each part. */
export interface MigrateDeps {
  readonly probe: (connectString: string, options: ZkSessionOptions) => Promise<KafkaRootInfo>;
  readonly readTree: (connectString: string, options: ReadZkTreeOptions) => Promise<ZkTree>;
  /** Opens the quorum connection; absent in a dry run without --bootstrap-controller. */
  readonly connectQuorum?: () => Promise<RpcCaller & { close(): Promise<void> }>;
  /** A progress line for stderr. */
  readonly progress: (line: string) => void;
  readonly nowMs: () => number;
  /** Waits between import attempts (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Aborted on Ctrl-C: an import being written is aborted after its step in flight. */
  readonly signal?: AbortSignal;
  /** Told when the import's write starts (true) and ends (false): only then does Ctrl-C wait. */
  readonly onWriting?: (writing: boolean) => void;
}

/** The quorum as the command found it before writing. */
export interface QuorumFacts {
  readonly clusterId: string;
  readonly activeControllerId: number | null;
  readonly topics: number;
  /** Set when the quorum already holds an import. */
  readonly alreadyImported: boolean;
  /** The quorum's finalized metadata.version level; null when it could not be read. */
  readonly metadataVersion: number | null;
}

export interface MigrateReport {
  readonly mode: MigrateMode;
  readonly zookeeper: { readonly connect: string; readonly root: string; readonly summary: string; readonly nodesRead: number; readonly readErrors: number; readonly readMs: number };
  readonly quorum: QuorumFacts | null;
  readonly plan: {
    readonly clusterId: string | null;
    readonly controllerEpoch: number | null;
    readonly counts: MigrationPlan['counts'];
    readonly anomalies: MigrationPlan['anomalies'];
    readonly skipped: MigrationPlan['skipped'];
    readonly notImported: MigrationPlan['notImported'];
    readonly brokersOnlyInAssignments: readonly number[];
    readonly mintedTopicIds: MigrationPlan['mintedTopicIds'];
  };
  /** Why the import would not (dry run) or did not go ahead; empty when it can. */
  readonly refusals: readonly string[];
  /** Import mode, once written (or found already done). */
  readonly imported: { readonly alreadyImported: boolean; readonly recordsWritten: number; readonly brokersSkipped: number; readonly writeMs: number } | null;
  /** Verify mode. */
  readonly verify: ImportDiff | null;
  /** The outcome in one sentence. */
  readonly summary: string;
  /** False when the command should exit 1: refused, or differences found. */
  readonly ok: boolean;
}

/** A failure that ends the command before a report can be made (exit code on the error). */
export class MigrateError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'MigrateError';
  }
}

const PROGRESS_EVERY_MS = 1_000;
/**
 * Records per import part: each part is one controller operation (a step of the import session),
 * costing the active controller's event loop tens of milliseconds. Half the controllers' default
 * maxRecordsPerOperation; a controller that takes fewer says so when the import begins.
 */
const IMPORT_PART_RECORDS = 5_000;
/** Bounds one try of one import step (a part commits in well under a second on a healthy quorum). */
const IMPORT_STEP_TIMEOUT_MS = 30_000;

export async function runMigration(options: MigrateOptions, deps: MigrateDeps): Promise<MigrateReport> {
  const quorumConnection = deps.connectQuorum === undefined ? null : await deps.connectQuorum();
  try {
    return await migrate(options, deps, quorumConnection);
  } finally {
    await quorumConnection?.close().catch(() => undefined);
  }
}

async function migrate(options: MigrateOptions, deps: MigrateDeps, quorum: RpcCaller | null): Promise<MigrateReport> {
  const call = { timeoutMs: options.requestTimeoutMs };
  // 1. The quorum first: unreachable or of another cluster is found in a second, not after the walk.
  let facts: QuorumFacts | null = null;
  let reservedTopicIds: Set<Uuid> | undefined;
  let quorumTopicNames: ReadonlySet<string> = new Set();
  let controllerOnlyIds: readonly number[] = [];
  if (quorum !== null) {
    const node = await quorum.call('describeNode', {}, call);
    const topics = await quorum.call('describeTopics', {}, call);
    // Voters that hold no broker registration: controllers only (split mode, as `dev` runs by default).
    // describeCluster needs the active controller; a dry run or verify without one goes on without the check.
    try {
      const registered = new Set((await quorum.call('describeCluster', {}, call)).brokers.map((b) => b.brokerId));
      controllerOnlyIds = node.voters.map((v) => v.id).filter((id) => !registered.has(id));
    } catch (e) {
      if (options.mode === 'import') throw e;
      deps.progress(`quorum: the registered brokers are unknown (${e instanceof Error ? e.message : String(e)}): replicas on controller ids are not checked`);
    }
    const alreadyImported = node.zkMigrationState !== 0;
    facts = { clusterId: node.clusterId, activeControllerId: node.activeControllerId ?? node.nodeId, topics: topics.topics.length, alreadyImported, metadataVersion: await finalizedMetadataVersion(quorum, call) };
    reservedTopicIds = new Set(topics.topics.map((t) => t.topicId));
    quorumTopicNames = new Set(topics.topics.map((t) => t.name));
    deps.progress(`quorum: cluster ${facts.clusterId}, active controller ${facts.activeControllerId}, ${facts.topics} topic(s)${alreadyImported ? ', already holds an import' : ''}`);
  }

  // 2. What the root holds (a few requests), before walking it.
  const session: ZkSessionOptions = { connectTimeoutMs: options.zkConnectTimeoutMs, ...(options.zkAuth === undefined ? {} : { auth: options.zkAuth }) };
  const root = await deps.probe(options.zookeeperConnect, session);
  deps.progress(`zookeeper: ${root.summary}`);
  if (!root.looksLikeKafka) throw new MigrateError(`not a Kafka tree: ${root.summary}`);

  // 3. The walk, with progress about once a second.
  const readStart = deps.nowMs();
  let lastProgress = readStart;
  const tree = await deps.readTree(options.zookeeperConnect, {
    ...session,
    concurrency: options.concurrency,
    roots: kafkaRoots(options),
    onProgress: (p: ZkReadProgress) => {
      const now = deps.nowMs();
      if (now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      deps.progress(`zookeeper: ${p.nodesRead} znodes read, ${p.nodesPending} pending${p.errors > 0 ? `, ${p.errors} unreadable` : ''}`);
    },
  });
  const readMs = deps.nowMs() - readStart;
  deps.progress(`zookeeper: read ${tree.nodes.size} znodes in ${readMs} ms${tree.errors.length > 0 ? ` (${tree.errors.length} unreadable)` : ''}`);

  // 4. The plan (pure).
  const plan = planMigration(tree, {
    random: { next: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48 },
    passwordEncoderSecrets: options.passwordEncoderSecrets,
    importLegacyOffsets: options.importLegacyOffsets,
    // The quorum's topic ids are a conflict only for an import still to come: after one, they
    // are the ids that import brought (and verify compares them instead).
    ...(reservedTopicIds === undefined || options.mode === 'verify' || facts?.alreadyImported === true ? {} : { reservedTopicIds }),
  });
  const c = plan.counts;
  deps.progress(`plan: ${c.records} records (${c.brokers} brokers, ${c.topics} topics, ${c.partitions} partitions, ${c.topicConfigs + c.brokerConfigs} configs, ${c.offsetCommits} offsets, ${c.acls} ACLs, ${c.clientQuotas} client quotas, ${c.scramCredentials} SCRAM credentials), ${plan.anomalies.length} anomalies`);

  const base = {
    mode: options.mode,
    zookeeper: { connect: options.zookeeperConnect, root: root.root, summary: root.summary, nodesRead: tree.nodes.size, readErrors: tree.errors.length, readMs },
    quorum: facts,
    plan: {
      clusterId: plan.clusterId,
      controllerEpoch: plan.controllerEpoch,
      counts: plan.counts,
      anomalies: plan.anomalies,
      skipped: plan.skipped,
      notImported: plan.notImported,
      brokersOnlyInAssignments: plan.brokersOnlyInAssignments,
      mintedTopicIds: plan.mintedTopicIds,
    },
  };

  // A quorum of another cluster: its contents, however alike, are not this cluster's import.
  const otherCluster = isOtherCluster(plan, facts);
  if (options.mode === 'verify') {
    if (quorum === null) throw new MigrateError('--verify compares with the quorum: give --bootstrap-controller', 2);
    const exported = await quorum.call('exportMetadata', {}, call);
    const verify = diffImport(plan, exported.records);
    const n = verify.differences.length;
    // What ZooKeeper holds but the plan could not read or use (error anomalies) is in neither side
    // of the comparison: an import made with --force left it out, and a clean diff says nothing
    // about it (a review saw "verified" for a quorum missing a topic). Not verified, then.
    // No /cluster/id is not a part left out of the import (an import took the quorum's id for it).
    const uncompared = plan.anomalies.filter((a) => a.severity === 'error' && a.kind !== 'missing-cluster-id');
    const first = uncompared[0];
    return {
      ...base,
      refusals: [],
      imported: null,
      verify,
      ok: n === 0 && first === undefined && !otherCluster,
      summary:
        n > 0
          ? `${n} difference(s) between ZooKeeper and the quorum`
          : otherCluster
            ? `not verified: ZooKeeper holds cluster ${plan.clusterId} but the quorum was formatted as ${facts?.clusterId}`
            : first !== undefined
            ? `not verified: ${uncompared.length} part(s) of ZooKeeper could not be read or planned, so they were not compared (first: ${first.path}: ${first.message})`
            : `verified: the quorum holds what ZooKeeper holds (${verify.compared.topics} topics, ${verify.compared.partitions} partitions)`,
    };
  }

  const refusals = refusalsOf(plan, facts, options, { topicNames: quorumTopicNames, controllerOnlyIds });
  if (options.mode === 'dry-run') {
    const verdict =
      facts === null
        ? `dry run: nothing written (no --bootstrap-controller: the quorum was not checked)${refusals.length === 0 ? '' : `; the import would be refused (${refusals.length} reason(s))`}`
        : facts.alreadyImported && !otherCluster
          ? 'dry run: nothing written; the quorum already holds an import, so the import would be a no-op'
          : refusals.length === 0
            ? `dry run: nothing written; the import of ${c.records} records would go ahead`
            : `dry run: nothing written; the import would be refused (${refusals.length} reason(s))`;
    return { ...base, refusals, imported: null, verify: null, ok: (facts?.alreadyImported === true && !otherCluster) || refusals.length === 0, summary: verdict };
  }

  // 5. Import.
  if (quorum === null || facts === null) throw new MigrateError('importing needs --bootstrap-controller', 2);
  if (facts.alreadyImported && !otherCluster) {
    return { ...base, refusals: [], imported: { alreadyImported: true, recordsWritten: 0, brokersSkipped: 0, writeMs: 0 }, verify: null, ok: true, summary: 'already imported: the quorum holds a completed import (ZkMigrationState); nothing written' };
  }
  if (refusals.length > 0) {
    return { ...base, refusals, imported: null, verify: null, ok: false, summary: `import refused, nothing written: ${refusals[0]}${refusals.length > 1 ? ` (and ${refusals.length - 1} more)` : ''}` };
  }
  const writeStart = deps.nowMs();
  deps.progress(`quorum: writing ${c.records} records in parts of up to ${IMPORT_PART_RECORDS}, as one transaction: nothing is visible until the last has committed…`);
  let response: ImportMetadataResponse;
  deps.onWriting?.(true);
  try {
    response = await writeImport(
      plan.records,
      // No cluster id in ZooKeeper gets this far only with no /cluster/id at all and --take-quorum-cluster-id (refusalsOf): the quorum's is taken.
      { clusterId: plan.clusterId ?? facts!.clusterId, allowExisting: options.allowExistingTopics, partRecords: IMPORT_PART_RECORDS, deadlineMs: writeStart + options.importTimeoutMs, stepTimeoutMs: IMPORT_STEP_TIMEOUT_MS },
      {
        quorum,
        progress: deps.progress,
        nowMs: deps.nowMs,
        sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        newImportId: () => randomBytes(8).toString('hex'),
        ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
      },
    );
  } catch (e) {
    if (e instanceof ImportNotWrittenError || e instanceof ImportCancelledError) throw new MigrateError(`the import of ${c.records} records: ${e.message}`);
    throw e;
  } finally {
    deps.onWriting?.(false);
  }
  const writeMs = deps.nowMs() - writeStart;
  if (response.errorCode !== 0) {
    return { ...base, refusals: [response.errorMessage ?? `error code ${response.errorCode}`], imported: null, verify: null, ok: false, summary: `import refused by the quorum, nothing written: ${response.errorMessage ?? `error code ${response.errorCode}`}` };
  }
  deps.progress(`quorum: ${response.recordsWritten} records written and committed in ${writeMs} ms`);
  const imported = { alreadyImported: response.alreadyImported, recordsWritten: response.recordsWritten, brokersSkipped: response.brokersSkipped, writeMs };
  const summary = response.alreadyImported
    ? // Not "nothing written": the quorum held no import when this run began, so an earlier try of
      // this request (re-sent after a leader change) or another run wrote it meanwhile.
      'already imported: the quorum holds a completed import (ZkMigrationState), written while this command ran (by an earlier try of its request, or by another run); run --verify to compare it with ZooKeeper'
    : `imported ${c.topics} topics, ${c.partitions} partitions, ${c.brokers - response.brokersSkipped} brokers, ${c.topicConfigs + c.brokerConfigs} configs, ${c.offsetCommits} offsets, ${c.acls} ACLs, ${c.clientQuotas} client quotas, ${c.scramCredentials} SCRAM credentials: ${response.recordsWritten} records in one transaction`;
  return { ...base, refusals: [], imported, verify: null, ok: true, summary };
}

/** The quorum was formatted with another cluster id than ZooKeeper's (false when either is unknown). */
function isOtherCluster(plan: MigrationPlan, quorum: QuorumFacts | null): quorum is QuorumFacts {
  return quorum !== null && plan.clusterId !== null && quorum.clusterId !== plan.clusterId;
}

/** Why an import of this plan into this quorum must not go ahead (empty: it may). */
export function refusalsOf(
  plan: MigrationPlan,
  quorum: QuorumFacts | null,
  options: Pick<MigrateOptions, 'allowExistingTopics' | 'force' | 'takeQuorumClusterId'>,
  quorumNodes: { readonly topicNames?: ReadonlySet<string>; readonly controllerOnlyIds?: readonly number[] } = {},
): string[] {
  const quorumTopicNames = quorumNodes.topicNames ?? new Set<string>();
  const out: string[] = [];
  if (plan.clusterId === null) {
    // No /cluster/id at all (Kafka before 0.10.1 wrote none): with --take-quorum-cluster-id the
    // import takes the quorum's, as there is none to keep and none to clash with. One that is there
    // but unreadable or invalid is never replaced.
    if (plan.anomalies.some((a) => a.kind === 'missing-cluster-id')) {
      if (options.takeQuorumClusterId !== true) out.push("ZooKeeper has no /cluster/id (Kafka before 0.10.1 wrote none; or is this the wrong chroot?): pass --take-quorum-cluster-id to import the tree under the quorum's cluster id");
    } else out.push('ZooKeeper has no usable /cluster/id (see its anomaly), so there is no cluster id to keep: fix it in ZooKeeper');
  } else if (isOtherCluster(plan, quorum)) {
    out.push(
      `ZooKeeper holds cluster ${plan.clusterId} but the quorum was formatted as ${quorum.clusterId}, and a cluster id is fixed at format: ` +
        `stop the quorum, empty every node's metadata.log.dir and log.dirs, ` +
        `run metaquorum format --config <file> --cluster-id ${plan.clusterId} on each node (or metaquorum dev --data-dir <new dir> --cluster-id ${plan.clusterId}), start it and run this again`,
    );
  }
  if (quorum !== null && !quorum.alreadyImported && quorum.topics > 0 && !options.allowExistingTopics) {
    out.push(`the quorum already holds ${quorum.topics} topic(s); pass --allow-existing-topics to import beside them`);
  }
  // The controller refuses a Topic record whose name the quorum already uses (replay): say so here,
  // so that a dry run does not promise an import the quorum will refuse.
  if (quorum !== null && !quorum.alreadyImported) {
    const clashing = plan.records.flatMap((r) => (r.type === 'Topic' && quorumTopicNames.has(r.name) ? [r.name] : []));
    if (clashing.length > 0) {
      const shown = clashing.slice(0, 5).join(', ') + (clashing.length > 5 ? `, … (${clashing.length})` : '');
      out.push(`${clashing.length} topic(s) of ZooKeeper already exist in the quorum under the same name (${shown}): delete them from the quorum first, or mark them for deletion in ZooKeeper`);
    }
  }
  // Replicas on a broker id that is one of the quorum's controller-only nodes can never get a live
  // leader (no broker can take that id): every such partition would stay offline until each is
  // moved off by hand with reassign-partitions. Kafka clusters with brokers 1-3 meet this with `dev`'s default
  // shape (controllers 1-3, brokers 4-6).
  if (quorum !== null && !quorum.alreadyImported && !options.force) {
    const controllers = new Set(quorumNodes.controllerOnlyIds ?? []);
    const onControllers = new Set<number>();
    let partitions = 0;
    for (const r of plan.records) {
      if (r.type !== 'Partition') continue;
      const hit = r.replicas.filter((id) => controllers.has(id));
      if (hit.length > 0) partitions++;
      for (const id of hit) onControllers.add(id);
    }
    if (onControllers.size > 0) {
      const ids = [...onControllers].sort((a, b) => a - b).join(', ');
      out.push(
        `${partitions} partition(s) have replicas on broker id(s) ${ids}, which are controller-only nodes of this quorum: no broker can take those ids, so those replicas never come online. ` +
          "Give the quorum's brokers the Kafka brokers' ids (and the controllers other ids, or run combined nodes), or pass --force",
      );
    }
  }
  // The controller refuses a record its finalized metadata.version does not allow (ACLs need
  // 1.0-IV3, client quotas 1.0-IV5, SCRAM credentials 1.0-IV6): say so here, with the upgrade to run, so that a dry run does
  // not promise it.
  if (quorum !== null && !quorum.alreadyImported && quorum.metadataVersion !== null) {
    out.push(...levelRefusals(plan.records, quorum.metadataVersion));
  }
  // The missing cluster id is dealt with above (refused, or the quorum's taken): not one of the errors --force overrides.
  const blocking = blockingAnomalies(plan).filter((a) => a.kind !== 'missing-cluster-id');
  if (blocking.length > 0 && !options.force) {
    out.push(`the plan has ${blocking.length} error(s) (${anomalySample(blocking)}); fix them in ZooKeeper, or pass --force to import without what they name`);
  }
  return out;
}

/**
 * One refusal per kind of planned record the quorum's metadata.version is too low for
 * (importLevelNeed), the highest level first: the upgrade it names covers the others too.
 */
function levelRefusals(records: readonly MetadataRecord[], finalized: number): string[] {
  const short = new Map<string, { level: number; count: number }>();
  for (const r of records) {
    const need = importLevelNeed(r);
    if (need === null || need.level <= finalized) continue;
    const seen = short.get(need.what);
    short.set(need.what, { level: need.level, count: (seen?.count ?? 0) + 1 });
  }
  return [...short].sort(([, a], [, b]) => b.level - a.level).map(
    ([what, { level, count }]) =>
      `the plan holds ${what} (${count} record(s)), which need metadata.version ${metadataVersionName(level)} (level ${level}), and the quorum is at ${metadataVersionName(finalized)} (level ${finalized}): ` +
      `run metaquorum features upgrade --metadata ${metadataVersionName(level)} first`,
  );
}

/** The quorum's finalized metadata.version; null when the node asked cannot say (the import itself checks it). */
async function finalizedMetadataVersion(quorum: RpcCaller, call: { readonly timeoutMs: number }): Promise<number | null> {
  try {
    const features = await quorum.call('describeFeatures', {}, call);
    return features.features.find((f) => f.name === METADATA_VERSION_FEATURE)?.finalizedLevel ?? null;
  } catch {
    return null;
  }
}

function anomalySample(list: readonly Anomaly[]): string {
  const shown = list.slice(0, 3).map((a) => `${a.kind} at ${a.path}`);
  return list.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}
