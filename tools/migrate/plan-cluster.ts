// The cluster-wide nodes: /cluster/id, /controller_epoch, /controller and /migration (is Apache
// Kafka already migrating this tree?), /feature, and /latest_producer_id_block. zk-layout.md §1,
// §6, §9.

import type { ProducerIdsRecord } from '../../metadata-log/records/types.js';
import { isValidClusterId } from '../config/cluster-id.js';
import type { PlanContext } from './plan-types.js';
import { decimalTextOf, jsonOf, requiredJsonOf, textOf } from './zk-json.js';

export const CLUSTER_ID_PATH = '/cluster/id';
export const CONTROLLER_EPOCH_PATH = '/controller_epoch';
export const CONTROLLER_PATH = '/controller';
export const MIGRATION_PATH = '/migration';
export const FEATURE_PATH = '/feature';
export const PRODUCER_ID_BLOCK_PATH = '/latest_producer_id_block';

/** /cluster/id: {"version":"1","id":"<22-char Kafka Uuid>"} (version is a string). */
export function readClusterId(ctx: PlanContext): string | null {
  const path = CLUSTER_ID_PATH;
  if (ctx.isUnreadable(path)) return null; // reported with the unreadable nodes
  const node = ctx.node(path);
  if (node === undefined) {
    ctx.anomaly(path, 'missing-cluster-id', 'error', 'no /cluster/id: Kafka 0.10.1 and later write it on their first start (an older tree has none; --take-quorum-cluster-id imports it under the quorum\'s); or is this the wrong chroot?');
    return null;
  }
  const id = ctx.guard('the cluster id is unknown', () => {
    const json = requiredJsonOf(path, node, '{"version":"1","id":...}');
    // Kafka writes "1" (a string); its reader ignores the version, and so does ours, beyond reporting.
    ctx.checkVersion(path, json.version(), ['1', 1], 'version "1"');
    return json.str('id');
  });
  if (id === undefined) return null;
  if (!isValidClusterId(id)) {
    ctx.anomaly(path, 'invalid-cluster-id', 'error', `cluster id ${JSON.stringify(id)} is not a Kafka Uuid (22 characters of URL-safe base64, not zero); a quorum cannot be formatted with it`);
  }
  return id;
}

/** /controller_epoch: plain decimal text. Not imported (no KRaft record holds it); used to check state nodes. */
export function readControllerEpoch(ctx: PlanContext): number | null {
  const path = CONTROLLER_EPOCH_PATH;
  if (ctx.isUnreadable(path)) return null;
  const epoch = ctx.guard('the controller epoch is unknown', () => {
    const text = textOf(path, ctx.node(path));
    if (text === null) return null;
    const v = decimalTextOf(path, text);
    if (v < 0n || v > 0x7fffffffn) {
      ctx.anomaly(path, 'malformed-text', 'warning', `controller epoch ${v} is not an int32 epoch; ignored`);
      return null;
    }
    return Number(v);
  });
  return epoch ?? null;
}

/** /migration, or a KRaft controller in /controller (kraftControllerEpoch >= 0): Apache Kafka is migrating this tree. */
export function checkKafkaMigration(ctx: PlanContext): void {
  if (ctx.node(MIGRATION_PATH) !== undefined || ctx.unreadable.has(MIGRATION_PATH)) {
    ctx.anomaly(MIGRATION_PATH, 'kraft-migration-in-progress', 'error', "Apache Kafka's own ZooKeeper migration (KIP-866) has started on this tree: /migration exists");
  }
  const path = CONTROLLER_PATH;
  if (ctx.isUnreadable(path)) return;
  ctx.guard(
    'cannot tell whether a KRaft controller holds it',
    () => {
      const json = jsonOf(path, ctx.node(path));
      if (json === null) return;
      ctx.checkVersion(path, json.version(), [1, 2], 'version 2');
      const kraftEpoch = json.optInt('kraftControllerEpoch', -1);
      if (kraftEpoch !== undefined && kraftEpoch >= 0) {
        ctx.anomaly(path, 'kraft-migration-in-progress', 'error', `a KRaft controller (node ${String(json.get('brokerid'))}, epoch ${kraftEpoch}) holds /controller: Apache Kafka is migrating this tree`);
      } else {
        // The read is not atomic (zk-reader.ts): a running controller can add partitions, change
        // ISRs or mark topics for deletion while it walks, and what it changes afterwards is not
        // carried over either (found by a review).
        ctx.anomaly(
          path,
          'live-controller',
          'warning',
          `a ZooKeeper-mode Kafka controller (broker ${String(json.get('brokerid'))}) holds /controller: the cluster is running, so the tree may change while it is read and later changes are not imported. ` +
            'For a consistent import stop the Kafka brokers first (broker registrations are then not imported: they register again when they start against the quorum), and run with --verify afterwards',
        );
      }
    },
    'warning',
  );
}

/** /feature: finalized features are not imported (this quorum sets its own metadata.version); report any. */
export function checkFeatures(ctx: PlanContext): void {
  const path = FEATURE_PATH;
  if (ctx.isUnreadable(path)) return;
  ctx.guard(
    'ignored',
    () => {
      const json = jsonOf(path, ctx.node(path));
      if (json === null) return;
      ctx.checkVersion(path, json.version(), [1, 2], 'version 2');
      const features = json.optObject('features');
      const names = features?.keys() ?? [];
      if (names.length > 0) {
        ctx.anomaly(path, 'finalized-features-ignored', 'warning', `finalized features ${names.sort().join(', ')} are not imported: this quorum's metadata.version is set when it is formatted`);
      }
    },
    'warning',
  );
}

/**
 * /latest_producer_id_block {"version":1,"broker":b,"block_start":"s","block_end":"e"} → one
 * ProducerIds record with nextProducerId = e + 1 (the first id never handed out; KAFKA-15552).
 * brokerEpoch is 0: the block's broker epoch is a ZooKeeper-era one, and replay reads only
 * nextProducerId. No data: no producer ever ran, no record.
 */
export function producerIdsRecord(ctx: PlanContext): ProducerIdsRecord | null {
  const path = PRODUCER_ID_BLOCK_PATH;
  if (ctx.isUnreadable(path)) {
    ctx.skip(path, 'the producer-id block could not be read: new producer ids could repeat ones already handed out');
    return null;
  }
  const record = ctx.guard('the producer-id block is not imported: new producer ids could repeat ones already handed out', () => {
    const json = jsonOf(path, ctx.node(path));
    if (json === null) return null;
    ctx.checkVersion(path, json.version(), [1], 'version 1');
    const brokerId = json.int('broker', 0);
    const start = json.long('block_start');
    const end = json.long('block_end');
    if (start < 0n || end < start) {
      ctx.anomaly(path, 'malformed-json', 'error', `block [${start}, ${end}] is not a block of producer ids; not imported`);
      return null;
    }
    const next = end + 1n;
    if (next > BigInt(Number.MAX_SAFE_INTEGER)) {
      ctx.anomaly(path, 'unrepresentable-value', 'error', `the next producer id ${next} is above 2^53 - 1, which this quorum's records cannot hold; not imported`);
      return null;
    }
    const r: ProducerIdsRecord = { type: 'ProducerIds', brokerId, brokerEpoch: 0, nextProducerId: Number(next) };
    return r;
  });
  return record ?? null;
}
