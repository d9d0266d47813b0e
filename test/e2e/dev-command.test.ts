// `metaquorum dev` as a newcomer runs it (npm start): it formats a directory, launches real node
// processes, reports them ready as JSON, writes cluster.json, and stops every node on SIGTERM.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterJson } from '../../tools/server/process-cluster.js';
import { CLI, runCli, until } from '../support/process-harness.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('metaquorum dev', () => {
  it('starts a 3-controller, 2-broker cluster, writes cluster.json, serves the CLI, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metaquorum-dev-'));
    // Node k uses base+k-1 and base+100+k-1: keep them below the ephemeral range (32768 up), where
    // other tests' sockets and free-port probes would collide with them.
    const base = 10_000 + Math.floor(Math.random() * 22_000);
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
      const listed = await runCli(['topics', 'list', '--json', '--bootstrap-server', json.bootstrapServers.split(',')[0]!]);
      expect(JSON.parse(listed.stdout)).toEqual({ topics: ['tour'] });

      dev.kill('SIGTERM');
      expect(await exited, err).toBe(0);
      await until('every node has exited', 15_000, () => (pids.every((p) => !alive(p)) ? true : undefined));
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
});
