// End-to-end test support: a real multi-process cluster (tools/server/process-cluster.ts) in a
// temporary directory on free loopback ports, with short broker timeouts so tests stay quick, and
// a way to run the CLI as a user would.

import type { TlsMaterial } from '../../quorum/net/types.js';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessCluster, type ClusterShape } from '../../tools/server/process-cluster.js';
import { waitForClusterReady } from '../../tools/server/cluster-ready.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'tools', 'cli.js');

/** Broker timeouts short enough for tests, long enough for a loaded 2-core machine. */
export const TEST_PROPERTIES: Readonly<Record<string, string>> = {
  'broker.heartbeat.interval.ms': '500',
  'broker.session.timeout.ms': '4000',
  // A consumer group's first rebalance would otherwise wait Kafka's 3 s for more members.
  'group.initial.rebalance.delay.ms': '0',
};

export interface TestCluster {
  readonly cluster: ProcessCluster;
  readonly dir: string;
  dispose(): Promise<void>;
}

export async function startTestCluster(
  shape: Omit<ClusterShape, 'basePort'> & { basePort?: number },
  unexpectedExits: string[] = [],
  options: { readonly clusterId?: string; readonly controllerTls?: TlsMaterial } = {},
): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'metaquorum-e2e-'));
  const cluster = await ProcessCluster.create({
    dataDir: dir,
    ...(options.clusterId === undefined ? {} : { clusterId: options.clusterId }),
    ...(options.controllerTls === undefined ? {} : { controllerTls: options.controllerTls }),
    shape: { basePort: 0, ...shape, properties: { ...TEST_PROPERTIES, ...shape.properties } },
    cliPath: CLI,
    logLevel: 'info',
    onUnexpectedExit: (id, code, signal) => unexpectedExits.push(`node ${id} exited (${signal ?? code})`),
  });
  await cluster.startAll();
  try {
    await waitForClusterReady(cluster, 45_000);
  } catch (e) {
    await cluster.stop(5_000);
    // Say why: which nodes exited, and the last lines every node logged (the directory goes).
    const tails = await Promise.all(cluster.nodes.map(async (n) => `node ${n.id}: ${(await readFile(n.logPath, 'utf8').catch(() => '(no log)')).trim().split('\n').slice(-3).join(' | ')}`));
    throw new Error(`${e instanceof Error ? e.message : String(e)}; exits: ${unexpectedExits.join(', ') || 'none'}\n${tails.join('\n')}`, { cause: e });
  }
  return {
    cluster,
    dir,
    async dispose() {
      await cluster.stop(10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `metaquorum <args>` to completion (bounded by `timeoutMs`). */
export function runCli(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : String(last)})`}`);
}
