// connectAdmin's failure when no target answers: each address is named once, with the reason in
// a few words (Node's "connect ECONNREFUSED host:port" used to repeat it up to four times).

import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../quorum/env/index.js';
import { NetServer } from '../../quorum/net/server.js';
import { ConnectionError } from '../../quorum/net/types.js';
import { askVoters, connectAdmin } from '../../tools/admin/admin-client.js';
import { adminErrorMessage } from '../../tools/cli/admin-errors.js';
import type { AdminTarget } from '../../tools/cli/connect.js';
import { isNoActiveController } from '../../tools/cli/quorum-no-leader.js';
import { freePort, startLoneBroker } from '../support/lone-broker.js';
import { waitFor } from '../support/recording-logger.js';


function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** A loopback listener whose connections get `onConnection`. */
async function listening(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** What connectAdmin threw for `targets`, and the line the CLI prints for it. */
async function failure(targets: AdminTarget[], timeoutMs = 2_000): Promise<{ error: unknown; line: string }> {
  const error = await connectAdmin(targets, { timeoutMs }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const line = adminErrorMessage(error, { targets, timeoutMs });
  expect(line).not.toBeNull();
  return { error, line: line! };
}

/** The line for targets none of which is listening: a ConnectionError. */
async function refusedLine(targets: AdminTarget[]): Promise<string> {
  const { error, line } = await failure(targets);
  expect(error).toBeInstanceOf(ConnectionError);
  return line;
}

describe('connectAdmin when nothing answers', () => {
  it('a listener that accepts but never answers the handshake: its address once, and the timeout', async () => {
    const silent = await listening(() => undefined);
    try {
      const { line } = await failure([{ kind: 'controller', host: '127.0.0.1', port: silent.port }], 300);
      expect(line).toMatch(/within 300 ms/);
      expect(occurrences(line, `:${silent.port}`)).toBe(1);
    } finally {
      silent.close();
    }
  });

  it('a listener that answers with something else (not a metaquorum frame): its address once, the reason', async () => {
    const http = await listening((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const { port } = http;
    try {
      const targets: AdminTarget[] = [{ kind: 'controller', host: '127.0.0.1', port }];
      const { line } = await failure(targets);
      expect(line).toMatch(/malformed frame/);
      expect(line).not.toMatch(/another cluster/);
      expect(occurrences(line, `:${port}`)).toBe(1);
      // Listed with a closed port: still once each.
      const closed = await freePort();
      const { line: bothLine } = await failure([...targets, { kind: 'controller', host: '127.0.0.1', port: closed }]);
      expect(bothLine).toMatch(/malformed frame.*ECONNREFUSED/);
      expect(occurrences(bothLine, `:${port}`)).toBe(1);
      expect(occurrences(bothLine, `:${closed}`)).toBe(1);
    } finally {
      http.close();
    }
  });

  it('one target: its address once, then the reason', async () => {
    const port = await freePort();
    const line = await refusedLine([{ kind: 'controller', host: '127.0.0.1', port }]);
    expect(line).toBe(`cannot reach controller 127.0.0.1:${port}: connection refused, nothing listens on that port (ECONNREFUSED)`);
  });

  it('several targets: each address once, with its own reason', async () => {
    const a = await freePort();
    const b = await freePort();
    const line = await refusedLine([
      { kind: 'server', host: '127.0.0.1', port: a },
      { kind: 'server', host: '127.0.0.1', port: b },
    ]);
    expect(line.startsWith(`could not reach the cluster: 127.0.0.1:${a}: connection refused`)).toBe(true);
    expect(occurrences(line, `:${a}`)).toBe(1);
    expect(occurrences(line, `:${b}`)).toBe(1);
    expect(occurrences(line, 'ECONNREFUSED')).toBe(2);
  });
});

// A paused node accepts connections and answers nothing: the next bootstrap target is asked after
// BOOTSTRAP_STAGGER_MS instead of after the paused one's 5 s connect timeout.
describe('connectAdmin with a silent first target', () => {
  it('asks the next target too after the stagger, takes the first answer, and drops the silent question', async () => {
    let silentSocket: net.Socket | undefined;
    let silentClosed = false;
    const silent = await listening((socket) => {
      silentSocket = socket;
      socket.resume(); // reads nothing it answers, but sees the end
      socket.on('close', () => (silentClosed = true));
    });
    const dir = await mkdtemp(join(tmpdir(), 'mq-admin-stagger-'));
    const broker = await startLoneBroker(dir, {});
    try {
      const brokerPort = broker.addresses().get('PLAINTEXT')!.port;
      const targets: AdminTarget[] = [
        { kind: 'server', host: '127.0.0.1', port: silent.port },
        { kind: 'server', host: '127.0.0.1', port: brokerPort },
      ];
      // Without the stagger the silent target's 5 s connect timeout runs out first: 4.5 s is too late.
      const pending = connectAdmin(targets, { timeoutMs: 60_000 });
      const first = await Promise.race([pending, new Promise<'too late'>((r) => setTimeout(() => r('too late'), 4_500))]);
      const connection = await pending;
      try {
        expect(first).not.toBe('too late');
        expect(silentSocket).toBeDefined(); // the first target was asked first
        const answer = await connection.call('describeNode', {});
        expect(answer.nodeId).toBe(2); // the lone broker
        await waitFor('the silent question dropped', () => silentClosed);
      } finally {
        await connection.close();
      }
    } finally {
      silent.close();
      await broker.halt();
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

// An answer connectAdmin cannot use (here a controller naming no voters: ControllerChannel throws)
// is that target's failure; it must not escape as an unhandled rejection and leave connectAdmin
// pending for ever.
describe('connectAdmin with an unusable answer', () => {
  it('reports it as the target failing, and settles', async () => {
    const odd = await NetServer.listen({
      listener: { name: 'CONTROLLER', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
      self: { nodeId: 7, role: 'controller', clusterId: 'odd-cluster' },
      logger: silentLogger,
      handlers: { onRequest: async () => ({ clusterId: 'odd-cluster', nodeId: 7, roles: ['controller'], activeControllerId: null, voters: [], metadataOffset: 0, zkMigrationState: 0 }) },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const targets: AdminTarget[] = [{ kind: 'controller', host: '127.0.0.1', port: odd.address().port }];
      const outcome = await Promise.race([
        connectAdmin(targets, { timeoutMs: 2_000 }).then(
          () => 'connected',
          (e: unknown) => e,
        ),
        new Promise((r) => setTimeout(() => r('still pending'), 3_000)),
      ]);
      expect(outcome).toBeInstanceOf(ConnectionError);
      expect((outcome as Error).message).toMatch(/at least one voter/);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await odd.close();
    }
  }, 10_000);
});

// quorum describe with no leader asks every voter directly (AdminConnection.askVoters).
describe('askVoters', () => {
  it('each voter answers or says why not; a silent one (a paused process) is given up on within 5 s, not the command timeout', async () => {
    const silent = await listening(() => undefined);
    const refused = await freePort();
    try {
      const answers = await askVoters(
        [
          { id: 1, host: '127.0.0.1', port: silent.port },
          { id: 2, host: '127.0.0.1', port: refused },
        ],
        { timeoutMs: 120_000 },
      );
      expect(answers.map((a) => a.id)).toEqual([1, 2]);
      expect(answers[0]).toMatchObject({ id: 1, port: silent.port, error: expect.stringMatching(/5000 ms/) });
      expect(answers[1]).toMatchObject({ id: 2, port: refused, error: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      silent.close();
    }
  }, 20_000);
});

// Through --bootstrap-server the broker forwards writes and cluster-wide reads to the active
// controller, waiting for one longer than the command's --timeout: with no active controller the
// command's timeout fires first, and read "got no answer within 15000 ms (raise --timeout, or check
// the node)" of a broker that had just answered; quorum describe could not show the voters' views.
describe('a broker with no active controller behind it', () => {
  it('a forwarded request that times out says no active controller answered (the no-leader hint, the voters asked); a read it answers itself is unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-admin-connect-'));
    const broker = await startLoneBroker(dir, { readCatchUpWaitMs: 5_000 });
    try {
      const targets: AdminTarget[] = [{ kind: 'server', host: '127.0.0.1', port: broker.addresses().get('PLAINTEXT')!.port }];
      const connection = await connectAdmin(targets, { timeoutMs: 400 });
      try {
        const forwarded = await connection.call('describeQuorum', {}).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isNoActiveController(forwarded)).toBe(true); // quorum describe then asks each voter
        const line = adminErrorMessage(forwarded, { targets, timeoutMs: 400 })!;
        expect(line).toMatch(/^describeQuorum: the broker forwards it to the active controller, and no active controller answered within 400 ms \(via server 127\.0\.0\.1:\d+\); the quorum may have no leader/);
        expect(line).not.toMatch(/raise --timeout/);
        expect(await connection.askVoters()).toEqual([expect.objectContaining({ id: 1, error: expect.stringMatching(/ECONNREFUSED/) })]);
        // describeTopics is answered by the broker itself (here: not before its 5 s catch-up wait): its timeout says nothing of a controller.
        const local = await connection.call('describeTopics', {} as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isNoActiveController(local)).toBe(false);
        expect(adminErrorMessage(local, { targets, timeoutMs: 400 })).toMatch(/got no answer within 400 ms \(raise --timeout, or check the node\)$/);
      } finally {
        await connection.close();
      }
    } finally {
      await broker.halt();
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
