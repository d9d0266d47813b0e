// Reads a live ZooKeeper tree into a ZkTree (zk-tree.ts) with node-zookeeper-client. Read-only:
// this module only ever sends exists, getData and getChildren; it never creates, sets or deletes.
//
// * Connect string: `host:port[,host:port…][/chroot]`. The chroot is written once, after the last
//   host, and applies to every host (as in Kafka's zookeeper.connect). It must be an absolute path
//   without a trailing slash; every path in the tree is relative to it ("/" is the chroot itself).
// * Never reads ZooKeeper's own /zookeeper subtree (quota and config). Without a chroot, the root's
//   child `zookeeper` is neither read nor listed in the root's children.
// * Walks the tree itself (the client's listSubTreeBFS stops after two levels) with a bounded pool
//   of concurrent node reads: each in-flight read is one getData, then one getChildren when the
//   stat says the node has children, so at most `concurrency` requests are outstanding.
// * Nodes deleted (or made unreadable) while the walk runs are recorded in `errors`, not fatal.
// * A connection lost mid-walk (a server of the ensemble dying) is retried once the client has
//   reconnected to another server within the session timeout; an expired session is fatal.
//
// The snapshot is not atomic (ZooKeeper has no multi-read) and reflects the server the client is
// connected to, which may lag the leader by a few milliseconds. Kafka's brokers should be stopped
// (or at least no controller should be changing the tree) while it is read.

import zookeeper from 'node-zookeeper-client';
import type { Client, Stat, State as ZkState } from 'node-zookeeper-client';
import type { ZkNode, ZkReadError, ZkStat, ZkTree } from './zk-tree.js';

// ---------------------------------------------------------------------------------------------
// Errors

export type ZkReaderErrorCode =
  | 'BAD_CONNECT_STRING'
  | 'BAD_ROOT'
  | 'UNREACHABLE'
  | 'CHROOT_ABSENT'
  | 'CONNECTION_LOST'
  | 'SESSION_EXPIRED'
  | 'AUTH_FAILED'
  | 'ZOOKEEPER_ERROR';

export class ZkReaderError extends Error {
  constructor(
    readonly code: ZkReaderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ZkReaderError';
  }
}

// ---------------------------------------------------------------------------------------------
// Connect strings

export interface ZkHost {
  readonly host: string;
  readonly port: number;
}

export interface ZkConnectString {
  readonly hosts: readonly ZkHost[];
  /** `/kafka`, or undefined when the connect string has no chroot. */
  readonly chroot: string | undefined;
  /** The hosts part alone (`h1:2181,h2:2181`), what the client is given. */
  readonly hostList: string;
}

const DEFAULT_PORT = 2181;

/** Checks a ZooKeeper path: absolute, no trailing slash, no empty, `.` or `..` segment. Returns a problem or undefined. */
export function zkPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'it must be absolute (start with /)';
  if (path === '/') return undefined;
  if (path.endsWith('/')) return 'it must not end with /';
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'it has an empty segment (//)';
    if (segment === '.' || segment === '..') return `it has a relative segment (${segment})`;
    // ZooKeeper's PathUtils rejects these characters in names.
    if (/[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(segment)) return 'it has a character ZooKeeper does not allow in a name';
  }
  return undefined;
}

function isUnderZookeeper(path: string): boolean {
  return path === '/zookeeper' || path.startsWith('/zookeeper/');
}

/**
 * Parses `host:port[,host:port…][/chroot]`. The port defaults to 2181. Throws ZkReaderError
 * BAD_CONNECT_STRING with a sentence saying what is wrong.
 */
export function parseZkConnectString(connectString: string): ZkConnectString {
  const bad = (why: string) => new ZkReaderError('BAD_CONNECT_STRING', `invalid ZooKeeper connect string "${connectString}": ${why}`);
  const s = connectString.trim();
  if (s === '') throw bad('it is empty');
  const slash = s.indexOf('/');
  const hostPart = slash === -1 ? s : s.slice(0, slash);
  let chroot = slash === -1 ? undefined : s.slice(slash);
  if (chroot !== undefined) {
    if (chroot.includes(',') || /\/[^/]*:\d+/.test(chroot)) {
      throw bad('the chroot must be written once, after the last host (h1:2181,h2:2181/kafka), not after each host');
    }
    if (chroot === '/') throw bad('the chroot "/" is the root: leave it out');
    const problem = zkPathProblem(chroot);
    if (problem !== undefined) throw bad(`the chroot ${chroot} is not a valid ZooKeeper path: ${problem}`);
    if (isUnderZookeeper(chroot)) throw bad(`the chroot ${chroot} is inside ZooKeeper's own /zookeeper subtree`);
  }
  const hosts: ZkHost[] = [];
  for (const item of hostPart.split(',')) {
    const h = item.trim();
    if (h === '') throw bad('it has an empty host (a stray comma?)');
    if (h.startsWith('[') || (h.match(/:/g) ?? []).length > 1) {
      throw bad(`${h}: IPv6 literals are not supported by node-zookeeper-client; use a host name`);
    }
    const colon = h.indexOf(':');
    const host = colon === -1 ? h : h.slice(0, colon);
    const portText = colon === -1 ? undefined : h.slice(colon + 1);
    if (host === '') throw bad(`${h}: the host is empty`);
    let port = DEFAULT_PORT;
    if (portText !== undefined) {
      if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw bad(`${h}: the port must be a number from 1 to 65535`);
      port = Number(portText);
    }
    hosts.push({ host, port });
  }
  if (chroot === '') chroot = undefined;
  return { hosts, chroot, hostList: hosts.map((h) => `${h.host}:${h.port}`).join(',') };
}

// ---------------------------------------------------------------------------------------------
// A session: promises over node-zookeeper-client, connect timeout, retry over reconnects

const State = zookeeper.State;
const Exception = zookeeper.Exception;

interface ZkFailure {
  readonly code: number;
  readonly name: string;
}

function failureOf(e: unknown): ZkFailure {
  if (e !== null && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'number') {
    const name = (e as { name?: unknown }).name;
    return { code: (e as { code: number }).code, name: typeof name === 'string' ? name : `ZooKeeper error ${(e as { code: number }).code}` };
  }
  return { code: Exception.SYSTEM_ERROR, name: e instanceof Error ? e.message : String(e) };
}

/** Reason text for a node that could not be read (ZkReadError.reason). */
function reasonFor(f: ZkFailure): string {
  if (f.code === Exception.NO_NODE) return 'NO_NODE (deleted while reading)';
  if (f.code === Exception.NO_AUTH) return "NOT_AUTHORIZED (NO_AUTH: the node's ACL does not let this client read it; Kafka's zookeeper.set.acl? see --zk-auth)";
  return f.name;
}

/** Internals of node-zookeeper-client's ConnectionManager used to tear down a client that never connected. */
interface ConnectionManagerInternals {
  socket?: { destroy(): void } | undefined;
  connectTimeoutHandler?: ReturnType<typeof setTimeout> | null;
}

/** One `addauth`: a scheme and its credentials, e.g. digest and `super:secret`. */
export interface ZkAuth {
  readonly scheme: string;
  readonly credentials: string;
}

export interface ZkSessionOptions {
  readonly connectTimeoutMs: number;
  /** Requested session timeout (the server clamps it to 2..20 ticks). Default 30 s. */
  readonly sessionTimeoutMs?: number;
  /** Authentication sent on connecting (and on every reconnect), as zkCli's addauth. */
  readonly auth?: readonly ZkAuth[];
}

class ZkSession {
  private closed = false;
  private closedGracefully = false;
  /** Ends pending reconnect waits when the session is closed. */
  private readonly onClose = new Set<() => void>();

  private constructor(
    private readonly client: Client,
    private readonly where: string,
    private readonly reconnectTimeoutMs: number,
  ) {}

  static async open(cs: ZkConnectString, options: ZkSessionOptions): Promise<ZkSession> {
    const where = cs.hostList;
    // No chroot given to the client: paths are prefixed here, so that the chroot's existence can be
    // checked and /zookeeper recognised. retries 0: reconnects are handled by withRetry below.
    const client = zookeeper.createClient(cs.hostList, { sessionTimeout: options.sessionTimeoutMs ?? 30_000, spinDelay: 200, retries: 0 });
    // Queued before connect(): the client sends them with the session, and again on each reconnect.
    for (const a of options.auth ?? []) client.addAuthInfo(a.scheme, Buffer.from(a.credentials, 'utf8'));
    const session = new ZkSession(client, where, Math.max(options.connectTimeoutMs, 1_000));
    // The connect-attempt timer (sessionTimeout / number of hosts) must not hold the process open
    // after a failed connect has been abandoned.
    unrefTimersOf(client);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        session.destroy();
        reject(new ZkReaderError('UNREACHABLE', `ZooKeeper unreachable: no server of ${where} accepted a session within ${options.connectTimeoutMs} ms`));
      }, options.connectTimeoutMs);
      const onState = (state: ZkState) => {
        if (state === State.SYNC_CONNECTED) {
          cleanup();
          resolve();
        } else if (state === State.AUTH_FAILED) {
          cleanup();
          session.destroy();
          reject(new ZkReaderError('AUTH_FAILED', `ZooKeeper at ${where} rejected authentication`));
        } else if (state === State.EXPIRED) {
          cleanup();
          session.destroy();
          reject(new ZkReaderError('SESSION_EXPIRED', `ZooKeeper at ${where} expired the session while connecting`));
        }
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.removeListener('state', onState);
      };
      client.on('state', onState);
      client.connect();
    });
    return session;
  }

  /** Shared by every request waiting for the same reconnect (one state listener, not one each). */
  private reconnecting: Promise<void> | undefined;

  /** Waits until the client is connected again after a connection loss (it reconnects on its own). */
  private waitConnected(): Promise<void> {
    const state = this.client.getState();
    if (state === State.SYNC_CONNECTED) return Promise.resolve();
    if (state === State.EXPIRED) return Promise.reject(this.expired());
    this.reconnecting ??= this.awaitReconnect().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private awaitReconnect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.removeListener('state', onState);
        reject(new ZkReaderError('CONNECTION_LOST', `lost the connection to ZooKeeper (${this.where}) and could not reconnect within ${this.reconnectTimeoutMs} ms`));
      }, this.reconnectTimeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.client.removeListener('state', onState);
        this.onClose.delete(aborted);
      };
      const onState = (s: ZkState) => {
        if (s === State.SYNC_CONNECTED || s === State.EXPIRED || s === State.AUTH_FAILED) {
          finish();
          if (s === State.SYNC_CONNECTED) resolve();
          else reject(s === State.EXPIRED ? this.expired() : new ZkReaderError('AUTH_FAILED', `ZooKeeper at ${this.where} rejected authentication`));
        }
      };
      const aborted = () => {
        finish();
        reject(new ZkReaderError('CONNECTION_LOST', `the ZooKeeper session (${this.where}) was closed`));
      };
      this.client.on('state', onState);
      this.onClose.add(aborted);
    });
  }

  private expired(): ZkReaderError {
    return new ZkReaderError('SESSION_EXPIRED', `the ZooKeeper session expired (no server of ${this.where} was reachable for longer than the session timeout)`);
  }

  /**
   * Runs one request; CONNECTION_LOSS waits for the reconnect and retries (reads are idempotent).
   * Resolves with the result, or rejects with the ZooKeeper failure (NO_NODE, NO_AUTH, …) or a
   * fatal ZkReaderError.
   */
  private async withRetry<T>(what: string, op: (cb: (error: unknown, result?: T) => void) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new ZkReaderError('CONNECTION_LOST', `the ZooKeeper session was closed during ${what}`);
      try {
        return await new Promise<T>((resolve, reject) => op((error, result) => (error ? reject(error) : resolve(result as T))));
      } catch (e) {
        const f = failureOf(e);
        if (this.closed && f.code === Exception.CONNECTION_LOSS) throw new ZkReaderError('CONNECTION_LOST', `the ZooKeeper session was closed during ${what}`);
        if (f.code === Exception.SESSION_EXPIRED) throw this.expired();
        if (f.code === Exception.AUTH_FAILED) throw new ZkReaderError('AUTH_FAILED', `ZooKeeper at ${this.where} rejected authentication`);
        if (f.code !== Exception.CONNECTION_LOSS || attempt >= 5) throw f.code === Exception.CONNECTION_LOSS ? new ZkReaderError('CONNECTION_LOST', `lost the connection to ZooKeeper (${this.where}) repeatedly during ${what}`) : e;
        await this.waitConnected();
      }
    }
  }

  getData(path: string): Promise<{ data: Buffer | undefined; stat: Stat }> {
    return this.withRetry(`getData ${path}`, (cb) => this.client.getData(path, (error, data, stat) => cb(error, { data, stat })));
  }

  getChildren(path: string): Promise<{ children: string[]; stat: Stat }> {
    return this.withRetry(`getChildren ${path}`, (cb) => this.client.getChildren(path, (error, children, stat) => cb(error, { children, stat })));
  }

  /** The node's stat, or null when it does not exist. */
  exists(path: string): Promise<Stat | null> {
    return this.withRetry(`exists ${path}`, (cb) => this.client.exists(path, (error, stat) => cb(error, stat ?? null)));
  }

  /** Closes the session (tells the server when connected) and drops the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const abort of [...this.onClose]) abort();
    if (this.client.getState() === State.SYNC_CONNECTED) {
      this.closedGracefully = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        timer.unref();
        const onState = (s: ZkState) => {
          if (s === State.DISCONNECTED) {
            clearTimeout(timer);
            this.client.removeListener('state', onState);
            resolve();
          }
        };
        this.client.on('state', onState);
        this.client.close();
      });
    }
    this.destroy();
  }

  /**
   * Tears the client down whatever its state. node-zookeeper-client's close() only works on a
   * connected client (before that it may throw, and its reconnect timer keeps dialling), so: close
   * what can be closed, destroy the current socket, and destroy any socket it opens later.
   */
  private destroy(): void {
    this.closed = true;
    for (const abort of [...this.onClose]) abort();
    const cm = (this.client as unknown as { connectionManager?: ConnectionManagerInternals }).connectionManager;
    try {
      if (!this.closedGracefully) this.client.close();
    } catch {
      /* close() on a client without a socket throws; the socket is dealt with below */
    }
    if (cm === undefined) return;
    if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler);
    cm.socket?.destroy();
    let current = cm.socket;
    Object.defineProperty(cm, 'socket', {
      configurable: true,
      get: () => current,
      set: (s: { destroy(): void } | undefined) => {
        current = s;
        // A connect attempt scheduled before the teardown: end it at once.
        if (s !== undefined) setImmediate(() => s.destroy());
      },
    });
  }
}

function unrefTimersOf(client: Client): void {
  const cm = (client as unknown as { connectionManager?: ConnectionManagerInternals }).connectionManager;
  if (cm === undefined) return;
  let handler: ReturnType<typeof setTimeout> | null | undefined = cm.connectTimeoutHandler;
  Object.defineProperty(cm, 'connectTimeoutHandler', {
    configurable: true,
    get: () => handler,
    set: (t: ReturnType<typeof setTimeout> | null) => {
      handler = t;
      if (t !== null && typeof t === 'object' && 'unref' in t) t.unref();
    },
  });
}

function toZkStat(s: Stat): ZkStat {
  return {
    version: s.version,
    ctime: Number(s.ctime.readBigInt64BE(0)),
    mtime: Number(s.mtime.readBigInt64BE(0)),
    ephemeralOwner: s.ephemeralOwner.readBigInt64BE(0).toString(),
  };
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function absolute(chroot: string | undefined, rel: string): string {
  if (chroot === undefined) return rel;
  return rel === '/' ? chroot : chroot + rel;
}

async function openChecked(connectString: string, options: ZkSessionOptions): Promise<{ cs: ZkConnectString; session: ZkSession }> {
  const cs = parseZkConnectString(connectString);
  const session = await ZkSession.open(cs, options);
  try {
    if (cs.chroot !== undefined && (await session.exists(cs.chroot)) === null) {
      throw new ZkReaderError('CHROOT_ABSENT', `chroot ${cs.chroot} does not exist on ZooKeeper ${cs.hostList}`);
    }
  } catch (e) {
    await session.close();
    throw e;
  }
  return { cs, session };
}

// ---------------------------------------------------------------------------------------------
// Reading the tree

export interface ZkReadProgress {
  /** Nodes read so far. */
  readonly nodesRead: number;
  /** Nodes listed by their parent and not read yet (queued or in flight). */
  readonly nodesPending: number;
  /** Nodes that could not be read so far. */
  readonly errors: number;
}

export interface ReadZkTreeOptions extends ZkSessionOptions {
  /** Node reads in flight at once (each is one request at a time). 64 reads the 46,000-znode tree in 3–4 s on 2 cores (1: 11–16 s). */
  readonly concurrency: number;
  /** Called after each node is read (throttle on the caller's side). */
  readonly onProgress?: (progress: ZkReadProgress) => void;
  /**
   * Subtrees to read, relative to the chroot (default: ["/"], everything). A root that does not
   * exist is skipped silently (e.g. /kafka-acl on a cluster that never had an authorizer).
   */
  readonly roots?: readonly string[];
  /**
   * Awaited before each node is read, with its path relative to the chroot. For tests (deleting
   * a node mid-walk, recording which paths were read); leave unset otherwise.
   */
  readonly beforeRead?: (path: string) => void | Promise<void>;
}

/** Removes roots inside other roots; checks each. */
function normaliseRoots(roots: readonly string[] | undefined, chroot: string | undefined): string[] {
  const list = roots === undefined || roots.length === 0 ? ['/'] : [...roots];
  for (const r of list) {
    const problem = zkPathProblem(r);
    if (problem !== undefined) throw new ZkReaderError('BAD_ROOT', `cannot read subtree "${r}": ${problem}`);
    if (chroot === undefined && isUnderZookeeper(r)) throw new ZkReaderError('BAD_ROOT', `refusing to read ${r}: it is ZooKeeper's own subtree, not Kafka's`);
  }
  const sorted = [...new Set(list)].sort();
  return sorted.filter((r) => !sorted.some((o) => o !== r && (o === '/' || r.startsWith(`${o}/`))));
}

/**
 * Reads every node under the connect string's chroot (or under `roots` within it) with its data,
 * stat and sorted children. Rejects with ZkReaderError for a bad connect string (BAD_CONNECT_STRING),
 * no server answering within connectTimeoutMs (UNREACHABLE), a missing chroot (CHROOT_ABSENT) or a
 * session lost for good (CONNECTION_LOST, SESSION_EXPIRED). Nodes that vanish or cannot be read
 * during the walk are reported in `errors`.
 */
export async function readZkTree(connectString: string, options: ReadZkTreeOptions): Promise<ZkTree> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const parsed = parseZkConnectString(connectString);
  const roots = normaliseRoots(options.roots, parsed.chroot);
  const { cs, session } = await openChecked(connectString, options);
  const chroot = cs.chroot;
  const nodes = new Map<string, ZkNode>();
  const errors: ZkReadError[] = [];
  // Paths to read, first root-level ones; `queue[head]` is the next one. A root is allowed to be
  // missing; a listed child that is missing was deleted while reading.
  const queue: string[] = [...roots];
  const isRoot = new Set(roots);
  let head = 0;
  let inFlight = 0;

  // Which request comes first for a node is predicted from the nodes of the same shape read so
  // far (shape: the path with numeric names, and names among many siblings, replaced by *). Either
  // request returns the full stat, which says whether the other one is needed: a structural node
  // (partitions/<n>: children, no data) then costs one getChildren, a leaf (…/state) one getData.
  // The prediction only saves requests (about a third on a Kafka tree); the result is the same.
  const shapes = new Map<string, { total: number; withData: number; withChildren: number }>();
  const shapeOf: string[] = [...roots];

  const readOne = async (rel: string, shape: string): Promise<void> => {
    if (options.beforeRead !== undefined) await options.beforeRead(rel);
    const abs = absolute(chroot, rel);
    const seen = shapes.get(shape);
    const childrenFirst = seen !== undefined && seen.withChildren * 2 > seen.total && seen.withData * 2 < seen.total;
    let data: Buffer | undefined;
    let stat: Stat;
    let children: string[] = [];
    try {
      if (childrenFirst) {
        const listed = await session.getChildren(abs);
        children = listed.children;
        stat = listed.stat;
        if (stat.dataLength > 0) ({ data, stat } = await session.getData(abs));
      } else {
        ({ data, stat } = await session.getData(abs));
        if (stat.numChildren > 0) children = (await session.getChildren(abs)).children;
      }
    } catch (e) {
      if (e instanceof ZkReaderError) throw e;
      const f = failureOf(e);
      // A root (other than the chroot, checked already) may simply not exist: not an error.
      if (!(isRoot.has(rel) && f.code === Exception.NO_NODE)) errors.push({ path: rel, reason: reasonFor(f) });
      return;
    }
    const counts = seen ?? { total: 0, withData: 0, withChildren: 0 };
    counts.total++;
    if (stat.dataLength > 0) counts.withData++;
    if (children.length > 0) counts.withChildren++;
    if (seen === undefined) shapes.set(shape, counts);
    // ZooKeeper's own subtree sits at the real root; it is neither read nor listed.
    if (chroot === undefined && rel === '/') children = children.filter((c) => c !== 'zookeeper');
    children.sort();
    nodes.set(rel, { data: data !== undefined && data.length > 0 ? data : null, stat: toZkStat(stat), children });
    const many = children.length > 8;
    for (const c of children) {
      queue.push(childPath(rel, c));
      shapeOf.push(`${shape}/${many || /^\d+$/.test(c) ? '*' : c}`);
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const pump = () => {
        if (failed) return;
        while (inFlight < concurrency && head < queue.length) {
          const shape = shapeOf[head]!;
          const path = queue[head++]!;
          inFlight++;
          readOne(path, shape).then(
            () => {
              inFlight--;
              // Let the consumed part of the queue go now and then.
              if (head > 65_536 && head * 2 > queue.length) {
                queue.splice(0, head);
                shapeOf.splice(0, head);
                head = 0;
              }
              options.onProgress?.({ nodesRead: nodes.size, nodesPending: queue.length - head + inFlight, errors: errors.length });
              if (inFlight === 0 && head >= queue.length) resolve();
              else pump();
            },
            (e: unknown) => {
              failed = true;
              reject(e);
            },
          );
        }
        if (inFlight === 0 && head >= queue.length) resolve();
      };
      pump();
    });
  } finally {
    await session.close();
  }
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { nodes, errors };
}

// ---------------------------------------------------------------------------------------------
// Does the root hold Kafka?

export interface KafkaRootInfo {
  /** The chroot that was looked at, or "/" for none. */
  readonly root: string;
  /** The root's children (without ZooKeeper's own `zookeeper` at the real root), sorted. */
  readonly children: readonly string[];
  readonly hasBrokers: boolean;
  readonly hasBrokerIds: boolean;
  readonly hasBrokerTopics: boolean;
  readonly hasClusterId: boolean;
  /** The id in /cluster/id when it parses (`{"version":"1","id":"…"}`). */
  readonly clusterId: string | undefined;
  /** Why /cluster/id could not be used, when it exists but is malformed. */
  readonly clusterIdProblem: string | undefined;
  /** /migration exists: Apache Kafka's own ZK → KRaft migration (KIP-866) has started on this tree. */
  readonly hasMigration: boolean;
  /** /brokers or /cluster/id is present. (Kafka before 0.10.1 wrote no /cluster/id.) */
  readonly looksLikeKafka: boolean;
  /** One sentence for the operator. */
  readonly summary: string;
}

function parseClusterId(data: Buffer | null | undefined): { id: string | undefined; problem: string | undefined } {
  if (data === null || data === undefined || data.length === 0) return { id: undefined, problem: '/cluster/id holds no data' };
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    const id = v !== null && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && id !== '') return { id, problem: undefined };
    return { id: undefined, problem: '/cluster/id has no "id" string' };
  } catch {
    return { id: undefined, problem: '/cluster/id is not JSON' };
  }
}

function describeRoot(f: Omit<KafkaRootInfo, 'looksLikeKafka' | 'summary'>): KafkaRootInfo {
  const looksLikeKafka = f.hasBrokers || f.hasClusterId;
  const where = f.root === '/' ? 'the ZooKeeper root (no chroot)' : `chroot ${f.root}`;
  const found = [f.hasBrokers ? '/brokers' : undefined, f.hasClusterId ? `/cluster/id${f.clusterId !== undefined ? ` (cluster id ${f.clusterId})` : ''}` : undefined].filter((x) => x !== undefined);
  let summary: string;
  if (looksLikeKafka) {
    summary = `${where} holds a Kafka tree: found ${found.join(' and ')}`;
    if (!f.hasClusterId) summary += '; no /cluster/id (Kafka before 0.10.1, or a broker never started)';
    if (f.clusterIdProblem !== undefined && f.hasClusterId) summary += `; but ${f.clusterIdProblem}`;
    if (f.hasMigration) summary += '; /migration exists: Apache Kafka is already migrating this tree';
  } else {
    const top = f.children.length === 0 ? 'it is empty' : `its top level holds ${f.children.slice(0, 10).join(', ')}${f.children.length > 10 ? `, … (${f.children.length})` : ''}`;
    summary = `${where} does not hold a Kafka tree: no /brokers and no /cluster/id (${top})`;
    if (f.root === '/') {
      const candidates = f.children.filter((c) => c !== 'zookeeper');
      if (candidates.length > 0) summary += `; if Kafka's zookeeper.connect has a chroot, append it (e.g. host:2181/${candidates[0]})`;
    }
  }
  return { ...f, looksLikeKafka, summary };
}

/** Looks at a tree already read (paths relative to its chroot) and says whether it holds Kafka. */
export function inspectKafkaRoot(tree: ZkTree, chroot?: string): KafkaRootInfo {
  const at = (p: string) => tree.nodes.get(p);
  const clusterIdNode = at('/cluster/id');
  const cid = clusterIdNode === undefined ? { id: undefined, problem: undefined } : parseClusterId(clusterIdNode.data);
  return describeRoot({
    root: chroot ?? '/',
    children: [...(at('/')?.children ?? [])].filter((c) => chroot !== undefined || c !== 'zookeeper'),
    hasBrokers: at('/brokers') !== undefined,
    hasBrokerIds: at('/brokers/ids') !== undefined,
    hasBrokerTopics: at('/brokers/topics') !== undefined,
    hasClusterId: clusterIdNode !== undefined,
    clusterId: cid.id,
    clusterIdProblem: cid.problem,
    hasMigration: at('/migration') !== undefined,
  });
}

/**
 * Connects and looks only at the root's children, /brokers and /cluster/id (a handful of
 * requests), so a command can say what it found before walking a large tree.
 */
export async function probeKafkaRoot(connectString: string, options: ZkSessionOptions): Promise<KafkaRootInfo> {
  const { cs, session } = await openChecked(connectString, options);
  const abs = (rel: string) => absolute(cs.chroot, rel);
  try {
    const children = (await session.getChildren(abs('/'))).children.filter((c) => cs.chroot !== undefined || c !== 'zookeeper').sort();
    const has = (name: string) => children.includes(name);
    const existsRel = async (rel: string) => (await session.exists(abs(rel))) !== null;
    let clusterIdData: Buffer | undefined | null = null;
    let hasClusterId = false;
    if (has('cluster')) {
      try {
        clusterIdData = (await session.getData(abs('/cluster/id'))).data;
        hasClusterId = true;
      } catch (e) {
        if (e instanceof ZkReaderError) throw e;
        if (failureOf(e).code !== Exception.NO_NODE) throw new ZkReaderError('ZOOKEEPER_ERROR', `cannot read ${abs('/cluster/id')}: ${reasonFor(failureOf(e))}`);
      }
    }
    const cid = hasClusterId ? parseClusterId(clusterIdData) : { id: undefined, problem: undefined };
    return describeRoot({
      root: cs.chroot ?? '/',
      children,
      hasBrokers: has('brokers'),
      hasBrokerIds: has('brokers') && (await existsRel('/brokers/ids')),
      hasBrokerTopics: has('brokers') && (await existsRel('/brokers/topics')),
      hasClusterId,
      clusterId: cid.id,
      clusterIdProblem: cid.problem,
      hasMigration: has('migration'),
    });
  } catch (e) {
    // ZooKeeper's own failures (NO_AUTH on the chroot, the chroot deleted meanwhile) carry a numeric
    // code, which the admin error formatting would present as the quorum's refusal (found by a review).
    if (e instanceof ZkReaderError) throw e;
    throw new ZkReaderError('ZOOKEEPER_ERROR', `cannot look at ${cs.chroot ?? '/'} in ZooKeeper at ${cs.hostList}: ${reasonFor(failureOf(e))}`);
  } finally {
    await session.close();
  }
}
