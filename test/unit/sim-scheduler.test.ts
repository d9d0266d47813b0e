// The discrete-event scheduler: (time, seq) order, cancellation, limits, microtask draining and
// determinism (same seed, same trace).
import { describe, expect, it } from 'vitest';
import { Prng } from '../../quorum/sim/prng.js';
import { Scheduler } from '../../quorum/sim/scheduler.js';

describe('sim scheduler', () => {
  it('runs events by time, then by insertion order', async () => {
    const s = new Scheduler();
    const out: string[] = [];
    s.at(5, () => out.push('a5'));
    s.at(1, () => out.push('b1'));
    s.at(5, () => out.push('c5'));
    s.after(0, () => out.push('d0'));
    s.at(3, () => {
      out.push('e3');
      s.after(0, () => out.push('f3'));
      s.after(2, () => out.push('g5'));
    });
    await s.run();
    expect(out).toEqual(['d0', 'b1', 'e3', 'f3', 'a5', 'c5', 'g5']);
    expect(s.nowMs()).toBe(5);
    expect(s.eventsRun).toBe(7);
  });

  it('cancelled events never run', async () => {
    const s = new Scheduler();
    const out: number[] = [];
    const cancel = s.at(2, () => out.push(2));
    s.at(1, () => cancel());
    s.at(3, () => out.push(3));
    await s.run();
    expect(out).toEqual([3]);
  });

  it('stops at untilMs (advancing time), maxEvents and stopWhen', async () => {
    const s = new Scheduler();
    let n = 0;
    for (let t = 1; t <= 10; t++) s.at(t, () => n++);
    expect(await s.run({ untilMs: 4.5 })).toBe('until');
    expect(n).toBe(4);
    expect(s.nowMs()).toBe(4.5);
    expect(await s.run({ maxEvents: 2 })).toBe('maxEvents');
    expect(n).toBe(6);
    expect(await s.run({ stopWhen: () => n >= 8 })).toBe('stopWhen');
    expect(n).toBe(8);
    expect(await s.run()).toBe('idle');
    expect(n).toBe(10);
  });

  it('settles the promises an event resolved before the next event and the afterEvent hook', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.afterEvent = (label) => log.push(`check ${label}`);
    s.at(1, async () => {
      await Promise.resolve();
      await Promise.resolve();
      log.push('async tail');
    }, 'one');
    s.at(1, () => log.push('two'), 'two');
    await s.run();
    expect(log).toEqual(['async tail', 'check one', 'two', 'check two']);
  });

  it('the same seed gives an identical event trace', async () => {
    const trace = async (seed: number): Promise<string[]> => {
      const s = new Scheduler();
      s.trace = [];
      const r = new Prng(seed);
      const spawn = (depth: number, name: string): void => {
        s.after(r.float(0, 10), () => {
          if (depth < 4) for (let i = 0; i < r.int(1, 3); i++) spawn(depth + 1, `${name}.${i}`);
        }, name);
      };
      spawn(0, 'root');
      await s.run();
      return s.trace;
    };
    const a = await trace(5);
    expect(a.length).toBeGreaterThan(5);
    expect(await trace(5)).toEqual(a);
    expect(await trace(6)).not.toEqual(a);
  });

  it('refuses to run re-entrantly and rejects bad times', async () => {
    const s = new Scheduler();
    expect(() => s.at(Number.NaN, () => {})).toThrow();
    expect(() => s.after(-1, () => {})).toThrow();
    s.at(1, () => {});
    const p = s.run();
    await expect(s.run()).rejects.toThrow(/reentrant/);
    await p;
  });
});
