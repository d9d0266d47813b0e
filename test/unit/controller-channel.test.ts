// ControllerChannel's retry policy with faked connections: NOT_CONTROLLER hints are followed,
// transport failures move on to another voter, and with retryAmbiguous false a request that may
// have been applied ends the call (AmbiguousOutcomeError) instead of being sent again, while one
// that certainly was not (no connection to send it on, NOT_CONTROLLER 'not-appended') is retried.

import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../quorum/env/index.js';
import { ConnectionError, RemoteError, RequestTimeoutError } from '../../quorum/net/types.js';
import { AmbiguousOutcomeError, ControllerChannel, type ControllerConnection } from '../../quorum/server/controller-channel.js';

type Behaviour = (method: string) => Promise<unknown>;

/** A channel over three fake voters; `script[id]` answers each request to voter id, in order. */
function channel(script: Record<number, Behaviour[]>): { ch: ControllerChannel; sent: number[] } {
  const sent: number[] = [];
  const ch = new ControllerChannel({
    voters: [1, 2, 3].map((id) => ({ id, host: '127.0.0.1', port: 1000 + id })),
    self: { nodeId: -1, role: 'tool', clusterId: null },
    logger: silentLogger,
    defaultTimeoutMs: 2_000,
    connect: (voter): ControllerConnection => ({
      request: <T>(method: string) => {
        sent.push(voter.id);
        const next = script[voter.id]?.shift();
        return (next === undefined ? Promise.reject(new ConnectionError('no script')) : next(method)) as Promise<T>;
      },
      close: async () => undefined,
    }),
  });
  return { ch, sent };
}

const ok = (): Behaviour => async () => ({ answered: true });
const fail = (e: Error): Behaviour => async () => Promise.reject(e);
const notController = (hint: number | null, outcome: 'not-appended' | 'unknown'): Error =>
  new RemoteError({ code: 41, name: 'NOT_CONTROLLER', message: 'not the controller', activeControllerId: hint, outcome });
const notSent = (): Error => Object.assign(new ConnectionError('not connected'), { notSent: true });

describe('ControllerChannel', () => {
  it('follows a NOT_CONTROLLER hint at once', async () => {
    const { ch, sent } = channel({ 1: [fail(notController(3, 'not-appended'))], 3: [ok()] });
    await expect(ch.call('describeCluster', {})).resolves.toEqual({ answered: true });
    expect(sent).toEqual([1, 3]);
    expect(ch.activeControllerId).toBe(3);
  });

  it('by default retries a request whose connection was lost, on another voter', async () => {
    const { ch, sent } = channel({ 1: [fail(new ConnectionError('connection lost'))], 2: [ok()] });
    await expect(ch.call('createTopics', { topics: [], validateOnly: false })).resolves.toEqual({ answered: true });
    expect(sent).toEqual([1, 2]);
  });

  it('retryAmbiguous false: a lost connection or a timeout after sending ends the call, and the next call goes elsewhere', async () => {
    const { ch, sent } = channel({ 1: [fail(new ConnectionError('connection lost'))], 2: [fail(new RequestTimeoutError('no answer'))], 3: [ok()] });
    const once = { retryAmbiguous: false };
    await expect(ch.call('createTopics', { topics: [], validateOnly: false }, once)).rejects.toBeInstanceOf(AmbiguousOutcomeError);
    await expect(ch.call('createTopics', { topics: [], validateOnly: false }, once)).rejects.toMatchObject({ code: 'UNKNOWN_OUTCOME' });
    await expect(ch.call('createTopics', { topics: [], validateOnly: false }, once)).resolves.toEqual({ answered: true });
    expect(sent).toEqual([1, 2, 3]);
  });

  it('retryAmbiguous false: NOT_CONTROLLER for appended records is ambiguous; for records never appended it is retried', async () => {
    const a = channel({ 1: [fail(notController(2, 'unknown'))], 2: [ok()] });
    await expect(a.ch.call('createTopics', { topics: [], validateOnly: false }, { retryAmbiguous: false })).rejects.toBeInstanceOf(AmbiguousOutcomeError);
    expect(a.sent).toEqual([1]);
    const b = channel({ 1: [fail(notController(2, 'not-appended'))], 2: [ok()] });
    await expect(b.ch.call('createTopics', { topics: [], validateOnly: false }, { retryAmbiguous: false })).resolves.toEqual({ answered: true });
    expect(b.sent).toEqual([1, 2]);
  });

  it('retryAmbiguous false: a request that never left (no connection) is retried', async () => {
    const { ch, sent } = channel({ 1: [fail(notSent())], 2: [ok()] });
    await expect(ch.call('createTopics', { topics: [], validateOnly: false }, { retryAmbiguous: false })).resolves.toEqual({ answered: true });
    expect(sent).toEqual([1, 2]);
  });

  it('gives up at the deadline with the last error', async () => {
    const down = () => Array.from({ length: 200 }, () => fail(notSent()));
    const { ch } = channel({ 1: down(), 2: down(), 3: down() });
    await expect(ch.call('describeCluster', {}, { timeoutMs: 300 })).rejects.toThrow(/not connected/);
  });
});
