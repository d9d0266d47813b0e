// For tests and benchmarks: writes Kafka-format trees into a live ZooKeeper (node-zookeeper-client), the way
// Apache Kafka in ZK mode would have left them. The formats follow
// ../shared/reference/zk-layout.md (every path and JSON version from 0.8 to 3.9).
//
// Trees are data: a TreeSpec is a list of znodes (path, data, create mode, data version) under an
// optional chroot. Tests build the exact tree they need from the helpers below (kafkaJson.* for
// the documents, topicNodes/brokerNode/… for the znodes), or take a ready one from KAFKA_TREES
// (one per Kafka era, plus the awkward cases). populate() writes a spec and reports what it wrote
// (actual sequential names, final data versions, which nodes are ephemeral), so a test can compare
// what a reader returns with what is really there. Writes go in pipelined multi-ops, so the
// 46,000-znode benchmark tree (benchmarkTree) takes a second or two, not a minute.
//
// Ephemeral nodes (broker registrations, /controller, old consumers' ids and owners) belong to the
// populator's session: they exist until Populated.close().

import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { closeZooKeeper, connectZooKeeper } from './zk-client.js';
import { hostPortText } from '../../quorum/net/types.js';

// ---------------------------------------------------------------------------------------------
// Specs

/**
 * The data of a znode:
 *   undefined / null → no data (Kafka's null; reads back as null/undefined);
 *   Buffer           → those bytes (Buffer.alloc(0) is the "empty array" case: zero bytes);
 *   string           → its UTF-8 bytes (plain text, or a JSON document written verbatim);
 *   anything else    → JSON.stringify of it (key order as given).
 */
export type ZnodeData = null | undefined | Buffer | string | number | boolean | object;

export type ZnodeMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

export interface ZnodeSpec {
  /** Relative to the tree's chroot. For a sequential node: the name prefix (`/config/changes/config_change_`). */
  readonly path: string;
  readonly data?: ZnodeData;
  /** Default persistent. */
  readonly mode?: ZnodeMode;
  /**
   * The znode's final data version (stat.version): the data is rewritten this many times after the
   * create. Kafka uses a state node's version as the partition epoch. Default 0.
   */
  readonly dataVersion?: number;
}

export interface TreeSpec {
  readonly name: string;
  readonly description: string;
  /** Written under this chroot (created with null data, as Kafka does); paths are relative to it. */
  readonly chroot?: string;
  /**
   * In any order; missing parents are created with null data (as Kafka's recursive creates do). A
   * later entry for a path replaces an earlier one, so a tree can override a kafkaSkeleton() node.
   */
  readonly nodes: readonly ZnodeSpec[];
}

export interface WrittenNode {
  /** The actual path, relative to the chroot (sequential nodes carry their 10-digit suffix). */
  readonly path: string;
  /** As a reader should report it: null for no data and for zero bytes. */
  readonly data: Buffer | null;
  /** What was sent: no data at all, zero bytes, or bytes. */
  readonly writtenAs: 'null' | 'empty' | 'bytes';
  readonly version: number;
  readonly mode: ZnodeMode;
  /** Created because a listed node needed it, not listed itself. */
  readonly implicitParent: boolean;
}

export interface Populated {
  readonly spec: TreeSpec;
  readonly chroot: string | undefined;
  /** The hosts the populator used, with the chroot appended. */
  readonly connectString: string;
  /** Every node written, keyed by actual path relative to the chroot. With a chroot, "/" is the chroot node. */
  readonly nodes: ReadonlyMap<string, WrittenNode>;
  /** The spec path of each sequential node → its actual path. */
  readonly sequentialNames: ReadonlyMap<string, string[]>;
  /** The session that owns the ephemeral nodes, as a decimal string (what stat.ephemeralOwner shows). */
  readonly sessionId: string;
  readonly elapsedMs: number;
  /** Closes the populator's session: its ephemeral nodes disappear. */
  close(): Promise<void>;
}

export interface PopulateOptions {
  /** Operations per multi (default 500; ZooKeeper's jute.maxbuffer limits a request to 1 MiB). */
  readonly batchSize?: number;
  /** Multis in flight at once on the one session (default 8). */
  readonly pipeline?: number;
  readonly connectTimeoutMs?: number;
}

const MODES: Record<ZnodeMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

export function encodeData(d: ZnodeData): Buffer | undefined {
  if (d === null || d === undefined) return undefined;
  if (Buffer.isBuffer(d)) return d;
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  return Buffer.from(JSON.stringify(d), 'utf8');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

interface Op {
  readonly kind: 'create' | 'setData';
  readonly abs: string;
  readonly data: Buffer | undefined;
  readonly mode: number;
  /** Index of the planned node this op creates (for sequential names). */
  readonly node: number;
}

/** The hosts part of a connect string (a chroot in it is rejected: give it in the spec). */
function hostsOnly(connectString: string): string {
  if (connectString.includes('/')) throw new Error(`populate() takes the hosts only (${connectString}); put the chroot in the TreeSpec`);
  return connectString;
}

/**
 * Writes `spec` into the ZooKeeper at `connectString` (hosts only). Fails if a node already exists.
 */
export async function populate(connectString: string, spec: TreeSpec, options: PopulateOptions = {}): Promise<Populated> {
  const t0 = performance.now();
  const hosts = hostsOnly(connectString);
  const chroot = spec.chroot;
  if (chroot !== undefined && (!chroot.startsWith('/') || chroot.endsWith('/') || chroot === '/')) throw new Error(`bad chroot ${chroot}`);
  const abs = (rel: string) => (chroot === undefined ? rel : rel === '/' ? chroot : chroot + rel);

  // Plan: listed nodes plus missing ancestors (inside the chroot, and the chroot's own path).
  const listed = new Map<string, ZnodeSpec>();
  for (const n of spec.nodes) {
    if (!n.path.startsWith('/') || (n.path.endsWith('/') && n.path !== '/')) throw new Error(`bad znode path ${n.path} in tree ${spec.name}`);
    if (n.path === '/') throw new Error(`tree ${spec.name}: the root "/" cannot be written (it always exists, or is the chroot)`);
    const sequential = (n.mode ?? 'persistent').endsWith('_sequential');
    // A later entry for the same path replaces an earlier one (a tree overriding a skeleton node).
    listed.set(sequential ? `${n.path}\u0000${listed.size}` : n.path, n);
  }
  const planned: { rel: string; spec: ZnodeSpec; implicit: boolean }[] = [];
  const known = new Set<string>();
  const ensureParents = (rel: string) => {
    const missing: string[] = [];
    for (let p = parentOf(rel); p !== '/' && !known.has(p); p = parentOf(p)) missing.push(p);
    for (const p of missing.reverse()) {
      known.add(p);
      const explicit = listed.get(p);
      planned.push({ rel: p, spec: explicit ?? { path: p }, implicit: explicit === undefined });
    }
  };
  const order = [...listed.entries()].sort((a, b) => depth(a[1].path) - depth(b[1].path));
  for (const [key, n] of order) {
    if (known.has(key)) continue;
    ensureParents(n.path);
    known.add(key);
    planned.push({ rel: n.path, spec: n, implicit: false });
  }

  const client = await connectZooKeeper(hosts, { timeoutMs: options.connectTimeoutMs ?? 15_000 });
  try {
    // The chroot and its ancestors (null data), with mkdirp semantics.
    if (chroot !== undefined) {
      await new Promise<void>((resolve, reject) => client.mkdirp(chroot, (e) => (e ? reject(e) : resolve())));
    }
    const ops: Op[] = [];
    planned.forEach((p, i) => {
      const data = encodeData(p.spec.data);
      ops.push({ kind: 'create', abs: abs(p.rel), data, mode: MODES[p.spec.mode ?? 'persistent'], node: i });
      for (let v = 0; v < (p.spec.dataVersion ?? 0); v++) {
        if ((p.spec.mode ?? 'persistent').endsWith('_sequential')) throw new Error(`${p.rel}: dataVersion on a sequential node is not supported`);
        ops.push({ kind: 'setData', abs: abs(p.rel), data, mode: 0, node: i });
      }
    });
    const actualPath: (string | undefined)[] = planned.map(() => undefined);
    const batchSize = Math.max(1, options.batchSize ?? 500);
    const pipeline = Math.max(1, options.pipeline ?? 8);
    const batches: Op[][] = [];
    for (let i = 0; i < ops.length; i += batchSize) batches.push(ops.slice(i, i + batchSize));
    // Requests of one session are applied in the order sent, so a batch may create children of
    // nodes created by the batch before it while both are in flight.
    let next = 0;
    const runOne = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const tx = client.transaction();
        for (const op of batch) {
          if (op.kind === 'create') {
            if (op.data === undefined) tx.create(op.abs, op.mode);
            else tx.create(op.abs, op.data, op.mode);
          } else tx.setData(op.abs, op.data ?? null);
        }
        const results = await new Promise<{ type: number; path?: string }[]>((resolve, reject) =>
          tx.commit((error, res: { type: number; path?: string }[]) => {
            if (error) {
              const failedAt = Array.isArray(res) ? res.findIndex((r) => (r as { err?: number }).err !== undefined && (r as { err?: number }).err !== 0) : -1;
              const op = failedAt >= 0 ? batch[failedAt] : undefined;
              reject(new Error(`populating ${spec.name}: ${String(error)}${op ? ` at ${op.kind} ${op.abs}` : ''}`));
            } else resolve(res);
          }),
        );
        results.forEach((r, i) => {
          const op = batch[i]!;
          if (op.kind === 'create' && r.path !== undefined) actualPath[op.node] = r.path;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(pipeline, batches.length) }, runOne));

    const nodes = new Map<string, WrittenNode>();
    const sequentialNames = new Map<string, string[]>();
    const relOf = (a: string) => (chroot === undefined ? a : a === chroot ? '/' : a.slice(chroot.length));
    if (chroot !== undefined) nodes.set('/', { path: '/', data: null, writtenAs: 'null', version: 0, mode: 'persistent', implicitParent: true });
    planned.forEach((p, i) => {
      const path = relOf(actualPath[i] ?? abs(p.rel));
      const raw = encodeData(p.spec.data);
      const mode = p.spec.mode ?? 'persistent';
      if (mode.endsWith('_sequential')) sequentialNames.set(p.rel, [...(sequentialNames.get(p.rel) ?? []), path]);
      nodes.set(path, {
        path,
        data: raw === undefined || raw.length === 0 ? null : raw,
        writtenAs: raw === undefined ? 'null' : raw.length === 0 ? 'empty' : 'bytes',
        version: p.spec.dataVersion ?? 0,
        mode,
        implicitParent: p.implicit,
      });
    });
    const sessionId = client.getSessionId().readBigInt64BE(0).toString();
    const elapsedMs = Math.round(performance.now() - t0);
    let closed = false;
    return {
      spec,
      chroot,
      connectString: chroot === undefined ? hosts : hosts + chroot,
      nodes,
      sequentialNames,
      sessionId,
      elapsedMs,
      async close() {
        if (closed) return;
        closed = true;
        await closeZooKeeper(client);
      },
    };
  } catch (e) {
    await closeZooKeeper(client);
    throw e;
  }
}

/** Writes a tree and closes the session at once (so no ephemeral node survives). */
export async function populateAndClose(connectString: string, spec: TreeSpec, options?: PopulateOptions): Promise<Populated> {
  const p = await populate(connectString, spec, options);
  await p.close();
  return p;
}

/** For tests of "deleted while reading": removes one node through a short-lived session. */
export async function removeNode(connectString: string, absPath: string): Promise<void> {
  const client = await connectZooKeeper(hostsOnly(connectString), { timeoutMs: 15_000 });
  try {
    await new Promise<void>((resolve, reject) => client.remove(absPath, -1, (e) => (e ? reject(e) : resolve())));
  } finally {
    await closeZooKeeper(client);
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka ids and values

/** A Kafka Uuid (22 characters of URL-safe base64, no padding), derived from `seed` so trees are reproducible. */
export function kafkaUuid(seed: string): string {
  for (let i = 0; ; i++) {
    const bytes = createHash('sha256').update(`${seed}#${i}`).digest().subarray(0, 16);
    const id = bytes.toString('base64url');
    // Kafka never produces an id starting with '-', nor the reserved zero and one ids.
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id;
  }
}

/** Kafka's sanitizing of user and client-id names in znode names (URLEncoder, then * → %2A, + → %20). */
export function sanitizeEntityName(name: string): string {
  return encodeURIComponent(name)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/\*/g, '%2A');
}

/**
 * A sensitive dynamic broker config value as Kafka's EncryptingPasswordEncoder writes it with the
 * defaults (PBKDF2WithHmacSHA512, AES/CBC/PKCS5Padding, 128-bit key, 4096 iterations, 256-byte
 * salt), encrypted with `secret` (password.encoder.secret). Fields come in a HashMap-like order.
 */
export function encryptKafkaPassword(password: string, secret: string, seed?: { salt: Buffer; iv: Buffer }): string {
  const salt = seed?.salt ?? randomBytes(256);
  const iv = seed?.iv ?? randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, 4096, 16, 'sha512');
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  const fields: [string, string][] = [
    ['encryptedPassword', encrypted.toString('base64')],
    ['keyLength', '128'],
    ['salt', salt.toString('base64')],
    ['initializationVector', iv.toString('base64')],
    ['cipherAlgorithm', 'AES/CBC/PKCS5Padding'],
    ['iterations', '4096'],
    ['passwordLength', String(password.length)],
    ['keyFactoryAlgorithm', 'PBKDF2WithHmacSHA512'],
  ];
  return fields.map(([k, v]) => `${k}:${v}`).join(',');
}

/**
 * A SCRAM credential value as kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=...]'
 * stores it (Kafka's ScramFormatter and ScramCredentialUtils.credentialToString):
 * "salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>", standard base64. The salt is what
 * Kafka's secureRandomBytes makes (a random 130-bit number in base 36, as UTF-8 text), here drawn
 * from `seed`; SaltedPassword = PBKDF2(password, salt, iterations) with the mechanism's HMAC,
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key")
 * (RFC 5802), so the keys are real (32 bytes for SCRAM-SHA-256, 64 for SCRAM-SHA-512) and match
 * `password` (default: scramPassword(seed)).
 */
export function scramCredential(seed: string, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' = 'SCRAM-SHA-512', iterations = 4096, password = scramPassword(seed)): string {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const random130 = BigInt(`0x${createHash('sha256').update(`${seed}/salt`).digest('hex')}`) & ((1n << 130n) - 1n);
  const salt = Buffer.from(random130.toString(36), 'utf8');
  const saltedPassword = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, hash === 'sha256' ? 32 : 64, hash);
  const storedKey = createHash(hash).update(createHmac(hash, saltedPassword).update('Client Key').digest()).digest();
  const serverKey = createHmac(hash, saltedPassword).update('Server Key').digest();
  return `salt=${salt.toString('base64')},stored_key=${storedKey.toString('base64')},server_key=${serverKey.toString('base64')},iterations=${iterations}`;
}

/** The password scramCredential(seed) stores a credential for. */
export function scramPassword(seed: string): string {
  return `${seed}-secret`;
}

// ---------------------------------------------------------------------------------------------
// Kafka's JSON documents, as JSON strings in key orders Kafka's HashMaps produce (not sorted).

export type Replicas = Readonly<Record<number, readonly number[]>>;

function partitionsObject(p: Replicas): Record<string, readonly number[]> {
  // Kafka's JSON object order is not numeric order; write them in a scrambled but fixed order.
  const keys = Object.keys(p).map(Number);
  const ordered = [...keys.filter((k) => k % 2 === 1), ...keys.filter((k) => k % 2 === 0)];
  return Object.fromEntries(ordered.map((k) => [String(k), p[k]!]));
}

export interface BrokerRegistration {
  readonly host: string | null;
  readonly port: number;
  readonly jmxPort?: number;
  readonly timestamp?: string;
  /** v2+: `LISTENER://host:port`. */
  readonly endpoints?: readonly string[];
  /** v3+; left out when undefined. */
  readonly rack?: string | null;
  /** v4+. */
  readonly listenerSecurityProtocolMap?: Readonly<Record<string, string>>;
  /** v5: ZK-mode brokers always write {}. */
  readonly features?: Readonly<Record<string, { min_version: number; max_version: number }>>;
}

export const kafkaJson = {
  clusterId: (id: string) => JSON.stringify({ version: '1', id }),
  controller(version: 1 | 2, brokerId: number, timestamp = '1717171722000', kraftControllerEpoch = -1): string {
    return version === 1 ? JSON.stringify({ version: 1, brokerid: brokerId, timestamp }) : JSON.stringify({ version: 2, brokerid: brokerId, timestamp, kraftControllerEpoch });
  },
  /** Broker registration, versions 1 (0.8) to 5 (IBP ≥ 2.7). */
  broker(version: 1 | 2 | 3 | 4 | 5, r: BrokerRegistration): string {
    const jmx = r.jmxPort ?? -1;
    const ts = r.timestamp ?? '1717171717000';
    const endpoints = r.endpoints ?? (r.host === null ? [] : [`PLAINTEXT://${hostPortText(r.host, r.port)}`]);
    switch (version) {
      case 1:
        return JSON.stringify({ version: 1, host: r.host, port: r.port, jmx_port: jmx, timestamp: ts });
      case 2:
        return JSON.stringify({ version: 2, host: r.host, port: r.port, jmx_port: jmx, timestamp: ts, endpoints });
      case 3:
        return JSON.stringify({ jmx_port: jmx, timestamp: ts, endpoints, host: r.host, version: 3, port: r.port, ...(r.rack !== undefined ? { rack: r.rack } : {}) });
      case 4:
      case 5: {
        const map = r.listenerSecurityProtocolMap ?? Object.fromEntries(endpoints.map((e) => [e.slice(0, e.indexOf(':')), e.slice(0, e.indexOf(':'))]));
        return JSON.stringify({
          listener_security_protocol_map: map,
          endpoints,
          ...(r.rack !== undefined ? { rack: r.rack } : {}),
          jmx_port: jmx,
          ...(version === 5 ? { features: r.features ?? {} } : {}),
          host: r.host,
          timestamp: ts,
          port: r.port,
          version,
        });
      }
    }
  },
  /** Topic assignment: v1 (0.8–2.3), v2 (2.4–2.7, KIP-455), v3 (2.8+, topic_id only if the topic has one). */
  topic(version: 1 | 2 | 3, partitions: Replicas, o: { adding?: Replicas; removing?: Replicas; topicId?: string } = {}): string {
    if (version === 1) return JSON.stringify({ version: 1, partitions: partitionsObject(partitions) });
    return JSON.stringify({
      version,
      partitions: partitionsObject(partitions),
      adding_replicas: partitionsObject(o.adding ?? {}),
      removing_replicas: partitionsObject(o.removing ?? {}),
      ...(version === 3 && o.topicId !== undefined ? { topic_id: o.topicId } : {}),
    });
  },
  /** Partition state (always version 1); leader_recovery_state only when 1 (3.2+, KIP-704). */
  partitionState(s: { leader: number; leaderEpoch: number; isr: readonly number[]; controllerEpoch: number; leaderRecoveryState?: 0 | 1 }): string {
    return JSON.stringify({
      controller_epoch: s.controllerEpoch,
      leader: s.leader,
      version: 1,
      leader_epoch: s.leaderEpoch,
      isr: s.isr,
      ...(s.leaderRecoveryState === 1 ? { leader_recovery_state: 1 } : {}),
    });
  },
  /** An entity config node: every value a string. */
  config: (config: Readonly<Record<string, string>>) => JSON.stringify({ version: 1, config }),
  configChangeV1: (entityType: 'topics' | 'clients', entityName: string) => JSON.stringify({ version: 1, entity_type: entityType, entity_name: entityName }),
  configChangeV2: (entityPath: string) => JSON.stringify({ version: 2, entity_path: entityPath }),
  /** Bounds are JSON strings holding longs. */
  producerIdBlock: (broker: number, blockStart: bigint, blockEnd: bigint) => JSON.stringify({ version: 1, broker, block_start: blockStart.toString(), block_end: blockEnd.toString() }),
  featureV1: (status: 0 | 1, features: Readonly<Record<string, { min_version_level: number; max_version_level: number }>> = {}) => JSON.stringify({ features, version: 1, status }),
  featureV2: (status: 0 | 1, features: Readonly<Record<string, { max_version_level: number }>> = {}) => JSON.stringify({ features, version: 2, status }),
  acls: (entries: readonly { principal: string; permissionType: 'Allow' | 'Deny'; operation: string; host: string }[]) => JSON.stringify({ version: 1, acls: entries }),
  aclExtendedChange: (resourceType: string, name: string, patternType: 'LITERAL' | 'PREFIXED') => JSON.stringify({ version: 1, resourceType, name, patternType }),
  isrChange: (partitions: readonly { topic: string; partition: number }[]) => JSON.stringify({ version: 1, partitions }),
  logDirEvent: (broker: number) => JSON.stringify({ version: 1, broker, event: 1 }),
  reassignPartitions: (partitions: readonly { topic: string; partition: number; replicas: readonly number[] }[]) => JSON.stringify({ version: 1, partitions }),
  preferredReplicaElection: (partitions: readonly { topic: string; partition: number }[]) => JSON.stringify({ version: 1, partitions }),
  migration: (m: { controllerId: number; controllerEpoch: number; metadataOffset: number; metadataEpoch: number }) =>
    JSON.stringify({ version: 0, kraft_controller_id: m.controllerId, kraft_controller_epoch: m.controllerEpoch, kraft_metadata_offset: m.metadataOffset, kraft_metadata_epoch: m.metadataEpoch }),
  delegationToken(version: 1 | 3, t: { tokenId: string; owner: string; renewers: readonly string[]; requester?: string; issue: number; max: number; expiry: number }): string {
    return JSON.stringify({
      version,
      owner: t.owner,
      renewers: t.renewers,
      ...(version === 3 ? { tokenRequester: t.requester ?? t.owner } : {}),
      issueTimestamp: t.issue,
      maxTimestamp: t.max,
      expiryTimestamp: t.expiry,
      tokenId: t.tokenId,
    });
  },
  legacyConsumerId: (subscription: Readonly<Record<string, number>>, pattern: 'static' | 'white_list' | 'black_list' = 'static') =>
    JSON.stringify({ version: 1, subscription, pattern, timestamp: '1500000000000' }),
};

// ---------------------------------------------------------------------------------------------
// Znode builders

export type KafkaEra = '0.8' | '0.9' | '0.10' | '1.1' | '2.0' | '2.4' | '2.8' | '3.x';

const ERA_ORDER: readonly KafkaEra[] = ['0.8', '0.9', '0.10', '1.1', '2.0', '2.4', '2.8', '3.x'];
const atLeast = (era: KafkaEra, min: KafkaEra) => ERA_ORDER.indexOf(era) >= ERA_ORDER.indexOf(min);

/** The nodes a broker of that era creates on start-up (no data unless noted). */
export function kafkaSkeleton(era: KafkaEra, o: { clusterId?: string; controllerEpoch?: number; authorizer?: boolean } = {}): ZnodeSpec[] {
  const nodes: ZnodeSpec[] = [
    { path: '/consumers' },
    { path: '/brokers/ids' },
    { path: '/brokers/topics' },
    { path: '/brokers/seqid' },
    { path: '/config/changes' },
    { path: '/config/topics' },
    { path: '/config/clients' },
    { path: '/admin/delete_topics' },
    { path: '/isr_change_notification' },
    // Plain decimal text; created as 0 and bumped by each election (the znode version follows).
    { path: '/controller_epoch', data: String(o.controllerEpoch ?? 1), dataVersion: o.controllerEpoch ?? 1 },
  ];
  if (atLeast(era, '0.10')) {
    nodes.push({ path: '/config/users' });
    if (o.clusterId !== undefined) nodes.push({ path: '/cluster/id', data: kafkaJson.clusterId(o.clusterId) });
  }
  if (atLeast(era, '1.1')) nodes.push({ path: '/config/brokers' }, { path: '/log_dir_event_notification' }, { path: '/latest_producer_id_block' });
  if (atLeast(era, '2.8')) nodes.push({ path: '/config/ips' });
  if (atLeast(era, '2.8')) nodes.push({ path: '/feature', data: era === '3.x' ? kafkaJson.featureV2(1) : kafkaJson.featureV1(0) });
  if (o.authorizer === true) {
    for (const rt of ['Topic', 'Group', 'Cluster', 'TransactionalId', 'DelegationToken', ...(atLeast(era, '2.8') ? ['User'] : [])]) {
      nodes.push({ path: `/kafka-acl/${rt}` });
      if (atLeast(era, '2.0')) nodes.push({ path: `/kafka-acl-extended/prefixed/${rt}` });
    }
    nodes.push({ path: '/kafka-acl-changes' });
    if (atLeast(era, '2.0')) nodes.push({ path: '/kafka-acl-extended-changes' });
  }
  return nodes;
}

/** A broker registration (EPHEMERAL: it exists while the populator's session lives). */
export function brokerNode(id: number, version: 1 | 2 | 3 | 4 | 5, r: BrokerRegistration): ZnodeSpec {
  return { path: `/brokers/ids/${id}`, data: kafkaJson.broker(version, r), mode: 'ephemeral' };
}

export interface PartitionStateSpec {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly controllerEpoch: number;
  readonly leaderRecoveryState?: 0 | 1;
  /** The znode's data version = Kafka's partition epoch. */
  readonly partitionEpoch?: number;
}

export interface TopicSpec {
  readonly name: string;
  readonly version: 1 | 2 | 3;
  readonly partitions: Replicas;
  readonly topicId?: string;
  readonly adding?: Replicas;
  readonly removing?: Replicas;
  /**
   * Per partition: a state, or 'no-state' (partitions/<n> exists without a state child), or
   * 'no-partition-node' (not even partitions/<n>). Default: leader = first replica, ISR = replicas,
   * epochs 0.
   */
  readonly states?: Readonly<Record<number, PartitionStateSpec | 'no-state' | 'no-partition-node'>>;
  /** /config/topics/<name>: overrides ({} is common), 'none' for no node, 'null' for a node without data. Default {}. */
  readonly config?: Readonly<Record<string, string>> | 'none' | 'null';
}

/** The assignment node, partitions/<n>/state nodes and the topic's config node. */
export function topicNodes(t: TopicSpec): ZnodeSpec[] {
  const base = `/brokers/topics/${t.name}`;
  const nodes: ZnodeSpec[] = [{ path: base, data: kafkaJson.topic(t.version, t.partitions, { ...(t.adding ? { adding: t.adding } : {}), ...(t.removing ? { removing: t.removing } : {}), ...(t.topicId !== undefined ? { topicId: t.topicId } : {}) }) }];
  for (const [k, replicas] of Object.entries(t.partitions)) {
    const p = Number(k);
    const s = t.states?.[p] ?? { leader: replicas[0] ?? -1, leaderEpoch: 0, isr: replicas, controllerEpoch: 1 };
    if (s === 'no-partition-node') continue;
    if (s === 'no-state') {
      nodes.push({ path: `${base}/partitions/${p}` });
      continue;
    }
    nodes.push({
      path: `${base}/partitions/${p}/state`,
      data: kafkaJson.partitionState(s),
      ...(s.partitionEpoch !== undefined && s.partitionEpoch > 0 ? { dataVersion: s.partitionEpoch } : {}),
    });
  }
  const config = t.config ?? {};
  if (config === 'null') nodes.push({ path: `/config/topics/${t.name}` });
  else if (config !== 'none') nodes.push({ path: `/config/topics/${t.name}`, data: kafkaJson.config(config) });
  return nodes;
}

/** /config/<type>/<name> with the name sanitized for users and clients (`<default>` stays literal). */
export function entityConfigNode(type: 'topics' | 'brokers' | 'clients' | 'users' | 'ips', name: string, config: Readonly<Record<string, string>> | null): ZnodeSpec {
  const znodeName = (type === 'users' || type === 'clients') && name !== '<default>' ? sanitizeEntityName(name) : name;
  return { path: `/config/${type}/${znodeName}`, data: config === null ? null : kafkaJson.config(config) };
}

/** /config/users/<user>/clients/<client> (both sanitized unless `<default>`). */
export function userClientConfigNode(user: string, client: string, config: Readonly<Record<string, string>>): ZnodeSpec {
  const s = (n: string) => (n === '<default>' ? n : sanitizeEntityName(n));
  return { path: `/config/users/${s(user)}/clients/${s(client)}`, data: kafkaJson.config(config) };
}

/** A legacy (0.8-era) consumer group: offsets (plain text), and optionally live ids/owners (ephemeral). */
export function legacyConsumerNodes(group: string, offsets: Readonly<Record<string, Readonly<Record<number, bigint | number | string>>>>, live?: { consumerId: string; owners?: Readonly<Record<string, readonly number[]>> }): ZnodeSpec[] {
  const nodes: ZnodeSpec[] = [];
  for (const [topic, parts] of Object.entries(offsets)) {
    for (const [p, off] of Object.entries(parts)) nodes.push({ path: `/consumers/${group}/offsets/${topic}/${p}`, data: String(off) });
  }
  if (live !== undefined) {
    nodes.push({ path: `/consumers/${group}/ids/${live.consumerId}`, data: kafkaJson.legacyConsumerId(Object.fromEntries(Object.keys(offsets).map((t) => [t, 1]))), mode: 'ephemeral' });
    for (const [topic, parts] of Object.entries(live.owners ?? {})) {
      for (const p of parts) nodes.push({ path: `/consumers/${group}/owners/${topic}/${p}`, data: `${live.consumerId}-0`, mode: 'ephemeral' });
    }
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Ready-made trees

/** The cluster id (/cluster/id) of every ready-made tree that has one: a quorum must be formatted with it to import them. */
export const KAFKA_TREE_CLUSTER_ID = 'IM1QENJwR0yiNHFBvM4elw';
const CLUSTER_ID = KAFKA_TREE_CLUSTER_ID;

function withChroot(spec: Omit<TreeSpec, 'chroot'>, chroot: string | undefined): TreeSpec {
  return chroot === undefined ? spec : { ...spec, chroot };
}

export interface TreeOptions {
  readonly chroot?: string;
}

/** Kafka 0.9 (no /cluster/id yet): broker v2, topic v1, legacy consumers with live owners, v1 config changes. */
export function kafka09Tree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'kafka-0.9',
      description: '0.9-era: broker v2, topic v1 (no ids), no /cluster/id, legacy consumer offsets + ephemeral ids/owners, v1 config change',
      nodes: [
        ...kafkaSkeleton('0.9', { controllerEpoch: 3 }),
        { path: '/controller', data: kafkaJson.controller(1, 1, '1450000000000'), mode: 'ephemeral' },
        brokerNode(1, 2, { host: 'h1', port: 9092, timestamp: '1450000000001', endpoints: ['PLAINTEXT://h1:9092'] }),
        brokerNode(2, 2, { host: 'h2', port: 9092, timestamp: '1450000000002', endpoints: ['PLAINTEXT://h2:9092', 'SSL://h2:9093'] }),
        ...topicNodes({ name: 'clicks', version: 1, partitions: { 0: [1, 2], 1: [2, 1], 2: [1, 2] }, config: { 'retention.ms': '86400000' } }),
        ...topicNodes({ name: 'legacy.clickstream_raw', version: 1, partitions: { 0: [1, 2], 1: [2, 1] } }),
        ...legacyConsumerNodes('legacy-etl', { 'legacy.clickstream_raw': { 0: 123757, 1: 99 } }, { consumerId: 'legacy-etl_etl-host-1-1500000000000-1a2b3c4d', owners: { 'legacy.clickstream_raw': [0, 1] } }),
        { path: '/config/changes/config_change_', data: kafkaJson.configChangeV1('topics', 'clicks'), mode: 'persistent_sequential' },
      ],
    },
    o.chroot,
  );
}

/** Kafka 0.10.2 → 1.1: broker v4 (rack, listener map), topic v1 (no ids), /cluster/id, producer ids, quotas and SCRAM, literal ACLs. */
export function kafka11Tree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'kafka-1.1',
      description: '1.1-era: broker v4 with INTERNAL/EXTERNAL listeners, topic v1 without topic_id, cluster id, producer id block, broker <default> config, client, user and (user, client) quotas, a SCRAM credential, literal ACLs',
      nodes: [
        ...kafkaSkeleton('1.1', { clusterId: CLUSTER_ID, controllerEpoch: 7, authorizer: true }),
        { path: '/controller', data: kafkaJson.controller(1, 2, '1530000000000'), mode: 'ephemeral' },
        brokerNode(1, 4, { host: null, port: -1, endpoints: ['INTERNAL://k1.internal:19092', 'EXTERNAL://k1.example.com:9094'], listenerSecurityProtocolMap: { INTERNAL: 'SSL', EXTERNAL: 'SASL_SSL' }, rack: 'r1', timestamp: '1530000000001' }),
        brokerNode(2, 4, { host: 'k2.internal', port: 9092, endpoints: ['PLAINTEXT://k2.internal:9092'], timestamp: '1530000000002' }),
        brokerNode(3, 3, { host: 'k3.internal', port: 9092, endpoints: ['PLAINTEXT://k3.internal:9092'], rack: 'r3', timestamp: '1530000000003' }),
        ...topicNodes({ name: 'orders', version: 1, partitions: { 0: [1, 2, 3], 1: [2, 3, 1], 2: [3, 1, 2], 3: [1, 3, 2] }, config: { 'cleanup.policy': 'compact', 'segment.bytes': '104857600' }, states: { 1: { leader: 3, leaderEpoch: 4, isr: [3, 2], controllerEpoch: 6, partitionEpoch: 5 } } }),
        ...topicNodes({ name: 'payments', version: 1, partitions: { 0: [2, 3] } }),
        { path: '/latest_producer_id_block', data: kafkaJson.producerIdBlock(3, 41000n, 41999n) },
        entityConfigNode('brokers', '<default>', { 'log.cleaner.threads': '2', 'message.max.bytes': '2097152' }),
        entityConfigNode('brokers', '2', { 'leader.replication.throttled.rate': '10485760' }),
        entityConfigNode('clients', 'etl job', { producer_byte_rate: '1048576' }),
        entityConfigNode('clients', '<default>', { consumer_byte_rate: '2097152' }),
        // A user quota beside a SCRAM credential (not a quota), and a (default user, client) quota.
        entityConfigNode('users', 'alice@example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-256': scramCredential('alice', 'SCRAM-SHA-256') }),
        userClientConfigNode('<default>', 'etl job', { request_percentage: '25.5' }),
        { path: '/kafka-acl/Topic/orders', data: kafkaJson.acls([{ principal: 'User:alice', permissionType: 'Allow', operation: 'Read', host: '*' }]) },
        { path: '/kafka-acl-changes/acl_changes_', data: 'Topic:orders', mode: 'persistent_sequential' },
        { path: '/config/changes/config_change_', data: kafkaJson.configChangeV2('clients/etl%20job'), mode: 'persistent_sequential' },
        { path: '/log_dir_event_notification/log_dir_event_', data: kafkaJson.logDirEvent(3), mode: 'persistent_sequential' },
      ],
    },
    o.chroot,
  );
}

/** Kafka 2.8: broker v5 with features {}, topic v3 with topic_id (and one without: IBP < 2.8 history), /config/ips, prefixed ACLs. */
export function kafka28Tree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'kafka-2.8',
      description: '2.8-era: broker v5, topic v3 with and without topic_id, a reassignment in progress, /config/ips, feature v1 status 0, prefixed ACLs, delegation token v1',
      nodes: [
        ...kafkaSkeleton('2.8', { clusterId: CLUSTER_ID, controllerEpoch: 12, authorizer: true }),
        { path: '/controller', data: kafkaJson.controller(1, 1, '1620000000000'), mode: 'ephemeral' },
        brokerNode(1, 5, { host: 'kafka-1', port: 9092, endpoints: ['PLAINTEXT://kafka-1:9092'], timestamp: '1620000000001' }),
        brokerNode(2, 5, { host: 'kafka-2', port: 9092, endpoints: ['PLAINTEXT://kafka-2:9092'], timestamp: '1620000000002' }),
        brokerNode(3, 5, { host: null, port: -1, endpoints: ['SSL://kafka-3:9093'], listenerSecurityProtocolMap: { SSL: 'SSL' }, timestamp: '1620000000003' }),
        brokerNode(4, 5, { host: 'fd00::1004', port: 9092, endpoints: ['PLAINTEXT://[fd00::1004]:9092'], rack: 'use1-az1', timestamp: '1620000000004' }),
        ...topicNodes({ name: 'events', version: 3, topicId: kafkaUuid('events'), partitions: { 0: [1, 2, 3], 1: [2, 3, 1] } }),
        ...topicNodes({ name: 'old-ibp-topic', version: 3, partitions: { 0: [1, 2] } }),
        // Reassignment [1,2,3] → [2,3,4]: partitions holds target then the leftovers.
        ...topicNodes({
          name: 'orders.reassigning',
          version: 3,
          topicId: kafkaUuid('orders.reassigning'),
          partitions: { 0: [2, 3, 4, 1], 1: [1, 2, 3] },
          adding: { 0: [4] },
          removing: { 0: [1] },
          states: { 0: { leader: 2, leaderEpoch: 6, isr: [2, 3, 1], controllerEpoch: 12, partitionEpoch: 9 } },
        }),
        { path: '/admin/reassign_partitions', data: kafkaJson.reassignPartitions([{ topic: 'orders.reassigning', partition: 0, replicas: [2, 3, 4] }]) },
        entityConfigNode('ips', '<default>', { connection_creation_rate: '50' }),
        entityConfigNode('ips', '198.51.100.7', { connection_creation_rate: '10' }),
        entityConfigNode('users', 'alice@example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-512': scramCredential('alice') }),
        { path: '/kafka-acl-extended/prefixed/Topic/logs.', data: kafkaJson.acls([{ principal: 'User:bob', permissionType: 'Deny', operation: 'Write', host: '198.51.100.7' }]) },
        { path: '/kafka-acl-extended-changes/acl_changes_', data: kafkaJson.aclExtendedChange('TOPIC', 'logs.', 'PREFIXED'), mode: 'persistent_sequential' },
        { path: '/delegation_token/tokens/tok-1', data: kafkaJson.delegationToken(1, { tokenId: 'tok-1', owner: 'User%3Aalice', renewers: ['User%3Abob'], issue: 1620000000000, max: 1620604800000, expiry: 1620086400000 }) },
        { path: '/delegation_token/token_changes/token_change_', data: 'tok-1', mode: 'persistent_sequential' },
        { path: '/latest_producer_id_block', data: kafkaJson.producerIdBlock(1, 1000n, 1999n) },
      ],
    },
    o.chroot,
  );
}

/** Kafka 3.x (3.5-era, IBP 3.5): controller v2, leader_recovery_state, feature v2, delegation token v3. */
export function kafka3xTree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'kafka-3.x',
      description: '3.x-era: controller v2 (kraftControllerEpoch -1), state nodes with leader_recovery_state, feature v2, token v3, SCRAM + quotas for <default> user and (user, client)',
      nodes: [
        ...kafkaSkeleton('3.x', { clusterId: CLUSTER_ID, controllerEpoch: 23 }),
        { path: '/controller', data: kafkaJson.controller(2, 2, '1717171722000', -1), mode: 'ephemeral' },
        brokerNode(1, 5, { host: 'kafka-1.internal', port: 19092, endpoints: ['INTERNAL://kafka-1.internal:19092', 'EXTERNAL://kafka-1.example.com:9094'], listenerSecurityProtocolMap: { INTERNAL: 'PLAINTEXT', EXTERNAL: 'SASL_SSL' }, rack: 'use1-az1', jmxPort: 9999, timestamp: '1717171717001' }),
        brokerNode(2, 5, { host: 'kafka-2.internal', port: 19092, endpoints: ['INTERNAL://kafka-2.internal:19092', 'EXTERNAL://kafka-2.example.com:9094'], listenerSecurityProtocolMap: { INTERNAL: 'PLAINTEXT', EXTERNAL: 'SASL_SSL' }, rack: 'use1-az2', jmxPort: 9999, timestamp: '1717171717002' }),
        ...topicNodes({
          name: 'audit_log.compacted',
          version: 3,
          topicId: kafkaUuid('audit_log.compacted'),
          partitions: { 0: [1, 2], 1: [2, 1], 2: [1, 2] },
          config: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
          states: {
            0: { leader: 1, leaderEpoch: 9, isr: [1], controllerEpoch: 23, leaderRecoveryState: 1, partitionEpoch: 11 },
            1: { leader: 2, leaderEpoch: 3, isr: [2, 1], controllerEpoch: 21, partitionEpoch: 3 },
          },
        }),
        ...topicNodes({ name: '__consumer_offsets', version: 3, topicId: kafkaUuid('__consumer_offsets'), partitions: { 0: [1, 2], 1: [2, 1] }, config: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' } }),
        { path: '/latest_producer_id_block', data: kafkaJson.producerIdBlock(2, 5000n, 5999n) },
        entityConfigNode('users', '<default>', { producer_byte_rate: '1048576', request_percentage: '25.5' }),
        userClientConfigNode('<default>', '<default>', { producer_byte_rate: '3145728' }),
        userClientConfigNode('etl job', 'app*1', { consumer_byte_rate: '1000', controller_mutation_rate: '10' }),
        entityConfigNode('users', 'scram-only', { 'SCRAM-SHA-256': scramCredential('scram-only', 'SCRAM-SHA-256', 8192) }),
        { path: '/delegation_token/tokens/tok-3', data: kafkaJson.delegationToken(3, { tokenId: 'tok-3', owner: 'User%3Aalice', renewers: [], requester: 'User%3Aadmin', issue: 1717000000000, max: 1717604800000, expiry: 1717086400000 }) },
        { path: '/isr_change_notification/isr_change_', data: kafkaJson.isrChange([{ topic: 'audit_log.compacted', partition: 1 }]), mode: 'persistent_sequential' },
      ],
    },
    o.chroot,
  );
}

/** The password.encoder.secret the awkward tree's encrypted config was written with. */
export const AWKWARD_PASSWORD_ENCODER_SECRET = 'metaquorum-test-encoder-secret';
export const AWKWARD_ENCRYPTED_PASSWORD = 'keystore-p@ss';

/**
 * Every awkward case of the reference in one tree (3.x formats unless noted): ephemeral broker
 * nodes with a replica on a broker that is down, a missing state node, a partition without even a
 * partitions/<n> node, leader -1 with the last ISR member kept, ISR outside the replicas, a
 * reassignment, sanitized names and <default>, an encrypted password, a producer-id block beyond
 * 2^32, delete markers (live and stale), legacy offsets (one beyond 2^32), ACLs, plain-text
 * /controller_epoch, null versus empty data, a config node without data, triggers that must not be
 * imported, and a topic config without a node.
 */
export function awkwardTree(o: TreeOptions = {}): TreeSpec {
  const id = (n: string) => kafkaUuid(`awkward/${n}`);
  return withChroot(
    {
      name: 'awkward',
      description: 'every awkward case from zk-layout.md §12',
      nodes: [
        ...kafkaSkeleton('3.x', { clusterId: CLUSTER_ID, controllerEpoch: 23, authorizer: true }),
        { path: '/controller', data: kafkaJson.controller(2, 1, '1717171722000', -1), mode: 'ephemeral' },
        // Broker 3 is down: absent from /brokers/ids, yet named as a replica below.
        brokerNode(1, 5, { host: 'b1', port: 9092, timestamp: '1717171717001' }),
        brokerNode(2, 4, { host: 'b2', port: 9092, timestamp: '1717171717002' }),
        brokerNode(1001, 5, { host: 'b1001', port: 9092, timestamp: '1717171717003' }), // auto-generated id
        // Bumped once: empty bytes (not null) and data version 1 (seqid + 1000 = 1001).
        { path: '/brokers/seqid', data: Buffer.alloc(0), dataVersion: 1 },
        ...topicNodes({
          name: 'mixed',
          version: 3,
          topicId: id('mixed'),
          partitions: { 0: [1, 2, 3], 1: [3, 1, 2], 2: [2, 3, 1], 3: [1, 1001, 2], 4: [2, 1] },
          states: {
            0: { leader: 1, leaderEpoch: 6, isr: [2, 3, 1], controllerEpoch: 23, partitionEpoch: 8 },
            1: { leader: -1, leaderEpoch: 17, isr: [3], controllerEpoch: 23, partitionEpoch: 4 }, // offline
            2: 'no-state', // written while no controller ran
            3: { leader: 1, leaderEpoch: 2, isr: [1, 4], controllerEpoch: 22, partitionEpoch: 2 }, // ISR names 4, not a replica
            4: 'no-partition-node',
          },
          config: 'null',
        }),
        ...topicNodes({
          name: 'orders.reassigning',
          version: 3,
          topicId: id('orders.reassigning'),
          partitions: { 0: [2, 3, 4, 1] },
          adding: { 0: [4] },
          removing: { 0: [1] },
          states: { 0: { leader: 4, leaderEpoch: 9, isr: [4], controllerEpoch: 23, leaderRecoveryState: 1, partitionEpoch: 12 } },
        }),
        // A topic without an id (v2, 2.4-era) and without any config node.
        ...topicNodes({ name: 'no-id-v2', version: 2, partitions: { 0: [1], 1: [2] }, config: 'none' }),
        // Marked for deletion (still present), and a stale marker for a topic long gone.
        ...topicNodes({ name: 'doomed', version: 3, topicId: id('doomed'), partitions: { 0: [1, 2] } }),
        { path: '/admin/delete_topics/doomed' },
        { path: '/admin/delete_topics/gone-long-ago' },
        { path: '/admin/preferred_replica_election', data: kafkaJson.preferredReplicaElection([{ topic: 'mixed', partition: 0 }]) },
        entityConfigNode('brokers', '<default>', { 'log.cleaner.threads': '2', 'max.connections.per.ip': '500' }),
        entityConfigNode('brokers', '1', {
          'listener.name.internal.ssl.keystore.password': encryptKafkaPassword(AWKWARD_ENCRYPTED_PASSWORD, AWKWARD_PASSWORD_ENCODER_SECRET, { salt: Buffer.alloc(256, 7), iv: Buffer.alloc(16, 9) }),
          'follower.replication.throttled.rate': '10485760',
        }),
        entityConfigNode('brokers', '2', {}),
        entityConfigNode('clients', 'etl job', { producer_byte_rate: '1048576' }),
        entityConfigNode('clients', 'app*1', { request_percentage: '25.5' }),
        entityConfigNode('users', 'alice@example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-512': scramCredential('alice') }),
        // /config/users/bob has no data: only the parent of bob's (user, client) quota.
        userClientConfigNode('bob', 'mobile app', { producer_byte_rate: '1024' }),
        entityConfigNode('users', '<default>', {}),
        // Beyond 32 bits (still below 2^53: hugeNumbersTree has those).
        { path: '/latest_producer_id_block', data: kafkaJson.producerIdBlock(1, 4294967000n, 4294967999n) },
        { path: '/kafka-acl/Topic/*', data: kafkaJson.acls([{ principal: 'User:alice@example.com', permissionType: 'Allow', operation: 'Read', host: '*' }, { principal: 'User:bob', permissionType: 'Deny', operation: 'Write', host: '198.51.100.7' }]) },
        { path: '/kafka-acl/Cluster/kafka-cluster', data: kafkaJson.acls([{ principal: 'User:admin', permissionType: 'Allow', operation: 'ClusterAction', host: '*' }]) },
        { path: '/kafka-acl-extended/prefixed/Group/etl-', data: kafkaJson.acls([{ principal: 'User:etl', permissionType: 'Allow', operation: 'Read', host: '*' }]) },
        // Old consumers' offsets: plain text, one beyond 32 bits, and offsets of a topic long gone.
        ...topicNodes({ name: 'legacy.clickstream_raw', version: 1, partitions: { 0: [1, 2], 1: [2, 1] } }),
        ...legacyConsumerNodes('legacy-etl', { 'legacy.clickstream_raw': { 0: 123757n, 1: 5000000000n }, 'topic-that-is-gone': { 0: 5 } }),
        { path: '/config/changes/config_change_', data: kafkaJson.configChangeV2('users/bob/clients/mobile%20app'), mode: 'persistent_sequential' },
        { path: '/config/changes/config_change_', data: kafkaJson.configChangeV1('topics', 'mixed'), mode: 'persistent_sequential' },
        { path: '/isr_change_notification/isr_change_', data: kafkaJson.isrChange([{ topic: 'mixed', partition: 1 }]), mode: 'persistent_sequential' },
      ],
    },
    o.chroot,
  );
}

/** Nodes that a planner must reject or flag: malformed JSON, unknown versions, wrong types. */
export function malformedTree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'malformed',
      description: 'malformed JSON, unknown versions and wrong types, each at a known path',
      nodes: [
        ...kafkaSkeleton('3.x', { clusterId: CLUSTER_ID }),
        ...topicNodes({ name: 'good', version: 3, topicId: kafkaUuid('malformed/good'), partitions: { 0: [1] } }),
        { path: '/brokers/topics/broken-json', data: '{"version":3,"partitions":{"0":[1,2]' },
        { path: '/brokers/topics/future-version', data: JSON.stringify({ version: 4, partitions: { 0: [1] }, adding_replicas: {}, removing_replicas: {}, topic_id: kafkaUuid('malformed/future') }) },
        { path: '/brokers/topics/string-replicas', data: JSON.stringify({ version: 1, partitions: { 0: ['1', '2'] } }) },
        ...topicNodes({ name: 'bad-state', version: 3, topicId: kafkaUuid('malformed/bad-state'), partitions: { 0: [1] }, states: { 0: 'no-state' } }),
        { path: '/brokers/topics/bad-state/partitions/0/state', data: 'leader=1' },
        { path: '/config/topics/bad-config', data: JSON.stringify({ version: 1, config: { 'retention.ms': 86400000 } }) },
        { path: '/latest_producer_id_block', data: '{"version":1,"broker":1,"block_start":"x","block_end":"y"}' },
      ],
    },
    o.chroot,
  );
}

/** 64-bit values beyond 2^53 (JavaScript numbers lose them): a producer-id block and a legacy offset. */
export function hugeNumbersTree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'huge-numbers',
      description: 'producer-id block and legacy consumer offset above Number.MAX_SAFE_INTEGER',
      nodes: [
        ...kafkaSkeleton('3.x', { clusterId: CLUSTER_ID }),
        ...topicNodes({ name: 'big', version: 3, topicId: kafkaUuid('huge/big'), partitions: { 0: [1] } }),
        { path: '/latest_producer_id_block', data: kafkaJson.producerIdBlock(1, 9007199254741000n, 9007199254741999n) },
        ...legacyConsumerNodes('old-group', { big: { 0: 9007199254740993n } }),
      ],
    },
    o.chroot,
  );
}

/** A tree Apache Kafka's own KIP-866 migration has started on: /migration, and a PERSISTENT /controller held by KRaft. */
export function alreadyMigratingTree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'already-migrating',
      description: '/migration exists and /controller carries kraftControllerEpoch ≥ 0',
      nodes: [
        ...kafkaSkeleton('3.x', { clusterId: CLUSTER_ID, controllerEpoch: 24 }),
        { path: '/controller', data: kafkaJson.controller(2, 3000, '1717171800000', 1) },
        { path: '/migration', data: kafkaJson.migration({ controllerId: 3000, controllerEpoch: 1, metadataOffset: 12345, metadataEpoch: 1 }) },
        ...topicNodes({ name: 'events', version: 3, topicId: kafkaUuid('migrating/events'), partitions: { 0: [1, 2] } }),
      ],
    },
    o.chroot,
  );
}

/** Something that is not Kafka (another application's nodes), for "the root does not hold Kafka". */
export function notKafkaTree(o: TreeOptions = {}): TreeSpec {
  return withChroot(
    {
      name: 'not-kafka',
      description: 'HBase/Solr-like nodes, no /brokers, no /cluster/id',
      nodes: [
        { path: '/hbase/master', data: 'hmaster-1:16000' },
        { path: '/hbase/rs/rs-1' },
        { path: '/solr/live_nodes/solr-1:8983_solr' },
        { path: '/solr/clusterstate.json', data: '{}' },
      ],
    },
    o.chroot,
  );
}

export interface BenchmarkTreeOptions extends TreeOptions {
  /** Default 2,000. */
  readonly topics?: number;
  /** Per topic; default 10. */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly brokers?: number;
}

/**
 * The benchmark shape: N topics × P partitions, 3.x formats, every topic with an id, a config
 * node and a state node per partition. 2,000 × 10 gives 2,000 × (1 topic + 1 partitions + 10
 * partition + 10 state + 1 config) = 46,000 znodes plus the skeleton.
 */
export function benchmarkTree(o: BenchmarkTreeOptions = {}): TreeSpec {
  const topics = o.topics ?? 2_000;
  const partitions = o.partitions ?? 10;
  const rf = o.replicationFactor ?? 3;
  const brokers = o.brokers ?? 5;
  const nodes: ZnodeSpec[] = [...kafkaSkeleton('3.x', { clusterId: CLUSTER_ID, controllerEpoch: 5 })];
  // Persistent here (not ephemeral as in Kafka), so the tree outlives the populator's session.
  for (let b = 1; b <= brokers; b++) nodes.push({ path: `/brokers/ids/${b}`, data: kafkaJson.broker(5, { host: `broker-${b}`, port: 9092 }) });
  for (let t = 0; t < topics; t++) {
    const name = `bench-topic-${String(t).padStart(5, '0')}`;
    const assignment: Record<number, number[]> = {};
    for (let p = 0; p < partitions; p++) assignment[p] = Array.from({ length: rf }, (_, r) => ((t + p + r) % brokers) + 1);
    const states: Record<number, PartitionStateSpec> = {};
    for (let p = 0; p < partitions; p++) states[p] = { leader: assignment[p]![0]!, leaderEpoch: (t + p) % 7, isr: assignment[p]!, controllerEpoch: 5 };
    nodes.push(...topicNodes({ name, version: 3, topicId: kafkaUuid(`bench/${name}`), partitions: assignment, states, config: t % 10 === 0 ? { 'retention.ms': '604800000' } : {} }));
  }
  return withChroot({ name: `benchmark-${topics}x${partitions}`, description: `${topics} topics × ${partitions} partitions`, nodes }, o.chroot);
}

/** Every ready-made tree by name. */
export const KAFKA_TREES: Readonly<Record<string, (o?: TreeOptions) => TreeSpec>> = {
  'kafka-0.9': kafka09Tree,
  'kafka-1.1': kafka11Tree,
  'kafka-2.8': kafka28Tree,
  'kafka-3.x': kafka3xTree,
  awkward: awkwardTree,
  malformed: malformedTree,
  'huge-numbers': hugeNumbersTree,
  'already-migrating': alreadyMigratingTree,
  'not-kafka': notKafkaTree,
};
