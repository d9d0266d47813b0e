// The simulated disk's crash semantics: volatile appends are lost, a sync append is durable and
// makes earlier writes durable too, truncate/deletePrefix are synced, in-flight operations are
// applied or not, the quorum state is atomic, and uncommitted snapshots vanish.
import { describe, expect, it } from 'vitest';
import type { LogBatch } from '../../quorum/raft/types.js';
import { Prng } from '../../quorum/sim/prng.js';
import { Scheduler } from '../../quorum/sim/scheduler.js';
import { SimDisk } from '../../quorum/sim/sim-disk.js';
import type { DiskKnobs } from '../../quorum/sim/sim-disk.js';
import { SimProcess } from '../../quorum/sim/sim-process.js';

function batch(baseOffset: number, n = 1, epoch = 1): LogBatch {
  return { baseOffset, epoch, appendTimeMs: 0, records: Array.from({ length: n }, (_, i) => new Uint8Array([baseOffset + i])) };
}

function setup(knobs: Partial<DiskKnobs> = {}, seed = 1) {
  const s = new Scheduler();
  const p = new SimProcess(1, s);
  const disk = new SimDisk(1, s, p, new Prng(seed), knobs);
  const violations: string[] = [];
  disk.hooks = { onContractViolation: (m) => violations.push(m) };
  p.boot();
  /** Runs `fn` and the scheduler until its promise settles. */
  const exec = async <T>(fn: () => Promise<T>): Promise<T> => {
    let out: { v: T } | undefined;
    void fn().then((v) => (out = { v }));
    await s.run({ stopWhen: () => out !== undefined });
    if (out === undefined) throw new Error('operation never completed');
    return out.v;
  };
  const reboot = (): void => {
    p.crash();
    p.boot();
  };
  return { s, p, disk, exec, reboot, violations };
}

describe('sim disk', () => {
  it('an unsynced append is lost on a crash; a synced one survives', async () => {
    const { disk, exec, reboot } = setup();
    const log = disk.logStorage();
    await exec(() => log.append([batch(0, 2)], true));
    await exec(() => log.append([batch(2)], false));
    expect(disk.currentEndOffset).toBe(3);
    expect(disk.durableEndOffset).toBe(2);
    reboot();
    const loaded = await exec(() => disk.logStorage().load());
    expect(loaded.batches.map((b) => b.baseOffset)).toEqual([0]);
    expect(disk.stats.volatileBatchesLost).toBe(1);
  });

  it('a sync append makes the unsynced writes before it durable too', async () => {
    const { disk, exec, reboot } = setup();
    const log = disk.logStorage();
    await exec(() => log.append([batch(0)], false));
    await exec(() => log.append([batch(1)], false));
    expect(disk.durableEndOffset).toBe(0);
    await exec(() => log.append([batch(2)], true));
    expect(disk.durableEndOffset).toBe(3);
    reboot();
    expect((await exec(() => disk.logStorage().load())).batches).toHaveLength(3);
  });

  it('truncate and deletePrefix are synced; a truncate inside a batch removes that batch whole', async () => {
    const { disk, exec, reboot, violations } = setup();
    const log = disk.logStorage();
    await exec(() => log.append([batch(0, 2), batch(2, 2), batch(4, 2)], false));
    await exec(() => log.truncateFrom(4));
    expect(disk.durableEndOffset).toBe(4);
    await exec(() => log.deletePrefix(2));
    reboot();
    const loaded = await exec(() => disk.logStorage().load());
    expect(loaded.logStartOffset).toBe(2);
    expect(loaded.batches.map((b) => b.baseOffset)).toEqual([2]);
    expect(violations).toEqual([]);
    await exec(() => disk.logStorage().truncateFrom(3)); // [2,4) straddles 3
    expect(disk.durableEndOffset).toBe(2);
    expect(violations).toEqual([]);
    await exec(() => disk.logStorage().truncateFrom(1));
    expect(violations.join()).toMatch(/below the log start/);
  });

  it('a truncate past the end and a delete at the log start change nothing and, as in the real store, sync nothing', async () => {
    const { disk, exec, reboot, violations } = setup();
    const log = disk.logStorage();
    await exec(() => log.append([batch(0, 2)], true));
    await exec(() => log.append([batch(2, 2)], false));
    await exec(() => log.truncateFrom(4));
    await exec(() => log.deletePrefix(0));
    expect(disk.durableEndOffset).toBe(2);
    reboot();
    const loaded = await exec(() => disk.logStorage().load());
    expect(loaded.batches.map((b) => b.baseOffset)).toEqual([0]);
    expect(violations).toEqual([]);
  });

  it('reports appends that leave a gap and concurrent calls', async () => {
    const { disk, exec, violations } = setup();
    const log = disk.logStorage();
    await exec(() => log.append([batch(1)], true));
    expect(violations.join()).toMatch(/append of batch at 1 but the log ends at 0/);
    void log.append([batch(2)], true);
    void log.append([batch(3)], true);
    expect(violations.join()).toMatch(/concurrent/);
  });

  it('an operation in flight at a crash is applied or not, as the PRNG decides', async () => {
    const outcomes = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const { disk, s, reboot, exec } = setup({ inFlightAppliedProbability: 0.5 }, seed);
      void disk.logStorage().append([batch(0)], true);
      await s.run({ maxEvents: 0 });
      reboot();
      const loaded = await exec(() => disk.logStorage().load());
      outcomes.add(loaded.batches.length);
    }
    expect([...outcomes].sort()).toEqual([0, 1]);
  });

  it('a crash can keep a prefix of the unsynced tail when configured', async () => {
    const kept = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const { disk, exec, reboot } = setup({ volatileSurvivesProbability: 1 }, seed);
      const log = disk.logStorage();
      for (let i = 0; i < 4; i++) await exec(() => log.append([batch(i)], false));
      reboot();
      const loaded = await exec(() => disk.logStorage().load());
      expect(loaded.batches.map((b) => b.baseOffset)).toEqual(Array.from({ length: loaded.batches.length }, (_, i) => i));
      kept.add(loaded.batches.length);
    }
    expect(kept.size).toBeGreaterThan(2);
  });

  it('the quorum state is written atomically and durably', async () => {
    const { disk, exec, reboot, s } = setup({ inFlightAppliedProbability: 1 });
    const qs = disk.quorumStateStore();
    expect(await exec(() => qs.read())).toBeUndefined();
    await exec(() => qs.write({ epoch: 3, leaderId: null, votedId: 2 }));
    void disk.quorumStateStore().write({ epoch: 4, leaderId: 1, votedId: null });
    await s.run({ maxEvents: 0 });
    reboot();
    expect(await exec(() => disk.quorumStateStore().read())).toEqual({ epoch: 4, leaderId: 1, votedId: null });
  });

  it('the quorum state keeps the voter directories, as the real file does, and a later write cannot change the stored copy', async () => {
    // The simulated store once kept only epoch, leader and vote: a restarted voter forgot which
    // directory each voter had, trusted a wiped one's vote and a second leader was elected in an epoch.
    const { disk, exec, reboot } = setup();
    const map: Record<string, string | null> = { '1': 'dir-1-0', '2': null };
    const state = { epoch: 2, leaderId: 1, votedId: 1, voterDirectories: { offset: 100, map } };
    await exec(() => disk.quorumStateStore().write(state));
    map['3'] = 'dir-3-0';
    reboot();
    expect(await exec(() => disk.quorumStateStore().read())).toEqual({ epoch: 2, leaderId: 1, votedId: 1, voterDirectories: { offset: 100, map: { '1': 'dir-1-0', '2': null } } });
  });

  it('the quorum-state store refuses what the real store refuses: an invalid state, and a second write while one is in flight', async () => {
    const { disk, exec, reboot, violations } = setup();
    await exec(() => disk.quorumStateStore().write({ epoch: 1.5, leaderId: null, votedId: 2 }));
    expect(violations.join()).toMatch(/invalid: epoch 1.5/);
    violations.length = 0;
    await exec(() => disk.quorumStateStore().write({ epoch: 1, leaderId: null, votedId: 2, voterDirectories: { offset: -1, map: {} } }));
    expect(violations.join()).toMatch(/invalid: voterDirectories/);
    violations.length = 0;
    const qs = disk.quorumStateStore();
    await exec(() => qs.write({ epoch: 2, leaderId: null, votedId: null }));
    expect(violations).toEqual([]);
    void qs.write({ epoch: 3, leaderId: null, votedId: null });
    await exec(() => qs.write({ epoch: 3, leaderId: 1, votedId: null }));
    expect(violations.join()).toMatch(/concurrent quorum-state writes/);
    violations.length = 0;
    void qs.write({ epoch: 4, leaderId: null, votedId: null }); // in flight at the crash: the next incarnation starts free
    reboot();
    await exec(() => disk.quorumStateStore().write({ epoch: 5, leaderId: null, votedId: null }));
    expect(violations).toEqual([]);
  });

  it('an uncommitted snapshot vanishes on a crash; a committed one stays and reads back', async () => {
    const { disk, exec, reboot } = setup();
    const store = disk.snapshotStore();
    const w = store.create({ endOffset: 10, epoch: 1 });
    await exec(() => w.write(new Uint8Array([1, 2, 3])));
    await exec(() => w.write(new Uint8Array([4])));
    expect(await exec(() => w.commit())).toBe(4);
    const w2 = store.create({ endOffset: 20, epoch: 1 });
    await exec(() => w2.write(new Uint8Array([9])));
    reboot();
    const s2 = disk.snapshotStore();
    expect(await exec(() => s2.list())).toEqual([{ endOffset: 10, epoch: 1 }]);
    expect([...(await exec(() => s2.read({ endOffset: 10, epoch: 1 }, 1, 2)))]).toEqual([2, 3]);
    expect(await exec(() => s2.size({ endOffset: 10, epoch: 1 }))).toBe(4);
    await exec(() => s2.delete({ endOffset: 10, epoch: 1 }));
    expect(await exec(() => s2.list())).toEqual([]);
  });

  it('a completion for a paused process waits for resume; for a crashed one never comes', async () => {
    const { disk, s, p } = setup();
    let done = false;
    void disk.logStorage().append([batch(0)], true).then(() => (done = true));
    p.pause();
    await s.run({ untilMs: 100 });
    expect(done).toBe(false);
    expect(disk.durableEndOffset).toBe(1); // the disk did the work
    p.resume();
    await s.run();
    expect(done).toBe(true);
  });
});
