// The chaos nemesis's check on a node restarted after SIGKILL (tools/chaos/nemesis.ts,
// restartKeptLog). Found by mutation testing: a log storage that dropped its last batch at every
// load passed `chaos --duration 30s --seed 1 --faults kill,pause`, since the restarted node fetched
// the batch again. The lines below are the node's own pino line, as the run reads it from its log.

import { describe, expect, it } from 'vitest';
import { restartKeptLog } from '../../tools/chaos/nemesis.js';

const started = (logEndOffset: number) => JSON.stringify({ level: 30, time: 1, nodeId: 2, raftRole: 'Follower', epoch: 7, logEndOffset, msg: 'raft node started' });

describe('chaos: a node restarted after SIGKILL keeps the log its files held', () => {
  it('a restart that loads less than the files held while the node was down is a problem', () => {
    expect(restartKeptLog(2, 4_242, started(4_241))).toBe('kill of node 2: its log files ended at offset 4242 while it was down, it restarted with log end 4241');
  });

  it('the same end, or more (a newer snapshot the log restarts at), is not', () => {
    expect(restartKeptLog(2, 4_242, started(4_242))).toBeNull();
    expect(restartKeptLog(2, 4_242, started(5_000))).toBeNull();
  });

  it('no start-up line, or one without logEndOffset, is reported rather than passed', () => {
    expect(restartKeptLog(2, 10, null)).toMatch(/^kill of node 2: no "raft node started" line/);
    expect(restartKeptLog(2, 10, JSON.stringify({ msg: 'raft node started' }))).toMatch(/has no logEndOffset/);
    expect(restartKeptLog(2, 10, 'raft node started, cut by a kill')).toMatch(/is not JSON/);
  });
});
