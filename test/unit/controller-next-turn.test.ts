// onNextTurn: work the controller continues later runs from a 0 ms timer (after the current pass
// of the event queue, so Raft and sockets get a turn), once per key while pending, and a cancelled
// timer (a failover) runs nothing.

import { describe, expect, it } from 'vitest';
import { onNextTurn } from '../../quorum/controller/next-turn.js';
import { ManualClock } from '../support/manual-clock.js';

describe('onNextTurn', () => {
  it('runs on a later timer, not now; one pending per key; again once it ran; nothing after its timer is cancelled', () => {
    const clock = new ManualClock();
    const timers = new Map<string, () => void>();
    const ran: string[] = [];
    onNextTurn(timers, clock, 'a', () => ran.push('a1'));
    onNextTurn(timers, clock, 'a', () => ran.push('a2')); // already pending: dropped
    onNextTurn(timers, clock, 'b', () => ran.push('b1'));
    expect(ran).toEqual([]);
    expect([...timers.keys()]).toEqual(['a', 'b']);
    clock.advance(0);
    expect(ran).toEqual(['a1', 'b1']);
    expect(timers.size).toBe(0);
    onNextTurn(timers, clock, 'a', () => ran.push('a3'));
    for (const cancel of timers.values()) cancel(); // a failover
    clock.advance(10);
    expect(ran).toEqual(['a1', 'b1']);
  });
});
