// The benchmarks' and the fuzzer's command lines (tools/bench/bench-args.ts benchCommandLine):
// --help prints the tool's header comment and exits 0; an unknown option or a bad value exits 2
// with one line naming it, not a stack trace. Run against dist/ (vitest's globalSetup builds it).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (tool: string, ...args: string[]) => spawnSync(process.execPath, [`dist/tools/${tool}`, ...args], { encoding: 'utf8', timeout: 30_000 });

const TOOLS = ['bench/cluster-bench.js', 'bench/controller-bench.js', 'bench/metadata-bench.js', 'bench/migrate-bench.js', 'bench/raft-bench.js', 'bench/scale-bench.js', 'bench/vs-zk-bench.js', 'fuzz/kafka-fuzz.js'];

describe('benchmark command lines', () => {
  it.each(TOOLS)('%s --help prints its documentation and exits 0', (tool) => {
    const r = run(tool, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^npm run |^A fuzzer/);
    expect(r.stdout).not.toMatch(/^\/\//m);
    expect(r.stderr).toBe('');
  });

  it.each(TOOLS.filter((t) => t.startsWith('bench/')))('%s refuses an unknown option with exit 2 and no stack trace', (tool) => {
    const r = run(tool, '--no-such-option');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--no-such-option'");
    expect(r.stderr).toContain('--help lists the options');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad value is named, with exit 2', () => {
    const r = run('bench/cluster-bench.js', '--outstanding', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--outstanding: "0" is not a positive integer');
    const p = run('bench/cluster-bench.js', '--phases', 'throughput,warp');
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('--phases: unknown "warp"');
  });
});
