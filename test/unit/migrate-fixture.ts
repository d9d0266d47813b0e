// A tiny DSL for Kafka ZooKeeper trees (tools/migrate/zk-tree.ts) in the formats of
// ../shared/reference/zk-layout.md, for the planner's tests. `kafkaTree()` starts from what a Kafka
// broker creates on start-up; helpers write each document in the exact shape of a given version.
// JSON is serialised by hand so a test can choose the key order (Kafka's is arbitrary).

import { createCipheriv, pbkdf2Sync } from 'node:crypto';
import { expect } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { Prng } from '../../quorum/sim/prng.js';
import { planMigration, rebaseBrokerEpochs, type MigrationPlan, type PlanOptions } from '../../tools/migrate/plan.js';
import type { ZkReadError, ZkStat, ZkTree } from '../../tools/migrate/zk-tree.js';
import { mvRecord } from './controller-configs-fixture.js';

export type KeyOrder = 'as-written' | 'reversed' | ((keys: string[]) => string[]);

/** JSON text with object keys in the chosen order (JSON.stringify cannot reorder integer-like keys). */
export function jsonText(value: unknown, order: KeyOrder = 'as-written'): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => jsonText(v, order)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  let keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  if (order === 'reversed') keys = keys.reverse();
  else if (typeof order === 'function') keys = order(keys);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jsonText(obj[k], order)}`).join(',')}}`;
}

interface DraftNode {
  data: Buffer | null;
  stat: ZkStat;
}

const STAT: ZkStat = { version: 0, ctime: 1_700_000_000_000, mtime: 1_700_000_000_000, ephemeralOwner: '0' };

export interface EndpointSpec {
  readonly name: string;
  readonly host: string | null;
  readonly port: number;
  readonly protocol: string;
}

export interface StateSpec {
  readonly leader: number;
  readonly leader_epoch: number;
  readonly isr: readonly number[];
  readonly controller_epoch?: number;
  readonly leader_recovery_state?: 0 | 1;
  /** The state znode's dataVersion (= the partition epoch). */
  readonly statVersion?: number;
  readonly version?: number;
}

export interface TopicSpec {
  readonly version?: 1 | 2 | 3 | number;
  /** Partition → replicas. */
  readonly partitions: Readonly<Record<number, readonly number[]>>;
  readonly topicId?: string;
  readonly adding?: Readonly<Record<number, readonly number[]>>;
  readonly removing?: Readonly<Record<number, readonly number[]>>;
  /** State per partition; default: leader = first replica, ISR = replicas, epochs 0. 'none' writes no state nodes. */
  readonly states?: Readonly<Record<number, StateSpec | 'none'>> | 'none';
  /** /config/topics/<t> (AdminZkClient always writes one); null = no config node. */
  readonly config?: Readonly<Record<string, string>> | null;
}

export class ZkTreeBuilder {
  private readonly nodes = new Map<string, DraftNode>([['/', { data: null, stat: STAT }]]);
  private readonly errors: ZkReadError[] = [];
  keyOrder: KeyOrder = 'as-written';

  /** Creates or replaces a node (parents are created without data). Objects are written as JSON. */
  put(path: string, data: string | Buffer | object | null = null, stat: Partial<ZkStat> = {}): this {
    this.ensureParents(path);
    const bytes = data === null ? null : Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : jsonText(data, this.keyOrder), 'utf8');
    this.nodes.set(path, { data: bytes, stat: { ...STAT, ...stat } });
    return this;
  }

  /** A node that is listed by its parent but could not be read. */
  unreadable(path: string, reason = 'NOT_AUTHORIZED'): this {
    this.ensureParents(path);
    this.nodes.delete(path);
    this.errors.push({ path, reason });
    return this;
  }

  remove(path: string): this {
    for (const p of [...this.nodes.keys()]) if (p === path || p.startsWith(`${path}/`)) this.nodes.delete(p);
    return this;
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  private ensureParents(path: string): void {
    const parts = path.split('/').filter((s) => s !== '');
    for (let i = 1; i < parts.length; i++) {
      const p = `/${parts.slice(0, i).join('/')}`;
      if (!this.nodes.has(p)) this.nodes.set(p, { data: null, stat: STAT });
    }
  }

  build(): ZkTree {
    const children = new Map<string, Set<string>>();
    const listed = [...this.nodes.keys(), ...this.errors.map((e) => e.path)];
    for (const path of listed) {
      if (path === '/') continue;
      const at = path.lastIndexOf('/');
      const parent = at === 0 ? '/' : path.slice(0, at);
      let set = children.get(parent);
      if (set === undefined) children.set(parent, (set = new Set()));
      set.add(path.slice(at + 1));
    }
    const nodes = new Map<string, { data: Buffer | null; stat: ZkStat; children: readonly string[] }>();
    for (const [path, n] of this.nodes) nodes.set(path, { data: n.data, stat: n.stat, children: [...(children.get(path) ?? [])].sort() });
    return { nodes, errors: [...this.errors] };
  }

  // ---- Kafka documents ----------------------------------------------------------------------

  clusterId(id: string, version: string | number = '1'): this {
    return this.put('/cluster/id', { version, id });
  }

  controllerEpoch(text: string): this {
    return this.put('/controller_epoch', text);
  }

  /** /brokers/ids/<id> in the exact shape of registration version 1..5. */
  broker(id: number, version: number, spec: { endpoints?: readonly EndpointSpec[]; rack?: string; features?: Record<string, unknown> } = {}): this {
    const endpoints = spec.endpoints ?? [{ name: 'PLAINTEXT', host: `kafka-${id}.internal`, port: 9092, protocol: 'PLAINTEXT' }];
    const plain = endpoints.find((e) => e.protocol === 'PLAINTEXT');
    const doc: Record<string, unknown> = {
      version,
      host: plain?.host ?? null,
      port: plain?.port ?? -1,
      jmx_port: -1,
      timestamp: '1717171717000',
    };
    if (version >= 2) doc['endpoints'] = endpoints.map((e) => `${e.name}://${e.host === null ? '' : e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`);
    if (version >= 3 && spec.rack !== undefined) doc['rack'] = spec.rack;
    if (version >= 4) doc['listener_security_protocol_map'] = Object.fromEntries(endpoints.map((e) => [e.name, e.protocol]));
    if (version >= 5) doc['features'] = spec.features ?? {};
    return this.put(`/brokers/ids/${id}`, doc, { ephemeralOwner: '72057594037927936' });
  }

  /** /brokers/topics/<t> (+ state nodes, + /config/topics/<t>). */
  topic(name: string, spec: TopicSpec): this {
    const version = spec.version ?? 3;
    const doc: Record<string, unknown> = { version, partitions: mapOf(spec.partitions) };
    if (version >= 2) {
      doc['adding_replicas'] = mapOf(spec.adding ?? {});
      doc['removing_replicas'] = mapOf(spec.removing ?? {});
    } else {
      if (spec.adding !== undefined) doc['adding_replicas'] = mapOf(spec.adding);
      if (spec.removing !== undefined) doc['removing_replicas'] = mapOf(spec.removing);
    }
    if (spec.topicId !== undefined) doc['topic_id'] = spec.topicId;
    this.put(`/brokers/topics/${name}`, doc);
    if (spec.states !== 'none') {
      for (const [p, replicas] of Object.entries(spec.partitions)) {
        const state = spec.states?.[Number(p)] ?? { leader: replicas[0]!, leader_epoch: 0, isr: replicas };
        if (state !== 'none') this.state(name, Number(p), state);
      }
    }
    if (spec.config !== null) this.config('topics', name, spec.config ?? {});
    return this;
  }

  state(topic: string, partition: number, s: StateSpec): this {
    const doc: Record<string, unknown> = {
      controller_epoch: s.controller_epoch ?? 1,
      leader: s.leader,
      version: s.version ?? 1,
      leader_epoch: s.leader_epoch,
      isr: s.isr,
    };
    if (s.leader_recovery_state !== undefined) doc['leader_recovery_state'] = s.leader_recovery_state;
    this.put(`/brokers/topics/${topic}/partitions/${partition}`, null);
    return this.put(`/brokers/topics/${topic}/partitions/${partition}/state`, doc, { version: s.statVersion ?? 0 });
  }

  /** /config/<type>/<name>: {"version":1,"config":{...}}. */
  config(type: string, name: string, config: Readonly<Record<string, unknown>>, version: number = 1): this {
    return this.put(`/config/${type}/${name}`, { version, config });
  }

  deleteMarker(topic: string): this {
    return this.put(`/admin/delete_topics/${topic}`, null);
  }

  producerIdBlock(broker: number, start: string, end: string): this {
    return this.put('/latest_producer_id_block', { version: 1, broker, block_start: start, block_end: end });
  }

  legacyOffset(group: string, topic: string, partition: number | string, text: string, mtime = 1_500_000_000_000): this {
    return this.put(`/consumers/${group}/offsets/${topic}/${partition}`, text, { mtime });
  }

  acl(path: string, acls: readonly Record<string, string>[]): this {
    return this.put(path, { version: 1, acls });
  }
}

function mapOf(m: Readonly<Record<number, readonly number[]>>): Record<string, readonly number[]> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [String(k), v]));
}

export const CLUSTER_ID = 'IM1QENJwR0yiNHFBvM4elw';

/** What a Kafka broker creates on its first start (ZkData's persistent paths), plus /cluster/id and /controller_epoch. */
export function kafkaTree(opts: { clusterId?: string; controllerEpoch?: number } = {}): ZkTreeBuilder {
  const b = new ZkTreeBuilder();
  for (const p of [
    '/consumers',
    '/brokers/ids',
    '/brokers/topics',
    '/brokers/seqid',
    '/config/changes',
    '/config/topics',
    '/config/brokers',
    '/config/clients',
    '/config/users',
    '/config/ips',
    '/admin/delete_topics',
    '/isr_change_notification',
    '/log_dir_event_notification',
    '/latest_producer_id_block',
  ]) {
    b.put(p, null);
  }
  b.put('/feature', { features: {}, version: 2, status: 1 });
  b.clusterId(opts.clusterId ?? CLUSTER_ID);
  b.controllerEpoch(String(opts.controllerEpoch ?? 23));
  return b;
}

export function seeded(seed = 1): PlanOptions {
  return { random: new Prng(seed) };
}

export function plan(b: ZkTreeBuilder | ZkTree, options: Partial<PlanOptions> = {}): MigrationPlan {
  const tree = b instanceof ZkTreeBuilder ? b.build() : b;
  return planMigration(tree, { ...seeded(), ...options });
}

/**
 * The image the plan gives after a fresh quorum's bootstrap (metadata.version), with every record
 * round-tripped through the codec first (a record no node could read back fails here).
 */
export function replayPlan(p: MigrationPlan): MetadataImage {
  const records: MetadataRecord[] = [mvRecord(), ...rebaseBrokerEpochs(p.records, 1)];
  for (const r of records) expect(decodeRecord(encodeRecord(r))).toEqual(r);
  return imageOf(records);
}

export function kinds(p: MigrationPlan): string[] {
  return p.anomalies.map((a) => a.kind);
}

export function recordsOf<T extends MetadataRecord['type']>(p: MigrationPlan, type: T): Extract<MetadataRecord, { type: T }>[] {
  return p.records.filter((r): r is Extract<MetadataRecord, { type: T }> => r.type === type);
}

/**
 * A sensitive broker config value as Kafka's EncryptingPasswordEncoder writes it (key:value pairs,
 * standard base64, HashMap order), for the given secret.
 */
export function encryptPassword(
  clear: string,
  secret: string,
  opts: { cipher?: 'CBC' | 'GCM'; keyFactory?: 'PBKDF2WithHmacSHA512' | 'PBKDF2WithHmacSHA1'; iterations?: number; salt?: Buffer } = {},
): string {
  const cipher = opts.cipher ?? 'CBC';
  const keyFactory = opts.keyFactory ?? 'PBKDF2WithHmacSHA512';
  const iterations = opts.iterations ?? 4096;
  const salt = opts.salt ?? Buffer.alloc(256, 7);
  const key = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, 16, keyFactory === 'PBKDF2WithHmacSHA512' ? 'sha512' : 'sha1');
  const fields: Record<string, string> = {
    keyFactoryAlgorithm: keyFactory,
    keyLength: '128',
    salt: salt.toString('base64'),
    iterations: String(iterations),
    passwordLength: String(clear.length),
  };
  if (cipher === 'CBC') {
    const iv = Buffer.alloc(16, 3);
    const c = createCipheriv('aes-128-cbc', key, iv);
    fields['encryptedPassword'] = Buffer.concat([c.update(clear, 'utf8'), c.final()]).toString('base64');
    fields['cipherAlgorithm'] = 'AES/CBC/PKCS5Padding';
    fields['initializationVector'] = iv.toString('base64');
  } else {
    const iv = Buffer.alloc(12, 5);
    const c = createCipheriv('aes-128-gcm', key, iv, { authTagLength: 16 });
    const body = Buffer.concat([c.update(clear, 'utf8'), c.final()]);
    fields['encryptedPassword'] = Buffer.concat([body, c.getAuthTag()]).toString('base64');
    fields['cipherAlgorithm'] = 'AES/GCM/NoPadding';
    fields['authenticationTagLength'] = '128';
    fields['initializationVector'] = iv.toString('base64');
  }
  // HashMap order: anything; write it shuffled deterministically.
  const keys = Object.keys(fields).sort().reverse();
  return keys.map((k) => `${k}:${fields[k]}`).join(',');
}
