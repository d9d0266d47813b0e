// Simulated clocks: skew (offset and rate), timers tied to an incarnation (cancelled by a crash,
// held by a pause), firing early only when told to, as Node's do.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../quorum/sim/scheduler.js';
import { SimClock } from '../../quorum/sim/sim-clock.js';
import { SimProcess } from '../../quorum/sim/sim-process.js';

describe('sim clock', () => {
  it('applies offset and rate; a local delay d fires after d / rate global ms', async () => {
    const s = new Scheduler();
    const p = new SimProcess(1, s);
    const inc = p.boot();
    const c = new SimClock(s, p, inc, { offsetMs: 1000, rate: 1.25 });
    expect(c.nowMs()).toBe(1000);
    let firedAt = -1;
    c.setTimer(100, () => (firedAt = s.nowMs()));
    await s.run();
    expect(firedAt).toBeCloseTo(80, 9);
    expect(c.nowMs()).toBeGreaterThanOrEqual(1100);
  });

  it('a timer never fires before its local due time, even with awkward rates', async () => {
    const s = new Scheduler();
    const p = new SimProcess(1, s);
    const inc = p.boot();
    const c = new SimClock(s, p, inc, { offsetMs: 123456.789, rate: 0.9731 });
    for (let i = 0; i < 200; i++) {
      const set = c.nowMs();
      const d = (i * 7.31) % 50;
      let ok = false;
      c.setTimer(d, () => (ok = c.nowMs() >= set + d));
      await s.run();
      expect(ok).toBe(true);
    }
  });

  it('with earliness, a timer of 1 ms or more fires early by the local clock (at most 99%), one under 1 ms never', async () => {
    const s = new Scheduler();
    const p = new SimProcess(1, s);
    const inc = p.boot();
    const c = new SimClock(s, p, inc, { offsetMs: 5000.25, rate: 1.03 }, () => 0, () => 50);
    const cases: [number, { set: number; now: number }][] = [];
    for (const d of [0, 0.3, 0.99, 1, 1.7, 10, 80]) {
      const set = c.nowMs();
      c.setTimer(d, () => cases.push([d, { set, now: c.nowMs() }]));
      await s.run();
    }
    const at = new Map(cases);
    for (const d of [0, 0.3, 0.99]) expect(at.get(d)!.now).toBeGreaterThanOrEqual(at.get(d)!.set + d);
    const elapsed = new Map(cases.map(([d, t]) => [d, t.now - t.set]));
    // earliness 50 is clamped to 99% of the delay: 1.7 fires after 0.017 ms, 80 after 30.
    expect(elapsed.get(1)!).toBeCloseTo(0.01, 6);
    expect(elapsed.get(1.7)!).toBeCloseTo(0.017, 6);
    expect(elapsed.get(10)!).toBeCloseTo(0.1, 6);
    expect(elapsed.get(80)!).toBeCloseTo(30, 6);
  });

  it('a driver that arms again for the rest after an early timer reaches its deadline in a few rounds', async () => {
    const s = new Scheduler();
    const p = new SimProcess(1, s);
    const inc = p.boot();
    let u = 0.37;
    const c = new SimClock(s, p, inc, { offsetMs: 0, rate: 0.97 }, () => 0, (d) => (u = (u * 7.1) % 1) * d);
    const due = c.nowMs() + 25;
    let rounds = 0;
    let reachedAt = -1;
    const arm = (): void => {
      c.setTimer(due - c.nowMs(), () => {
        rounds++;
        if (c.nowMs() >= due) reachedAt = c.nowMs();
        else arm();
      });
    };
    arm();
    await s.run();
    expect(reachedAt).toBeGreaterThanOrEqual(due);
    expect(rounds).toBeGreaterThan(1);
    expect(rounds).toBeLessThan(30);
  });

  it('cancel works; a crash cancels the incarnation timers; a pause holds them until resume', async () => {
    const s = new Scheduler();
    const p = new SimProcess(1, s);
    let inc = p.boot();
    let c = new SimClock(s, p, inc, { offsetMs: 0, rate: 1 });
    const fired: string[] = [];
    const cancel = c.setTimer(5, () => fired.push('cancelled'));
    cancel();
    c.setTimer(10, () => fired.push('a'));
    c.setTimer(20, () => fired.push('b'));
    p.pause();
    await s.run({ untilMs: 30 });
    expect(fired).toEqual([]);
    p.resume();
    await s.run({ untilMs: 31 });
    expect(fired).toEqual(['a', 'b']);
    c.setTimer(5, () => fired.push('lost'));
    expect(c.pendingTimers).toBe(1);
    p.crash();
    expect(c.pendingTimers).toBe(0);
    inc = p.boot();
    c = new SimClock(s, p, inc, { offsetMs: 0, rate: 1 });
    c.setTimer(5, () => fired.push('new'));
    await s.run();
    expect(fired).toEqual(['a', 'b', 'new']);
  });
});
