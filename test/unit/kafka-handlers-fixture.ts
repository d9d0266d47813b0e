// A KafkaContext for handler tests: a broker image built from real records (MetadataImage via
// replay), and a fake controller channel that records every call and either runs the real
// controller operation against an OpHarness (so answers are the controller's own), answers a
// canned response, or throws (a RemoteError, a timeout, a lost connection).
//
// The broker's image follows the harness's by default (a broker that has caught up); `lagging`
// freezes it, to show what a broker whose image is behind the controller answers.

import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import type { Endpoint, MetadataRecord } from '../../metadata-log/records/types.js';
import { alterConfigs, incrementalAlterConfigs } from '../../quorum/controller/configs/incremental-alter-configs.js';
import { alterClientQuotas } from '../../quorum/controller/configs/client-quotas.js';
import { alterUserScramCredentials } from '../../quorum/controller/configs/scram-credentials.js';
import { commitOffsets, deleteGroups, deleteOffsets, expireOffsets, fetchOffsetsOp } from '../../quorum/controller/configs/offsets.js';
import type { OpResult } from '../../quorum/controller/op.js';
import { electLeaders } from '../../quorum/controller/replication/elect-leaders.js';
import { alterPartitionReassignments, listPartitionReassignments } from '../../quorum/controller/replication/reassignments.js';
import { RemoteError } from '../../quorum/net/types.js';
import { errorName } from '../../quorum/controller/errors.js';
import type { RpcCaller, RpcMethod, RpcRequest, RpcResponse } from '../../quorum/server/rpc-methods.js';
import type { KafkaContext, KafkaHandler } from '../../broker/kafka/handlers/context.js';
import { KAFKA_APIS, KafkaReader, KafkaWriter, type KafkaApiCodec, type KafkaApiName, type KafkaApiTypes } from '../../broker/kafka/protocol/index.js';
import { decodeResponseBody, encodeRequestBody } from '../../tools/kafka-client/mirror-codec.js';
import { ManualClock } from '../support/manual-clock.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type GroupCoordinatorConfig } from '../../broker/kafka/groups/group-coordinator.js';
import { coordinatorOf, liveBrokerIds } from '../../metadata-log/group-ownership.js';
import { brokerRecord, mvRecord, OpHarness, topicRecords } from './controller-configs-fixture.js';

export { brokerRecord, configRecord, mvRecord, topicRecords } from './controller-configs-fixture.js';

export interface RecordedCall {
  readonly method: RpcMethod;
  readonly request: unknown;
  readonly timeoutMs: number | undefined;
  readonly retryAmbiguous?: boolean;
}

type Canned = { [M in RpcMethod]?: (request: RpcRequest<M>) => RpcResponse<M> };

/** The fake channel to the active controller. */
export class FakeController implements RpcCaller {
  readonly calls: RecordedCall[] = [];
  /** Thrown by every call while set. */
  failure: Error | null = null;
  /** Answers that replace the real operation's. */
  readonly canned: Canned = {};

  constructor(readonly harness: OpHarness) {}

  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options?: { readonly timeoutMs?: number; readonly retryAmbiguous?: boolean }): Promise<RpcResponse<M>> {
    this.calls.push({ method, request: structuredClone(request), timeoutMs: options?.timeoutMs, ...(options?.retryAmbiguous === undefined ? {} : { retryAmbiguous: options.retryAmbiguous }) });
    await Promise.resolve(); // an answer is never synchronous
    if (this.failure !== null) throw this.failure;
    const canned = this.canned[method] as ((r: RpcRequest<M>) => RpcResponse<M>) | undefined;
    if (canned !== undefined) return canned(request);
    const h = this.harness;
    const run = (result: OpResult<unknown>): RpcResponse<M> => h.apply(result) as RpcResponse<M>;
    switch (method) {
      case 'commitOffsets':
        return run(commitOffsets(h.ctx(), request as RpcRequest<'commitOffsets'>));
      case 'fetchOffsets':
        return run(fetchOffsetsOp(h.ctx(), request as RpcRequest<'fetchOffsets'>));
      case 'deleteGroups':
        return run(deleteGroups(h.ctx(), request as RpcRequest<'deleteGroups'>));
      case 'deleteOffsets':
        return run(deleteOffsets(h.ctx(), request as RpcRequest<'deleteOffsets'>));
      case 'expireOffsets':
        return run(expireOffsets(h.ctx(), request as RpcRequest<'expireOffsets'>));
      case 'alterConfigs':
        return run(alterConfigs(h.ctx(), request as RpcRequest<'alterConfigs'>));
      case 'incrementalAlterConfigs':
        return run(incrementalAlterConfigs(h.ctx(), request as RpcRequest<'incrementalAlterConfigs'>));
      case 'alterClientQuotas':
        return run(alterClientQuotas(h.ctx(), request as RpcRequest<'alterClientQuotas'>));
      case 'alterUserScramCredentials':
        return run(alterUserScramCredentials(h.ctx(), request as RpcRequest<'alterUserScramCredentials'>));
      case 'alterPartitionReassignments':
        return run(alterPartitionReassignments(h.ctx(), request as RpcRequest<'alterPartitionReassignments'>));
      case 'electLeaders':
        return run(electLeaders(h.ctx(), request as RpcRequest<'electLeaders'>));
      case 'listPartitionReassignments':
        return listPartitionReassignments(h.image, request as RpcRequest<'listPartitionReassignments'>) as RpcResponse<M>;
      default:
        throw new Error(`the fake controller does not serve ${method}`);
    }
  }

  methods(): RpcMethod[] {
    return this.calls.map((c) => c.method);
  }
}

export function remoteError(code: number, message = `remote ${errorName(code)}`): RemoteError {
  return new RemoteError({ code, name: errorName(code), message });
}

export interface HandlerTestbed {
  readonly ctx: KafkaContext;
  readonly harness: OpHarness;
  readonly controller: FakeController;
  /** Drives the group coordinator's timers. */
  readonly clock: ManualClock;
  /** Freeze the broker's image at the harness's current one (true) or follow it again (false). */
  lagging(on: boolean): void;
  /** Replace the broker's image outright (e.g. one where it is not registered). */
  setBrokerImage(image: MetadataImageView | null): void;
}

export interface TestbedOptions {
  readonly brokerId?: number;
  readonly listenerName?: string;
  /** Extra records after metadata.version, brokers 1-3 and topics t1 (3 partitions), t2 (1). */
  readonly records?: readonly MetadataRecord[];
  /** Replaces the default cluster records entirely. */
  readonly baseRecords?: readonly MetadataRecord[];
  readonly controllerTimeoutMs?: number;
  readonly groups?: Partial<GroupCoordinatorConfig>;
}

export function withEndpoints(record: MetadataRecord, endpoints: readonly Endpoint[]): MetadataRecord {
  if (record.type !== 'RegisterBroker') throw new Error('not a RegisterBroker record');
  return { ...record, endpoints };
}

export function defaultCluster(): MetadataRecord[] {
  return [mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11), brokerRecord(3, 12), ...topicRecords('t1', 1, 3), ...topicRecords('t2', 2, 1)];
}

/** defaultCluster() with brokers 2 and 3 fenced: broker 1, the only live one, coordinates every group. */
export function oneLiveBroker(): MetadataRecord[] {
  return [mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11, { fenced: true }), brokerRecord(3, 12, { fenced: true }), ...topicRecords('t1', 1, 3), ...topicRecords('t2', 2, 1)];
}

export function testbed(options: TestbedOptions = {}): HandlerTestbed {
  const harness = new OpHarness([...(options.baseRecords ?? defaultCluster()), ...(options.records ?? [])]);
  const controller = new FakeController(harness);
  const clock = new ManualClock();
  let frozen: MetadataImage | null = null;
  let replaced: MetadataImageView | null = null;
  const ctx: KafkaContext = {
    brokerId: options.brokerId ?? 1,
    // The epoch it registered with, as the controller's image holds it.
    brokerEpoch: () => harness.image.broker(options.brokerId ?? 1)?.brokerEpoch ?? -1,
    clusterId: 'mq-handlers-test',
    image: () => replaced ?? frozen ?? harness.image,
    controller,
    listenerName: options.listenerName ?? 'PLAINTEXT',
    autoCreateTopicsEnable: false,
    controllerTimeoutMs: options.controllerTimeoutMs ?? 3_000,
    // The broker image here changes only with the harness (synchronously), so a wait is one look.
    awaitImage: async (test) => test(ctx.image()),
    groups: new GroupCoordinator(clock, { ...DEFAULT_GROUP_COORDINATOR_CONFIG, initialRebalanceDelayMs: 0, ...options.groups }),
  };
  return {
    ctx,
    harness,
    controller,
    clock,
    lagging(on) {
      frozen = on ? harness.image : null;
    },
    setBrokerImage(image) {
      replaced = image;
    },
  };
}

/**
 * The whole path a client sees: the request encoded as a client would, decoded by our codec,
 * handled, our response encoded and decoded as a client reads it (fields a version lacks drop out).
 */
export async function overTheWire<N extends KafkaApiName>(
  api: N,
  version: number,
  request: KafkaApiTypes[N][0],
  handler: KafkaHandler<KafkaApiTypes[N][0], KafkaApiTypes[N][1]>,
  ctx: KafkaContext,
): Promise<KafkaApiTypes[N][1]> {
  const codec = KAFKA_APIS[api] as unknown as KafkaApiCodec<N>;
  const decoded = codec.decodeRequest(version, new KafkaReader(encodeRequestBody(api, version, request)));
  const response = await handler(ctx, decoded, version);
  const w = new KafkaWriter();
  codec.encodeResponse(version, w, response);
  return decodeResponseBody(api, version, w.toBuffer());
}

/** A group id that broker `brokerId` coordinates in `ctx`'s image (`prefix`, then `prefix-1`, ...). */
export function groupOwnedBy(ctx: KafkaContext, brokerId: number, prefix = 'g'): string {
  const live = liveBrokerIds(ctx.image());
  for (let i = 0; i < 10_000; i++) {
    const id = i === 0 ? prefix : `${prefix}-${i}`;
    if (coordinatorOf(live, id) === brokerId) return id;
  }
  throw new Error(`no group id with prefix ${prefix} is coordinated by broker ${brokerId}`);
}
