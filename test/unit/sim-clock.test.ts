// Simulated clocks: skew (offset and rate), timers tied to an incarnation (cancelled by a crash,
// held by a pause), never firing early.
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
