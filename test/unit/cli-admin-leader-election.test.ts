// `metaquorum leader-election` against a fake connector: how partitions are named, Kafka's output,
// the exit code, --all-topic-partitions going on while the controller says more, usage errors.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../../quorum/controller/replication/elect-leaders.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

const answered = (results: ElectLeadersResponse['results'], more = false): ElectLeadersResponse => ({ results, more });

describe('leader-election', () => {
  it('--topic/--partition: one PREFERRED request; elected and already-elected partitions in Kafka\'s words', async () => {
    const f = installFake({
      electLeaders: () => answered([{ topic: 'orders', partitions: [{ partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }]),
    });
    const r = await runCli('leader-election', '--election-type', 'preferred', '--topic', 'orders', '--partition', '0', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls[0]?.request).toEqual({ electionType: 0, partitions: [{ topic: 'orders', partitionIds: [0] }] });
    expect(r.stdout).toBe('Successfully completed leader election (PREFERRED) for partitions orders-0\n');
  });

  it('a plan file names partitions (replicas not needed); a failed partition goes to stderr and exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mq-elect-')), 'p.json');
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }, { topic: 'b', partition: 0 }] }));
    const f = installFake({
      electLeaders: (req: ElectLeadersRequest) =>
        answered(
          (req.partitions ?? []).map((t) => ({
            topic: t.topic,
            partitions: t.partitionIds.map((partitionId) =>
              t.topic === 'b'
                ? { partitionId, errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'Eligible topic partition leaders are not available.' }
                : { partitionId, errorCode: partitionId === 0 ? ErrorCode.NONE : ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
            ),
          })),
        ),
    });
    const r = await runCli('leader-election', '--election-type', 'UNCLEAN', '--path-to-json-file', file, ...CONTROLLER);
    expect(f.calls[0]?.request).toEqual({ electionType: 1, partitions: [{ topic: 'a', partitionIds: [0, 1] }, { topic: 'b', partitionIds: [0] }] });
    expect(r.stdout).toBe('Successfully completed leader election (UNCLEAN) for partitions a-0\nValid replica already elected for partitions a-1\n');
    expect(r.stderr).toContain('Error completing leader election (UNCLEAN) for partition: b-0: ELIGIBLE_LEADERS_NOT_AVAILABLE');
    expect(r.exitCode).toBe(1);
  });

  it('--all-topic-partitions sends null partitions and goes on while the controller says more', async () => {
    let round = 0;
    const f = installFake({
      electLeaders: () => {
        round++;
        return answered([{ topic: 't', partitions: [{ partitionId: round, errorCode: ErrorCode.NONE, errorMessage: null }] }], round < 3);
      },
    });
    const r = await runCli('leader-election', '--election-type', 'preferred', '--all-topic-partitions', '--json', ...CONTROLLER);
    expect(f.calls.map((c) => c.request)).toEqual([1, 2, 3].map(() => ({ electionType: 0, partitions: null })));
    expect(JSON.parse(r.stdout)).toEqual({ electionType: 'PREFERRED', elected: ['t-1', 't-2', 't-3'], notNeeded: [], failed: [] });
    expect(r.exitCode).toBe(0);
  });

  it('usage errors: the election type, how partitions are named (exit 2, nothing sent)', async () => {
    const cases: string[][] = [
      ['--topic', 'a', '--partition', '0'],
      ['--election-type', 'clean', '--topic', 'a', '--partition', '0'],
      ['--election-type', 'preferred'],
      ['--election-type', 'preferred', '--topic', 'a'],
      ['--election-type', 'preferred', '--topic', 'a', '--partition', '0', '--all-topic-partitions'],
    ];
    for (const args of cases) {
      const f = installFake({});
      const r = await runCli('leader-election', ...args, ...CONTROLLER);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(f.calls).toEqual([]);
    }
  });
});
