import { describe, expect, it } from 'vitest';
import { ControllerBusyError, EventQueue } from '../../quorum/controller/event-queue.js';

describe('controller event queue', () => {
  it('runs events one at a time in arrival order, including events queued by events', async () => {
    const order: string[] = [];
    const q = new EventQueue(10, () => undefined);
    const a = q.submit('a', () => {
      order.push('a');
      q.append('c', () => order.push('c'));
      return 1;
    });
    const b = q.submit('b', () => {
      order.push('b');
      return Promise.resolve(2);
    });
    expect(order).toEqual([]); // nothing runs in the caller's turn
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    await Promise.resolve();
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('a full queue refuses with a retriable CONTROLLER_BUSY instead of growing', async () => {
    const q = new EventQueue(2, () => undefined);
    const first = q.submit('1', () => 1);
    const second = q.submit('2', () => 2);
    await expect(q.submit('3', () => 3)).rejects.toBeInstanceOf(ControllerBusyError);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(await q.submit('4', () => 4)).toBe(4); // drained: room again
  });

  it('a throwing operation rejects its caller only; a throwing internal event is reported', async () => {
    const errors: string[] = [];
    const q = new EventQueue(10, (name) => errors.push(name));
    await expect(q.submit('op', () => { throw new Error('bad request'); })).rejects.toThrow('bad request');
    q.append('timer', () => { throw new Error('bug'); });
    expect(await q.submit('after', () => 'still running')).toBe('still running');
    expect(errors).toEqual(['timer']);
  });

  it('close fails the queued events and every later one with the given error', async () => {
    const q = new EventQueue(10, () => undefined);
    const queued = q.submit('queued', () => 'ran');
    q.close(new Error('shutting down'));
    await expect(queued).rejects.toThrow('shutting down');
    await expect(q.submit('later', () => 'ran')).rejects.toThrow('shutting down');
  });
});
