// A cluster of real node processes on 127.0.0.1: what `metaquorum dev` runs, and what the
// end-to-end tests, bench:cluster and the chaos harness drive. It plans the nodes (ids, roles,
// ports), writes each node's server.properties, formats its directories, spawns
// `metaquorum start` for each, and can kill, pause, resume and restart any of them.
//
// Layout under the data directory:
//   cluster.json                 cluster id and, per node: id, roles, pid, listener addresses
//   node-<id>/server.properties
//   node-<id>/metadata/          metadata.log.dir (meta.properties, __cluster_metadata-0/)
//   node-<id>/logs/              log.dir
//   node-<id>/node.log           the process's NDJSON log (appended across restarts)
//
// Ids: split mode has controllers 1..C and brokers C+1..C+B; combined mode has C nodes that are
// both, plus broker-only nodes if more brokers are asked for. Node k listens for clients on
// basePort+k-1 and for the quorum on basePort+100+k-1.

import type { TlsMaterial } from '../../quorum/net/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { open, readFile, writeFile, rename } from 'node:fs/promises';
import { reservablePort } from './free-port.js';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirs } from '../../quorum/node/fsync-dir.js';
import { supervisedSpawn } from './supervisor-pipe.js';
import { StorageError } from '../config/errors.js';
import { formatProperties } from '../config/properties.js';
import { randomClusterId } from '../config/cluster-id.js';
import { writeFormattedDirectory } from '../config/format.js';
import { newInitialControllers, type VoterBootstrap } from '../config/initial-controllers.js';
import { readMetaProperties } from '../config/meta-properties.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { cryptoRandom } from '../config/cluster-id.js';

export type NodeRole = 'broker' | 'controller';

export interface ClusterShape {
  readonly controllers: number;
  readonly brokers: number;
  readonly combined: boolean;
  /** 0: pick free ports. */
  readonly basePort: number;
  /** Extra server.properties for every node (timeouts in tests, say). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Extra server.properties, after `properties`, for the nodes with the controller role, and for those with the broker role. */
  readonly controllerProperties?: Readonly<Record<string, string>>;
  readonly brokerProperties?: Readonly<Record<string, string>>;
}

/** The extra server.properties of one node: the shape's for every node, then its roles'. */
export function extraPropertiesOf(shape: ClusterShape, roles: readonly NodeRole[]): Record<string, string> {
  return {
    ...shape.properties,
    ...(roles.includes('controller') ? shape.controllerProperties : {}),
    ...(roles.includes('broker') ? shape.brokerProperties : {}),
  };
}

export interface PlannedNode {
  readonly id: number;
  readonly roles: readonly NodeRole[];
  readonly controllerPort: number | null;
  readonly clientPort: number | null;
  /** The HTTP metrics endpoint (metaquorum.metrics.listener); null for a cluster planned before it existed. */
  readonly metricsPort: number | null;
  readonly dir: string;
  readonly configPath: string;
  readonly logPath: string;
}

export interface ClusterJsonNode {
  readonly id: number;
  readonly roles: readonly NodeRole[];
  readonly pid: number | null;
  /** host:port of the controller listener, or null. */
  readonly controller: string | null;
  /** host:port of the client listener, or null. */
  readonly client: string | null;
  /** host:port of GET /metrics and /health, or null (absent in a cluster.json written before it existed). */
  readonly metrics?: string | null;
  readonly config: string;
  readonly log: string;
}

export interface ClusterJson {
  readonly clusterId: string;
  readonly dataDir: string;
  readonly bootstrapControllers: string;
  readonly bootstrapServers: string;
  readonly nodes: readonly ClusterJsonNode[];
}

const HOST = '127.0.0.1';

/** cluster.json as this module wrote it, or an error naming the file and what to do. */
async function readClusterJson(path: string): Promise<ClusterJson> {
  const refuse = (why: string) =>
    new Error(`${path} is not a cluster.json that dev wrote (${why}); remove its whole data directory to start a new cluster, or use another --data-dir`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw refuse((e instanceof Error ? e.message : String(e)).replace(/\s+/g, " "));
  }
  const j = parsed as Partial<ClusterJson> | null;
  if (j === null || typeof j !== 'object' || typeof j.clusterId !== 'string' || !Array.isArray(j.nodes)) throw refuse('no clusterId and nodes');
  for (const n of j.nodes as unknown[]) {
    const node = n as Partial<ClusterJsonNode> | null;
    const address = (a: unknown) => a === null || (typeof a === 'string' && /:\d+$/.test(a));
    if (node === null || typeof node !== 'object' || !Number.isSafeInteger(node.id) || !Array.isArray(node.roles) || !address(node.controller) || !address(node.client)) {
      throw refuse(`a node entry without id, roles and listener addresses: ${JSON.stringify(n).slice(0, 80)}`);
    }
  }
  return j as ClusterJson;
}

/** The compiled CLI next to this file (dist/tools/cli.js). */
export function defaultCliPath(): string {
  return fileURLToPath(new URL('../cli.js', import.meta.url));
}

/** A free port that stays usable across restarts (free-port.ts). */
function freePort(): Promise<number> {
  return reservablePort(HOST);
}

/** The port node `id` gets for a listener from a fixed base: clients on base+id-1, the quorum on base+100+id-1, metrics on base+200+id-1. */
export function portFromBase(basePort: number, listener: 'client' | 'controller' | 'metrics', id: number): number {
  return basePort + (listener === 'controller' ? 100 : listener === 'metrics' ? 200 : 0) + id - 1;
}

/** The shape of the cluster a data directory's cluster.json describes (undefined: none there). */
export async function existingShape(dataDir: string): Promise<Omit<ClusterShape, 'basePort'> | undefined> {
  const jsonPath = join(resolve(dataDir), 'cluster.json');
  if (!existsSync(jsonPath)) return undefined;
  const { nodes } = await readClusterJson(jsonPath);
  const combined = nodes.some((n) => n.roles.includes('controller') && n.roles.includes('broker'));
  const controllers = nodes.filter((n) => n.roles.includes('controller')).length;
  const brokers = nodes.filter((n) => n.roles.includes('broker') && (combined || !n.roles.includes('controller'))).length;
  return { controllers, brokers, combined };
}

export async function planCluster(shape: ClusterShape, dataDir: string): Promise<PlannedNode[]> {
  const nodes: { id: number; roles: NodeRole[] }[] = [];
  if (shape.combined) {
    for (let i = 1; i <= shape.controllers; i++) nodes.push({ id: i, roles: ['broker', 'controller'] });
    for (let i = shape.controllers + 1; i <= shape.brokers; i++) nodes.push({ id: i, roles: ['broker'] });
  } else {
    for (let i = 1; i <= shape.controllers; i++) nodes.push({ id: i, roles: ['controller'] });
    for (let i = 1; i <= shape.brokers; i++) nodes.push({ id: shape.controllers + i, roles: ['broker'] });
  }
  const planned: PlannedNode[] = [];
  for (const n of nodes) {
    const dir = join(dataDir, `node-${n.id}`);
    const port = async (listener: 'client' | 'controller' | 'metrics') => (shape.basePort === 0 ? freePort() : portFromBase(shape.basePort, listener, n.id));
    planned.push({
      id: n.id,
      roles: n.roles,
      controllerPort: n.roles.includes('controller') ? await port('controller') : null,
      clientPort: n.roles.includes('broker') ? await port('client') : null,
      metricsPort: await port('metrics'),
      dir,
      configPath: join(dir, 'server.properties'),
      logPath: join(dir, 'node.log'),
    });
  }
  return planned;
}

/** Where node `fromId` dials voter `voterId` (the chaos harness puts a fault-injecting proxy there). */
export type VoterRoute = (fromId: number, voterId: number) => { readonly host: string; readonly port: number };

export function nodeProperties(node: PlannedNode, all: readonly PlannedNode[], extra: Readonly<Record<string, string>> = {}, route?: VoterRoute): Map<string, string> {
  const voters = all
    .filter((n) => n.controllerPort !== null)
    .map((n) => {
      const at = n.id === node.id || route === undefined ? { host: HOST, port: n.controllerPort! } : route(node.id, n.id);
      return `${n.id}@${at.host}:${at.port}`;
    });
  const listeners: string[] = [];
  if (node.controllerPort !== null) listeners.push(`CONTROLLER://${HOST}:${node.controllerPort}`);
  if (node.clientPort !== null) listeners.push(`PLAINTEXT://${HOST}:${node.clientPort}`);
  const p = new Map<string, string>([
    ['process.roles', node.roles.join(',')],
    ['node.id', String(node.id)],
    ['controller.quorum.voters', voters.join(',')],
    ['controller.listener.names', 'CONTROLLER'],
    ['listeners', listeners.join(',')],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['metadata.log.dir', join(node.dir, 'metadata')],
    // log.dir, not log.dirs: log.dirs is a comma-separated list, and a --data-dir with a comma in
    // its path split into two directories no one had formatted (found by a review).
    ['log.dir', join(node.dir, 'logs')],
  ]);
  if (node.clientPort !== null) p.set('advertised.listeners', `PLAINTEXT://${HOST}:${node.clientPort}`);
  if (node.metricsPort !== null) p.set('metaquorum.metrics.listener', `${HOST}:${node.metricsPort}`);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p;
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProcessClusterOptions {
  readonly dataDir: string;
  readonly shape: ClusterShape;
  /** The cluster id a new cluster is formatted with (default: a random one); e.g. a ZooKeeper cluster's, to import it. */
  readonly clusterId?: string;
  /**
   * Called once the ports are planned, before any config is written: how each node reaches each
   * voter (default: directly). The chaos harness routes every link through its own proxy.
   */
  readonly routeVoters?: (planned: readonly PlannedNode[]) => Promise<VoterRoute>;
  readonly logLevel?: string;
  readonly cliPath?: string;
  /** Called when a node exits without being asked to. */
  readonly onUnexpectedExit?: (id: number, code: number | null, signal: NodeJS.Signals | null) => void;
  /**
   * What this process's own connections to the controller listeners present, when the shape's
   * properties make them SSL (waitForClusterReady, controllerChannelTo): a client certificate and the CA.
   */
  readonly controllerTls?: TlsMaterial;
}

export class ProcessCluster {
  private readonly running = new Map<number, Running>();
  private route: VoterRoute | undefined;
  private readonly stopping = new Set<number>();

  private constructor(
    readonly clusterId: string,
    readonly dataDir: string,
    readonly nodes: readonly PlannedNode[],
    private readonly o: ProcessClusterOptions,
    /** The directory held this cluster already (cluster.json): it was started again, data and all. */
    readonly reused: boolean,
  ) {}

  /** See ProcessClusterOptions.controllerTls. */
  get controllerTls(): TlsMaterial | undefined {
    return this.o.controllerTls;
  }

  /**
   * Plans, configures and formats a cluster in `dataDir`; a directory that already holds a
   * cluster.json is reused as it is (same cluster id, same ports), so `dev` restarts a previous
   * cluster with its data.
   */
  static async create(o: ProcessClusterOptions): Promise<ProcessCluster> {
    const dataDir = resolve(o.dataDir);
    await makeDirs(dataDir);
    const jsonPath = join(dataDir, 'cluster.json');
    if (existsSync(jsonPath)) {
      const previous = await readClusterJson(jsonPath);
      const nodes = await planCluster(o.shape, dataDir);
      const reused = previous.nodes.length === nodes.length && nodes.every((n) => previous.nodes.some((p) => p.id === n.id && p.roles.join() === n.roles.join()));
      if (reused) {
        const planned = nodes.map((n) => {
          const p = previous.nodes.find((x) => x.id === n.id)!;
          const port = (a: string | null) => (a === null ? null : Number(a.slice(a.lastIndexOf(':') + 1)));
          return { ...n, controllerPort: port(p.controller), clientPort: port(p.client), metricsPort: port(p.metrics ?? null) };
        });
        const cluster = new ProcessCluster(previous.clusterId, dataDir, planned, o, true);
        cluster.route = await o.routeVoters?.(planned);
        for (const n of planned) await cluster.writeNodeConfig(n);
        return cluster;
      }
      const shapeOf = (ns: readonly { roles: readonly string[] }[]) => {
        const some = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
        const controllers = ns.filter((n) => n.roles.includes('controller')).length;
        const combined = ns.filter((n) => n.roles.length > 1).length;
        const brokers = ns.length - controllers;
        return combined > 0 ? `${some(combined, 'combined node')} + ${some(brokers, 'broker')}` : `${some(controllers, 'controller')} + ${some(brokers, 'broker')}`;
      };
      throw new StorageError(`${dataDir} holds a different cluster (${shapeOf(previous.nodes)}) from the one asked for (${shapeOf(nodes)}); drop the shape options to run it again, or use another --data-dir`, dataDir);
    }
    const clusterId = o.clusterId ?? randomClusterId();
    const nodes = await planCluster(o.shape, dataDir);
    // cluster.json is written last: without it, formatted node directories are a setup that was
    // interrupted (they never ran). Formatting the rest now would give them another cluster id
    // and other initial controllers, a cluster that can never start (found by a review).
    const leftovers = [];
    for (const n of nodes) for (const d of [join(n.dir, 'metadata'), join(n.dir, 'logs')]) if ((await readMetaProperties(d).catch(() => undefined)) !== undefined) leftovers.push(d);
    if (leftovers.length > 0) {
      throw new StorageError(
        `${dataDir} holds node directories from a setup that did not finish (${leftovers.length} formatted, no cluster.json), which cannot join a new cluster; remove them (rm -rf ${join(dataDir, 'node-*')}) and run again, or use another --data-dir`,
        dataDir,
      );
    }
    const cluster = new ProcessCluster(clusterId, dataDir, nodes, o, false);
    cluster.route = await o.routeVoters?.(nodes);
    // Formatted as `format --initial-controllers` does: every node knows every voter's directory.
    const voters: VoterBootstrap = { kind: 'initial-controllers', directories: newInitialControllers(nodes.filter((n) => n.roles.includes('controller')).map((n) => n.id)) };
    for (const n of nodes) {
      await cluster.writeNodeConfig(n);
      const isVoter = n.roles.includes('controller');
      for (const d of [join(n.dir, 'metadata'), join(n.dir, 'logs')]) {
        await makeDirs(d);
        await writeFormattedDirectory(d, { clusterId, nodeId: n.id, isMetadataDir: d === join(n.dir, 'metadata'), isVoter, bootstrap: voters });
      }
    }
    await cluster.writeClusterJson();
    return cluster;
  }

  node(id: number): PlannedNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id} in this cluster`);
    return n;
  }

  get controllers(): readonly PlannedNode[] {
    return this.nodes.filter((n) => n.roles.includes('controller'));
  }

  get brokers(): readonly PlannedNode[] {
    return this.nodes.filter((n) => n.roles.includes('broker'));
  }

  bootstrapControllers(): string {
    return this.controllers.map((n) => `${HOST}:${n.controllerPort}`).join(',');
  }

  bootstrapServers(): string {
    return this.brokers.map((n) => `${HOST}:${n.clientPort}`).join(',');
  }

  pid(id: number): number | null {
    return this.running.get(id)?.child.pid ?? null;
  }

  isRunning(id: number): boolean {
    return this.running.has(id);
  }

  async startAll(): Promise<void> {
    // Controllers first, so brokers find a quorum forming.
    for (const n of this.controllers) this.start(n.id);
    for (const n of this.brokers) if (!this.running.has(n.id)) this.start(n.id);
    await this.writeClusterJson();
  }

  /** Spawns `metaquorum start` for node `id` (its log appended to node.log). */
  start(id: number, extraArgs: readonly string[] = []): ChildProcess {
    if (this.running.has(id)) throw new Error(`node ${id} is already running`);
    const n = this.node(id);
    const fd = openSync(n.logPath, 'a');
    const args = [this.o.cliPath ?? defaultCliPath(), 'start', '--config', n.configPath, '--log-level', this.o.logLevel ?? 'info', ...extraArgs];
    // Its own process group: a Ctrl-C on the terminal reaches `dev`, which stops nodes in order.
    // A pipe on its stdin ends when this process does, even by kill -9: the node then stops too.
    const child = spawn(process.execPath, args, { ...supervisedSpawn(fd), detached: true });
    closeSync(fd);
    child.stdin?.on('error', () => undefined); // never written; a node that died closes its end
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
      child.once('exit', (code, signal) => {
        this.running.delete(id);
        if (!this.stopping.delete(id)) this.o.onUnexpectedExit?.(id, code, signal);
        res({ code, signal });
      });
    });
    this.running.set(id, { child, exited });
    return child;
  }

  /** Sends a signal; SIGKILL and SIGTERM wait for the exit and count as asked-for. */
  async signal(id: number, signal: NodeJS.Signals): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined) return;
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') this.stopping.add(id);
    r.child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') await r.exited;
  }

  kill(id: number): Promise<void> {
    return this.signal(id, 'SIGKILL');
  }

  pause(id: number): Promise<void> {
    return this.signal(id, 'SIGSTOP');
  }

  resume(id: number): Promise<void> {
    return this.signal(id, 'SIGCONT');
  }

  /** The exit of a running node (resolves at once with nulls when it is not running). */
  exited(id: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.running.get(id)?.exited ?? Promise.resolve({ code: null, signal: null });
  }

  /** SIGTERM every node (brokers first, then controllers), SIGKILL whatever outlives `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const order = [...this.brokers.filter((n) => !n.roles.includes('controller')), ...this.controllers];
    const deadline = Date.now() + timeoutMs;
    const stopOne = async (id: number) => {
      const r = this.running.get(id);
      if (r === undefined) return;
      this.stopping.add(id);
      r.child.kill('SIGCONT'); // a paused node cannot handle SIGTERM
      r.child.kill('SIGTERM');
      const left = Math.max(0, deadline - Date.now());
      const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), left).unref());
      if ((await Promise.race([r.exited, timer])) === 'timeout') {
        r.child.kill('SIGKILL');
        await r.exited;
      }
    };
    await Promise.all(order.filter((n) => !n.roles.includes('controller')).map((n) => stopOne(n.id)));
    await Promise.all(this.controllers.map((n) => stopOne(n.id)));
    await this.writeClusterJson();
  }

  clusterJson(): ClusterJson {
    return {
      clusterId: this.clusterId,
      dataDir: this.dataDir,
      bootstrapControllers: this.bootstrapControllers(),
      bootstrapServers: this.bootstrapServers(),
      nodes: this.nodes.map((n) => ({
        id: n.id,
        roles: n.roles,
        pid: this.pid(n.id),
        controller: n.controllerPort === null ? null : `${HOST}:${n.controllerPort}`,
        client: n.clientPort === null ? null : `${HOST}:${n.clientPort}`,
        metrics: n.metricsPort === null ? null : `${HOST}:${n.metricsPort}`,
        config: n.configPath,
        log: n.logPath,
      })),
    };
  }

  async writeClusterJson(): Promise<void> {
    const path = join(this.dataDir, 'cluster.json');
    await writeFile(`${path}.tmp`, `${JSON.stringify(this.clusterJson(), null, 2)}\n`);
    await rename(`${path}.tmp`, path);
  }

  /**
   * The last error or fatal line node `id` logged (its message and error text), or null: what to
   * quote when it exits unexpectedly. Reads the log's tail only (logs append across restarts).
   */
  async lastLoggedError(id: number): Promise<string | null> {
    let text: string;
    try {
      const fh = await open(this.node(id).logPath, 'r');
      try {
        const { size } = await fh.stat();
        const length = Math.min(size, 64 * 1024);
        const buf = Buffer.alloc(length);
        await fh.read(buf, 0, length, size - length);
        text = buf.toString('utf8');
      } finally {
        await fh.close();
      }
    } catch {
      return null;
    }
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!.trim();
      // What `start` printed on its way out (the CLI's one-line error, a fatal error), on the same file.
      // A message of several lines ("2 data directories cannot be used:" and one indented line
      // per directory) goes on below it: quoted whole, on one line (only its first line was).
      for (const prefix of ['error: ', 'fatal: ']) {
        if (!line.startsWith(prefix)) continue;
        const more: string[] = [];
        for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]!); j++) more.push(lines[j]!.trim());
        return [line.slice(prefix.length), ...more].join(' ');
      }
      let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown }; error?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a line cut by the 64 KiB window, or not NDJSON
      }
      const severe = entry.level === 'error' || entry.level === 'fatal' || (typeof entry.level === 'number' && entry.level >= 50);
      if (!severe) continue;
      const cause = typeof entry.err?.message === 'string' ? entry.err.message : typeof entry.error === 'string' ? entry.error : undefined;
      const detail = cause !== undefined && cause !== entry.msg ? `: ${cause}` : '';
      return `${String(entry.msg)}${detail}`;
    }
    return null;
  }

  private async writeNodeConfig(n: PlannedNode): Promise<void> {
    await makeDirs(n.dir);
    const props = nodeProperties(n, this.nodes, extraPropertiesOf(this.o.shape, n.roles), this.route);
    await writeFile(n.configPath, formatProperties(props, `node ${n.id} of a metaquorum dev cluster (written by ProcessCluster)`));
  }
}
