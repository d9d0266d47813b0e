// `metaquorum dev` as a newcomer runs it (npm start): it formats a directory, launches real node
// processes, reports them ready as JSON, writes cluster.json, and stops every node on SIGTERM.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterJson } from '../../tools/server/process-cluster.js';
import { CLI, runCli, until } from '../support/process-harness.js';

/**
 * A base port whose node ports (base+k-1, base+100+k-1, metrics base+200+k-1) lie in 5000-9799:
 * below the band the other tests' clusters draw their ports from at random (reservablePort,
 * 10000 up to the ephemeral range), so a cluster started meanwhile by another test file cannot take
 * one of dev's ports between its check and its bind (CI once saw node 2 fail with EADDRINUSE).
 */
const randomBasePort = () => 5_000 + Math.floor(Math.random() * 4_500);

interface DevRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => { out: string; err: string };
  readonly exited: Promise<number | null>;
}

function runDev(args: readonly string[]): DevRun {
  const child = spawn(process.execPath, [CLI, 'dev', '--json', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => ({ out, err }), exited };
}

async function readyEvent(run: DevRun): Promise<ClusterJson & { leaderId: number }> {
  return until('the ready event', 60_000, () => {
    const line = run.output().out.split('\n').find((l) => l.includes('"event":"ready"'));
    return line === undefined ? undefined : (JSON.parse(line) as ClusterJson & { leaderId: number });
  }).catch((e: Error) => {
    const { out, err } = run.output();
    throw new Error(`${e.message}; dev printed: ${out.slice(-1000)} ${err.slice(-1000)}`);
  });
}

/** Kills a dev that is still running and the nodes its cluster.json names (they run in their own process groups). */
async function killDev(run: DevRun, dir: string): Promise<void> {
  if (run.child.exitCode !== null) return;
  run.child.kill('SIGKILL');
  const json = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8').catch(() => '{"nodes":[]}')) as ClusterJson;
  for (const n of json.nodes) if (n.pid !== null && alive(n.pid)) process.kill(n.pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` is alive (bounded). */
const allExited = (pids: readonly number[], ms: number) => until('every node has exited', ms, () => (pids.every((p) => !alive(p)) ? true : undefined));

/** A 1-controller, 1-broker dev on a fresh directory, once ready; stopped and removed after `body`. */
async function withSmallDev(body: (run: DevRun, dir: string, ready: ClusterJson & { leaderId: number }, basePort: number) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
  const basePort = randomBasePort();
  const run = runDev(['--data-dir', dir, '--base-port', String(basePort), '--controllers', '1', '--brokers', '1']);
  try {
    await body(run, dir, await readyEvent(run), basePort);
  } finally {
    await killDev(run, dir);
    await rm(dir, { recursive: true, force: true });
  }
}

describe('metaquorum dev', () => {
  it('starts a 3-controller, 2-broker cluster, writes cluster.json, serves the CLI, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
    // Node k uses base+k-1 and base+100+k-1: keep them below the ephemeral range (32768 up), where
    // other tests' sockets and free-port probes would collide with them.
    const base = randomBasePort();
    const dev = spawn(process.execPath, [CLI, 'dev', '--data-dir', dir, '--base-port', String(base), '--controllers', '3', '--brokers', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    dev.stdout.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => dev.on('exit', (code) => r(code)));
    try {
      const ready = await until('the ready event', 60_000, () => {
        const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
        return line === undefined ? undefined : (JSON.parse(line) as ClusterJson & { leaderId: number });
      }).catch((e: Error) => {
        throw new Error(`${e.message}; dev printed: ${out.slice(-1000)} ${err.slice(-1000)}`);
      });
      expect(ready.nodes.map((n) => n.id)).toEqual([1, 2, 3, 4, 5]);
      const json = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as ClusterJson;
      expect(json.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(json.nodes.filter((n) => n.roles.includes('controller')).map((n) => n.controller)).toEqual([1, 2, 3].map((k) => `127.0.0.1:${base + 100 + k - 1}`));
      expect(json.nodes.filter((n) => n.roles.includes('broker')).map((n) => n.client)).toEqual([4, 5].map((k) => `127.0.0.1:${base + k - 1}`));
      const pids = json.nodes.map((n) => n.pid!);
      for (const pid of pids) expect(alive(pid)).toBe(true);
      expect(pids).toContain(json.nodes.find((n) => n.id === ready.leaderId)!.pid);

      const created = await runCli(['topics', 'create', 'tour', '--partitions', '3', '--replication-factor', '2', '--bootstrap-controller', json.bootstrapControllers]);
      expect(created.code, created.stderr).toBe(0);
      // Created through the controller: the broker asked shows it once its image has caught up.
      const listed = await until('the topic listed by a broker', 10_000, async () => {
        const r = await runCli(['topics', 'list', '--json', '--bootstrap-server', json.bootstrapServers.split(',')[0]!]);
        return r.code === 0 && (JSON.parse(r.stdout) as { topics: string[] }).topics.length > 0 ? JSON.parse(r.stdout) : undefined;
      });
      expect(listed).toEqual({ topics: ['tour'] });

      // A node that dies while dev runs is reported; the JSON event says what the text line says.
      const broker5 = json.nodes.find((n) => n.id === 5)!.pid!;
      process.kill(broker5, 'SIGKILL');
      const exitEvent = await until('the exit event', 10_000, () => {
        const line = out.split('\n').find((l) => l.includes('"event":"exit"'));
        return line === undefined ? undefined : (JSON.parse(line) as { nodeId: number; signal: string | null; message: string });
      });
      expect(exitEvent).toMatchObject({ nodeId: 5, signal: 'SIGKILL' });
      expect(exitEvent.message).toMatch(/^node 5 exited unexpectedly/);

      dev.kill('SIGTERM');
      expect(await exited, err).toBe(0);
      await allExited(pids, 15_000);
      expect(out).toContain('"event":"stopped"');
    } finally {
      if (dev.exitCode === null) {
        dev.kill('SIGKILL');
        // Its nodes run in their own process groups: stop them too.
        const json = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8').catch(() => '{"nodes":[]}')) as ClusterJson;
        for (const n of json.nodes) if (n.pid !== null && alive(n.pid)) process.kill(n.pid, 'SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('one dev per data directory: a second refuses and leaves the first alone; SIGHUP (a closed terminal) stops the cluster', () =>
    withSmallDev(async (first, dir, ready) => {
      const pids = ready.nodes.map((n) => n.pid!);
      const second = await runCli(['dev', '--data-dir', dir, '--controllers', '1', '--brokers', '1']);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`another metaquorum dev (pid ${first.child.pid}) is running on ${dir}`);
      const json = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as ClusterJson;
      expect(json.nodes.map((n) => n.pid)).toEqual(pids);
      for (const pid of pids) expect(alive(pid)).toBe(true);

      first.child.kill('SIGHUP');
      expect(await first.exited, first.output().err).toBe(0);
      await allExited(pids, 15_000);
      expect(first.output().out).toContain('{"event":"stopping","signal":"SIGHUP"}');
      expect(first.output().out).toContain('{"event":"stopped"}');
      expect(existsSync(join(dir, 'dev.pid'))).toBe(false);
    }), 120_000);

  it('a second dev on another directory but the same ports fails with its nodes\' bind error: the first cluster answering there is not taken for its own', () =>
    withSmallDev(async (first, dir, ready, basePort) => {
      const otherDir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
      try {
        const second = await runCli(['dev', '--json', '--data-dir', otherDir, '--base-port', String(basePort), '--controllers', '1', '--brokers', '1']);
        expect(second.code, second.stderr).toBe(1);
        expect(second.stdout).not.toContain('"event":"ready"');
        expect(second.stderr).toMatch(/node \d exited unexpectedly \(code 1\): cannot listen on 127\.0\.0\.1:\d+ .*address already in use/);
        for (const n of ready.nodes) expect(alive(n.pid!)).toBe(true);
        expect(first.child.exitCode).toBeNull();
      } finally {
        await rm(otherDir, { recursive: true, force: true });
      }
    }), 120_000);

  it('dev killed with kill -9 takes its nodes with it: each stops gracefully once the pipe from dev closes', () =>
    withSmallDev(async (run, dir, ready) => {
      const pids = ready.nodes.map((n) => n.pid!);
      for (const pid of pids) expect(alive(pid)).toBe(true);
      run.child.kill('SIGKILL');
      await run.exited;
      await allExited(pids, 20_000);
      for (const n of ready.nodes) {
        const log = await readFile(join(dir, `node-${n.id}`, 'node.log'), 'utf8');
        expect(log).toContain('"reason":"the supervising process exited"');
      }
    }), 120_000);

  it('Ctrl-C while dev formats the directory and starts the nodes stops it (exit 0, not killed by the signal), and the next dev runs the cluster it set up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
    const base = randomBasePort();
    const args = ['--data-dir', dir, '--base-port', String(base), '--controllers', '1', '--brokers', '1'];
    const first = runDev(args);
    let again: DevRun | undefined;
    try {
      // dev takes dev.pid first, then formats and spawns: the signal comes during those steps (it
      // was handled only once every node had been spawned, and killed dev with nothing said).
      await until('dev.pid', 10_000, () => (existsSync(join(dir, 'dev.pid')) ? true : undefined), 1);
      first.child.kill('SIGINT');
      expect(await first.exited, first.output().err).toBe(0);
      expect(first.output().out).toContain('{"event":"stopping","signal":"SIGINT"}');
      expect(first.output().out).toContain('{"event":"stopped"}');
      expect(existsSync(join(dir, 'dev.pid'))).toBe(false);
      const json = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as ClusterJson;
      await allExited(json.nodes.flatMap((n) => (n.pid === null ? [] : [n.pid])), 15_000);

      again = runDev(args);
      const ready = await readyEvent(again);
      expect(ready.clusterId).toBe(json.clusterId);
      again.child.kill('SIGTERM');
      expect(await again.exited, again.output().err).toBe(0);
      await allExited(ready.nodes.map((n) => n.pid!), 15_000);
    } finally {
      await killDev(first, dir);
      if (again !== undefined) await killDev(again, dir);
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a node that cannot start fails dev at once with the error it logged, long before --ready-timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
    const base = randomBasePort();
    const squatter = createServer((socket) => socket.destroy()); // close() waits for open connections
    await new Promise<void>((r) => squatter.listen(base + 100, '127.0.0.1', r)); // node 1's quorum port
    const run = runDev(['--data-dir', dir, '--base-port', String(base), '--controllers', '1', '--brokers', '1', '--ready-timeout', '600000']);
    try {
      expect(await run.exited).toBe(1);
      const { err } = run.output();
      expect(err).toContain('node 1 exited unexpectedly (code 1)');
      expect(err).toContain(`cannot listen on 127.0.0.1:${base + 100}`);
      expect(err).toContain('address already in use');
      expect(existsSync(join(dir, 'dev.pid'))).toBe(false);
    } finally {
      await killDev(run, dir);
      await new Promise((r) => squatter.close(r));
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses, before starting anything, a damaged cluster.json, an explicit --base-port or --cluster-id a reused cluster does not have, and --combined with too few brokers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
    try {
      const json = join(dir, 'cluster.json');
      await writeFile(json, 'not json');
      let r = await runCli(['dev', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: ${json} is not a cluster.json that dev wrote \\(.*JSON.*\\); remove its whole data directory`));
      await writeFile(json, '{}');
      r = await runCli(['dev', '--data-dir', dir]);
      expect(r.stderr).toContain(`${json} is not a cluster.json that dev wrote (no clusterId and nodes)`);

      const nodes = [
        { id: 1, roles: ['controller'], pid: null, controller: '127.0.0.1:20100', client: null, config: '', log: '' },
        { id: 2, roles: ['broker'], pid: null, controller: null, client: '127.0.0.1:20001', config: '', log: '' },
      ];
      await writeFile(json, JSON.stringify({ clusterId: 'AAAAAAAAAAAAAAAAAAAAAA', dataDir: dir, bootstrapControllers: '', bootstrapServers: '', nodes }));
      r = await runCli(['dev', '--data-dir', dir, '--controllers', '1', '--brokers', '1', '--base-port', '21000']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${dir} holds a cluster on other ports (node 1: 20100); a reused cluster keeps its ports`);
      // An explicit --cluster-id the reused cluster does not have: refused, not silently ignored.
      r = await runCli(['dev', '--data-dir', dir, '--cluster-id', 'X-Ypl9rzxWzChxsXwZOh9A']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--cluster-id X-Ypl9rzxWzChxsXwZOh9A: ${dir} already holds cluster AAAAAAAAAAAAAAAAAAAAAA; use another --data-dir`);
      r = await runCli(['dev', '--data-dir', dir, '--controllers', '3', '--brokers', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${dir} holds a different cluster (1 controller + 1 broker) from the one asked for (3 controllers + 1 broker)`);

      r = await runCli(['dev', '--data-dir', join(dir, 'other'), '--combined', '--brokers', '2']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--combined runs a broker in each of the 3 controllers, so --brokers 2 is too few');
      // A file where the data directory should be: exit 2 naming the flag (was ENOTDIR, exit 1).
      r = await runCli(['dev', '--data-dir', json]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: --data-dir ${json}: cannot be used as a directory (ENOTDIR); give a directory, or a path where one can be made\n`);
      expect(existsSync(join(dir, 'node-1', 'node.log'))).toBe(false); // nothing was started
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
