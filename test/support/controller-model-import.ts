// The ZooKeeper import (quorum/controller/migration/import-metadata.ts) as a command of the
// controller model (controller-model.ts), so that imports meet whatever state the other commands
// left: topics (names the import may clash with), brokers registered, silent, restarted or gone,
// offsets, producer ids, an earlier import, a controller cut off or just replaced.
//
// ImportTree drives the steps itself (begin, parts of the size the begin answer allows, end), as
// tools/migrate/import-writer.ts does, and may interrupt the session once, after one of its parts:
//   busy      another write is refused as busy (CONTROLLER_BUSY) and a read does not see the
//             import (an imported topic is unknown, and a validateOnly create of it is accepted)
//   failover  the active controller crashes or stops: the next step finds no session
//             (INVALID_TXN_STATE), and the import starts again under a new id
//   idle      no step for longer than the idle timeout: the same
//   abort     the importer aborts: nothing of the import becomes visible
// The tree: topics with partitions on the registered brokers (leader -1, or the first replica
// where the model knows that broker unfenced: an imported leader on a fenced broker would break
// the image invariants), a retention.ms config, legacy offsets, registrations of running brokers
// (skipped) and of ids nobody runs (written fenced), a ProducerIds record ahead of or behind the
// quorum's, and optionally one more topic whose name the quorum already uses: that part is refused
// and the import aborted.
//
// The model: the import lands whole (topics, configs, offsets, registrations, producer ids,
// zkMigrationState) when its end is answered, and nothing of it otherwise; a second import is
// answered alreadyImported. A step may also find its session gone when the active controller
// changed on its own (an earlier IsolateActive still in force): the command then starts again, as
// the importer does.

import fc from 'fast-check';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import type { MetadataRecord, Uuid } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ControllerBusyError } from '../../quorum/controller/event-queue.js';
import { controllerLimits } from '../../quorum/controller/limits.js';
import type { ImportMetadataRequest, ImportMetadataResponse } from '../../quorum/controller/migration/import-metadata.js';
import { Prng } from '../../quorum/sim/prng.js';
import {
  BROKER_IDS,
  count,
  expectCode,
  expectedFence,
  expectEqual,
  FENCE_SLACK_MS,
  ModelCommand,
  mismatch,
  offsetKeyOf,
  UNFENCE_SETTLE_MS,
  type Cmd,
  type ControllerModel,
  type SystemUnderTest,
} from './controller-model.js';
import { CLUSTER_ID } from './controller-sim.js';
import { zkBrokerRegistration } from './zk-tree-records.js';

export type Interruption = 'none' | 'busy' | 'failover' | 'idle' | 'abort';

export interface ImportSpec {
  /** Partitions and replication factor of each imported topic (named zk0, zk1...). */
  readonly topics: readonly { readonly partitions: number; readonly rf: number }[];
  /** One more topic named as the quorum's first topic: its part is refused. */
  readonly clash: boolean;
  /** A registration for a broker id nobody runs (written fenced; a RegisterBroker may take it over). */
  readonly ghostBroker: number | null;
  /** The tree's next producer id, relative to the quorum's (≤ 0: behind it, dropped). */
  readonly producerIdsAhead: number | null;
  readonly allowExisting: boolean;
  readonly interruption: Interruption;
  /** After which part (modulo the number of parts) the interruption comes. */
  readonly interruptAfterPart: number;
  readonly gracefulFailover: boolean;
}

/** A retention.ms each imported topic carries, and the legacy offsets' group. */
const IMPORTED_RETENTION_MS = '3600000';
const LEGACY_GROUP = 'zk-group';
/** Attempts the command makes before it calls the import stuck (one interruption, one leader change). */
const ATTEMPTS_MAX = 4;

interface Plan {
  readonly records: readonly MetadataRecord[];
  readonly topics: ReadonlyMap<string, { readonly partitions: number; readonly rf: number }>;
  readonly ghost: number | null;
  readonly runningSkipped: number;
  readonly nextProducerId: number | null;
  /** The name clashing with the quorum's topic, when the tree has one. */
  readonly clash: string | null;
}

/** A controller call's answer, or its refusal as busy (CONTROLLER_BUSY) as a value; anything else (NOT_CONTROLLER...) throws, so the caller's retry sees it. */
function orBusy<T>(p: Promise<T>): Promise<{ readonly ok: T } | { readonly busy: ControllerBusyError }> {
  return p.then(
    (ok) => ({ ok }),
    (e: unknown) => {
      if (e instanceof ControllerBusyError) return { busy: e };
      throw e;
    },
  );
}

export class ImportTree extends ModelCommand {
  private tries = 0;

  constructor(readonly spec: ImportSpec) {
    super();
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return m.liveness; // the session is the active controller's soft state: the simulator only
  }

  describe(): string {
    const s = this.spec;
    const topics = s.topics.map((t) => `${t.partitions}x${t.rf}`).join(',');
    const extras = [
      s.clash ? 'clash' : '',
      s.ghostBroker !== null ? `ghost broker ${s.ghostBroker}` : '',
      s.producerIdsAhead !== null ? `producer ids ${s.producerIdsAhead >= 0 ? '+' : ''}${s.producerIdsAhead}` : '',
      s.allowExisting ? 'allowExisting' : '',
      s.interruption !== 'none' ? `${s.interruption}${s.interruption === 'failover' ? (s.gracefulFailover ? '(stop)' : '(crash)') : ''} after part #${s.interruptAfterPart}` : '',
    ].filter((x) => x !== '');
    return `ImportTree(topics ${topics}${extras.length > 0 ? `, ${extras.join(', ')}` : ''})`;
  }

  private plan(m: Readonly<ControllerModel>, r: SystemUnderTest): Plan {
    const s = this.spec;
    // Ids drawn from the command and the model's state, so reruns of one counterexample agree.
    const random = new Prng(m.history.length * 7_919 + s.topics.length * 131 + (s.interruptAfterPart + 1) * 17);
    const id = (): Uuid => randomUuid(random);
    const running = [...m.brokers.keys()].sort((a, b) => a - b);
    const records: MetadataRecord[] = [];
    const registration = (brokerId: number): MetadataRecord => zkBrokerRegistration(brokerId, id());
    // A running broker's registration (the import keeps the live one) and maybe a ghost's.
    if (running.length > 0) records.push(registration(running[0]!));
    const ghost = s.ghostBroker !== null && !m.brokers.has(s.ghostBroker) && !m.importedBrokers.has(s.ghostBroker) ? s.ghostBroker : null;
    if (ghost !== null) records.push(registration(ghost));
    const topics = new Map<string, { partitions: number; rf: number }>();
    const unfenced = (b: number) => expectedFence(m as ControllerModel, b, r.nowMs(), r.activeSinceMs()) === 'unfenced';
    const addTopic = (name: string, partitions: number, rfWanted: number) => {
      const topicId = id();
      const rf = Math.max(1, Math.min(rfWanted, running.length));
      records.push({ type: 'Topic', name, topicId });
      records.push({ type: 'Config', resourceType: 'topic', resourceName: name, name: 'retention.ms', value: IMPORTED_RETENTION_MS });
      for (let p = 0; p < partitions; p++) {
        const replicas = Array.from({ length: rf }, (_, k) => running[(p + k) % running.length]!);
        const leader = unfenced(replicas[0]!) ? replicas[0]! : -1;
        records.push({ type: 'Partition', topicId, partitionId: p, replicas, isr: replicas, removingReplicas: [], addingReplicas: [], leader, leaderRecoveryState: 0, leaderEpoch: 2, partitionEpoch: 3 });
      }
      return rf;
    };
    if (running.length > 0) {
      s.topics.forEach((t, i) => topics.set(`zk${i}`, { partitions: t.partitions, rf: addTopic(`zk${i}`, t.partitions, t.rf) }));
      for (const [name] of topics) {
        records.push({ type: 'OffsetCommit', groupId: LEGACY_GROUP, topic: name, partition: 0, offset: 40 + name.length, leaderEpoch: -1, metadata: 'zk', commitTimestampMs: 1_000 });
      }
    }
    const nextProducerId = s.producerIdsAhead === null ? null : Math.max(0, m.nextProducerId + s.producerIdsAhead);
    if (nextProducerId !== null) records.push({ type: 'ProducerIds', brokerId: running[0] ?? 1, brokerEpoch: 0, nextProducerId });
    // Last, so that the parts before it apply and the abort has something to drop.
    const clash = s.clash && running.length > 0 ? ([...m.topics.keys()].sort()[0] ?? null) : null;
    if (clash !== null) addTopic(clash, 1, 1);
    return { records, topics, ghost, runningSkipped: running.length > 0 ? 1 : 0, nextProducerId, clash };
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const s = this.spec;
    const plan = this.plan(m, r);
    const begin = (importId: string) =>
      this.step(m, r, { step: 'begin', importId, clusterId: CLUSTER_ID, allowExisting: s.allowExisting, totalRecords: plan.records.length });

    if (m.imported) {
      const a = this.answered(m, r, 'begin (after an import)', await begin('again'), [ErrorCode.NONE]);
      expectEqual(m, r, 'begin after an import: alreadyImported', a.alreadyImported, true);
      return this.outcome(m, 'already-imported');
    }
    if (m.topics.size > 0 && !s.allowExisting) {
      this.answered(m, r, 'begin beside topics', await begin('beside'), [ErrorCode.INVALID_REQUEST]);
      return this.outcome(m, 'refused-existing');
    }

    let interrupted = false;
    for (this.tries = 1; this.tries <= ATTEMPTS_MAX; this.tries++) {
      const importId = `model-import-${this.tries}`;
      const changesAtBegin = r.activeChanges();
      /** A step found no session: fine after an interruption or a change of active controller. */
      const sessionGone = (a: ImportMetadataResponse, what: string): boolean => {
        if (a.errorCode !== ErrorCode.INVALID_TXN_STATE) return false;
        if (!interrupted && r.activeChanges() === changesAtBegin) mismatch(m, r, `import ${what}: INVALID_TXN_STATE (${a.errorMessage ?? ''}) with the session's controller still active and nothing interrupting it`);
        return true;
      };
      const begun = this.answered(m, r, 'begin', await begin(importId), [ErrorCode.NONE, ErrorCode.CONCURRENT_TRANSACTIONS]);
      if (begun.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS) {
        // An earlier session still being aborted (its abort waits on Raft): try again shortly.
        await r.runFor(controllerLimits.importAbortRetryMs + 100);
        continue;
      }
      expectEqual(m, r, 'begin: alreadyImported', begun.alreadyImported, false);
      const perPart = begun.partRecordsMax ?? mismatch(m, r, 'begin answered no partRecordsMax');
      const parts: MetadataRecord[][] = [];
      for (let i = 0; i < plan.records.length; i += perPart) parts.push(plan.records.slice(i, i + perPart));
      const interruptAt = interrupted || s.interruption === 'none' || parts.length === 0 ? -1 : s.interruptAfterPart % parts.length;

      let gone = false;
      let written = begun.recordsWritten; // the BeginTransaction
      for (let k = 0; k < parts.length && !gone; k++) {
        const part = parts[k]!;
        const clashes = plan.clash !== null && part.some((x) => x.type === 'Topic' && x.name === plan.clash);
        const a = this.answered(m, r, `part ${k}`, await this.step(m, r, { step: 'part', importId, part: k, records: part }), [
          clashes ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE,
          ErrorCode.INVALID_TXN_STATE,
        ]);
        if (sessionGone(a, `part ${k}`)) {
          gone = true;
          break;
        }
        if (clashes) return this.outcome(m, 'refused-clash');
        written += part.filter((x) => !this.dropped(m, plan, x)).length;
        expectEqual(m, r, `part ${k}: records written by the session so far`, a.recordsWritten, written);
        if (k !== interruptAt) continue;
        interrupted = true;
        switch (s.interruption) {
          case 'busy':
            await this.probeWhileOpen(m, r, plan);
            break;
          case 'failover':
            await r.failover(s.gracefulFailover, 200);
            break;
          case 'idle':
            await r.runFor(controllerLimits.importIdleTimeoutMs + 1_500);
            break;
          case 'abort': {
            const aborted = this.answered(m, r, 'abort', await this.step(m, r, { step: 'abort', importId, reason: 'the model aborts it' }), [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE]);
            if (!sessionGone(aborted, 'abort')) await this.settle(r);
            return this.outcome(m, 'aborted');
          }
        }
      }
      if (gone) continue;
      const ended = this.answered(m, r, 'end', await this.step(m, r, { step: 'end', importId }), [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE]);
      if (sessionGone(ended, 'end')) continue;
      this.landed(m, plan);
      if (interrupted) await this.settle(r);
      return this.outcome(m, interrupted ? `landed after ${s.interruption}` : 'landed');
    }
    return mismatch(m, r, `the import did not land in ${ATTEMPTS_MAX} attempts`);
  }

  /** A record the controller leaves out: a running broker's registration, producer ids behind the quorum's. */
  private dropped(m: Readonly<ControllerModel>, plan: Plan, x: MetadataRecord): boolean {
    if (x.type === 'RegisterBroker') return x.brokerId !== plan.ghost;
    return x.type === 'ProducerIds' && x.nextProducerId <= m.nextProducerId;
  }

  /** The model once the end is answered: everything in the tree, as the controller writes it. */
  private landed(m: ControllerModel, plan: Plan): void {
    for (const [name, t] of plan.topics) {
      m.topics.set(name, { partitions: t.partitions, replicationFactor: t.rf, configs: new Map([['retention.ms', IMPORTED_RETENTION_MS]]) });
      m.namesSeen.add(name);
      m.offsets.set(offsetKeyOf(LEGACY_GROUP, name, 0), { group: LEGACY_GROUP, topic: name, partition: 0, offset: 40 + name.length, leaderEpoch: -1, metadata: 'zk' });
    }
    if (plan.ghost !== null) m.importedBrokers.add(plan.ghost);
    if (plan.nextProducerId !== null) m.nextProducerId = Math.max(m.nextProducerId, plan.nextProducerId);
    m.imported = true;
  }

  /** While the session is open: a write is refused as busy, the import is invisible to reads and validations. */
  private async probeWhileOpen(m: ControllerModel, r: SystemUnderTest, plan: Plan): Promise<void> {
    const changes = r.activeChanges();
    const first = [...plan.topics.keys()][0];
    const write = await r.call('createTopics (while importing)', (ops) =>
      orBusy(ops.createTopics({ topics: [{ name: 'probe', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false })),
    );
    if ('ok' in write.value) {
      // Only a new active controller (no session) may take it.
      if (r.activeChanges() === changes) mismatch(m, r, `a create while an import is open was answered ${JSON.stringify(write.value.ok)}, not refused as busy`);
      if (write.value.ok.topics[0]?.errorCode === ErrorCode.NONE) {
        m.topics.set('probe', { partitions: 1, replicationFactor: 1, configs: new Map() });
        m.namesSeen.add('probe');
      }
    } else count(m, 'ImportTree:busy-write', ErrorCode.NONE);
    if (first === undefined) return;
    const validate = await r.call('createTopics validateOnly (while importing)', (ops) =>
      ops.createTopics({ topics: [{ name: first, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: true }),
    );
    const code = validate.value.topics[0]?.errorCode ?? -1;
    // Seen as existing, the import would be visible before its end.
    expectCode(m, r, `validateOnly create of ${first} while the import is open`, code, validate.value.topics[0]?.errorMessage ?? null, [ErrorCode.NONE, ErrorCode.POLICY_VIOLATION, ErrorCode.INVALID_REPLICATION_FACTOR]);
    const described = await r.call('describeConfigs (while importing)', (ops) => ops.describeConfigs({ resources: [{ resourceType: 'topic', resourceName: first, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }));
    expectCode(m, r, `describeConfigs of ${first} while the import is open`, described.value.results[0]?.errorCode ?? -1, null, [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  }

  /**
   * After a session was open for long (an idle wait) or cut short: the brokers' heartbeats that
   * would fence or unfence were refused as busy meanwhile, so give them time before verify.
   */
  private async settle(r: SystemUnderTest): Promise<void> {
    await r.runFor(UNFENCE_SETTLE_MS + FENCE_SLACK_MS);
  }

  /** One import step; a refusal as busy is a mismatch (only other writes wait for an import). */
  private async step(m: ControllerModel, r: SystemUnderTest, request: ImportMetadataRequest): Promise<ImportMetadataResponse> {
    const { value } = await r.call(`importMetadata ${request.step}`, (ops) => orBusy(ops.importMetadata(request)));
    return 'ok' in value ? value.ok : mismatch(m, r, `importMetadata ${request.step} was refused as busy: ${value.busy.message}`);
  }

  private answered(m: ControllerModel, r: SystemUnderTest, what: string, a: ImportMetadataResponse, codes: readonly number[]): ImportMetadataResponse {
    expectCode(m, r, `import ${what}`, a.errorCode, a.errorMessage, codes);
    return a;
  }

  private outcome(m: ControllerModel, what: string): string {
    count(m, `ImportTree:${what}`, ErrorCode.NONE);
    return `${what}${this.tries > 1 ? ` (attempt ${this.tries})` : ''}`;
  }
}

const interruptionArb = fc.constantFrom<Interruption>('none', 'busy', 'failover', 'idle', 'abort');

export const importSpecArb: fc.Arbitrary<ImportSpec> = fc.record({
  topics: fc.array(fc.record({ partitions: fc.integer({ min: 1, max: 4 }), rf: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 }),
  clash: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  ghostBroker: fc.option(fc.constantFrom(...BROKER_IDS, 9), { nil: null }),
  producerIdsAhead: fc.option(fc.integer({ min: -2_000, max: 5_000 }), { nil: null }),
  allowExisting: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  interruption: interruptionArb,
  interruptAfterPart: fc.nat({ max: 5 }),
  gracefulFailover: fc.boolean(),
});

/** The import command arbitraries (simulator only; added beside commandArbs(true)). */
export function importCommandArbs(): fc.Arbitrary<Cmd>[] {
  return [importSpecArb.map((spec) => new ImportTree(spec))];
}
