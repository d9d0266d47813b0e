// The real clock's timers (quorum/node/real-env.ts): a delay past setTimeout's bound of 2^31-1 ms
// waits its whole length instead of firing at once (from a review: a preferred-leader check
// interval of 35 days made the active controller run that check every millisecond).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { realClock, TIMER_DELAY_MAX_MS } from '../../quorum/node/real-env.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('realClock.setTimer', () => {
  it('a delay of several times the bound fires once, at its end', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let fired = 0;
    realClock.setTimer(2.5 * TIMER_DELAY_MAX_MS, () => fired++);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(2 * TIMER_DELAY_MAX_MS);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(0.5 * TIMER_DELAY_MAX_MS);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(3 * TIMER_DELAY_MAX_MS);
    expect(fired).toBe(1);
  });

  it('cancelled between steps, it never fires; short delays are unchanged', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let long = 0;
    let short = 0;
    const cancel = realClock.setTimer(2 * TIMER_DELAY_MAX_MS, () => long++);
    realClock.setTimer(10, () => short++);
    vi.advanceTimersByTime(TIMER_DELAY_MAX_MS + 5);
    expect(short).toBe(1);
    cancel();
    vi.advanceTimersByTime(2 * TIMER_DELAY_MAX_MS);
    expect(long).toBe(0);
  });
});
