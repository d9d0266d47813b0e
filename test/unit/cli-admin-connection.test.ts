// What every admin command shares: the bootstrap and timeout flags (usage errors exit 2 before
// connecting), and whole-request failures (a remote refusal such as NOT_CONTROLLER, a connection
// or timeout failure) as one line on stderr with exit 1, the connection closed either way.

import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ConnectionError, RemoteError, RequestTimeoutError } from '../../quorum/net/types.js';
import { ConfigError } from '../../tools/config/errors.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

const CLUSTER = { clusterId: 'c', controllerId: 1, brokers: [] };

describe('bootstrap and timeout flags', () => {
  it.each([
    ['neither bootstrap flag', [], /missing --bootstrap-controller <host:port> or --bootstrap-server <host:port>/],
    ['both bootstrap flags', ['--bootstrap-controller', 'a:1', '--bootstrap-server', 'b:2'], /one of --bootstrap-controller and --bootstrap-server, not both/],
    ['a host without a port', ['--bootstrap-controller', 'localhost'], /--bootstrap-controller: expected host:port, got "localhost"/],
    ['port 0', ['--bootstrap-server', 'b:0'], /--bootstrap-server: expected host:port/],
    ['a port above 65535', ['--bootstrap-controller', 'a:1,b:99999'], /expected host:port, got "b:99999"/],
    ['an empty list', ['--bootstrap-controller', ','], /--bootstrap-controller: expected at least one host:port/],
    ['--timeout 0', [...CONTROLLER, '--timeout', '0'], /--timeout must be a positive integer/],
    ['--timeout past what a timer can wait', [...CONTROLLER, '--timeout', '3000000000'], /--timeout must be at most 2147483647, got "3000000000"/],
  ])('usage error, exit 2, no connection: %s', async (_name, flags, message) => {
    const f = installFake({ describeCluster: () => CLUSTER });
    const r = await runCli('cluster', 'describe', ...flags);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(f.connects).toEqual([]);
  });

  it('the same rules hold on write commands', async () => {
    const f = installFake({});
    const r = await runCli('topics', 'delete', 't', '--bootstrap-controller', 'a:1', '--bootstrap-server', 'b:2');
    expect(r.exitCode).toBe(2);
    expect(f.connects).toEqual([]);
  });

  it('every command takes --timeout and passes it to the call', async () => {
    const f = installFake({ createTopics: () => ({ topics: [] }) });
    const r = await runCli('topics', 'create', 't', '--timeout', '700', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.connects[0]?.timeoutMs).toBe(700);
    expect(f.calls[0]?.timeoutMs).toBe(700);
  });
});

describe('whole-request failures exit 1 with one line', () => {
  it('NOT_CONTROLLER from the remote end: its name and message, the no-leader hint, connection closed', async () => {
    const f = installFake({
      createTopics: () => {
        throw new RemoteError({ code: ErrorCode.NOT_CONTROLLER, name: 'NOT_CONTROLLER', message: 'not the active controller; none is known yet, retry after the election', activeControllerId: null });
      },
    });
    const r = await runCli('topics', 'create', 't', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: request refused \(via controller localhost:9093\): NOT_CONTROLLER: not the active controller; none is known yet, retry after the election; the quorum may have no leader: is a majority of the voters running\? \(quorum describe --status shows each voter's own view; /,
    );
    expect(f.closed).toBe(1);
  });

  it('a remote error without a name is named from its code', async () => {
    installFake({
      describeCluster: () => {
        throw Object.assign(new Error('boom'), { code: ErrorCode.UNKNOWN_SERVER_ERROR });
      },
    });
    const r = await runCli('cluster', 'describe', '--bootstrap-server', 'b1:9092');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: request refused (via server b1:9092): UNKNOWN_SERVER_ERROR: boom\n');
  });

  it('the connection cannot be made: names the addresses tried', async () => {
    const f = installFake({ describeCluster: () => CLUSTER });
    f.connectError = new ConnectionError('connect ECONNREFUSED 127.0.0.1:9093');
    const r = await runCli('cluster', 'describe', '--bootstrap-controller', 'localhost:9093,[::1]:9094');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: cannot reach controller localhost:9093, [::1]:9094: connect ECONNREFUSED 127.0.0.1:9093\n');
  });

  it('an SSL listener reached without TLS: the message says how a command configures it (--command-config)', async () => {
    const f = installFake();
    f.connectError = new ConnectionError('handshake with localhost:9093 failed: the connection closed (if it is an SSL listener, configure TLS for this connection; see its log)');
    const r = await runCli('cluster', 'describe', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'error: handshake with localhost:9093 failed: the connection closed (if it is an SSL listener, configure TLS for this connection ' +
        '(--command-config <file> with security.protocol=SSL and ssl.truststore.location; ssl.keystore.location too if it asks for a client certificate); see its log)\n',
    );
  });

  it('a --command-config that cannot be used is a configuration error of the command: exit 2, its own message, no "via controller"', async () => {
    const f = installFake({ describeCluster: () => CLUSTER });
    f.connectError = new ConfigError('--command-config /nonexistent: cannot be read (ENOENT)');
    const r = await runCli('cluster', 'describe', ...CONTROLLER, '--command-config', '/nonexistent');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('error: --command-config /nonexistent: cannot be read (ENOENT)\n');
  });

  it('no voter acts as the active controller: said so, not blamed on the bootstrap address', async () => {
    installFake({
      describeCluster: () => {
        throw new ConnectionError('describeCluster: no active controller answered within 3000 ms (last error: connect ECONNREFUSED 127.0.0.1:9194)');
      },
    });
    const r = await runCli('cluster', 'describe', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: describeCluster: no active controller answered within 3000 ms .* \(via controller .*\); the quorum may have no leader: is a majority of the voters running\?/);
    expect(r.stderr).not.toContain('cannot reach');
    // The hint names what works without a leader: quorum describe asks each voter then.
    expect(r.stderr).toContain("quorum describe --status shows each voter's own view");
    expect(r.stderr).toContain('dump-log --dir');
  });

  it('a connection lost mid-request is worded the same way', async () => {
    installFake({
      describeQuorum: () => {
        throw new ConnectionError('connection closed');
      },
    });
    const r = await runCli('quorum', 'describe', '--replication', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: cannot reach controller localhost:9093: connection closed\n');
  });

  it('a request timeout names the timeout', async () => {
    installFake({
      deleteTopics: () => {
        throw new RequestTimeoutError('deleteTopics: no answer');
      },
    });
    const r = await runCli('topics', 'delete', 't', '--timeout', '250', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: no answer within 250 ms from controller localhost:9093: deleteTopics: no answer (raise --timeout, or check the node)\n');
  });

  it('a failing close does not turn a good answer into a failure', async () => {
    const f = installFake({ describeCluster: () => CLUSTER });
    f.closeError = new ConnectionError('already closed');
    const r = await runCli('cluster', 'describe', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(f.closed).toBe(1);
  });

  it('no connector wired: a clear runtime error', async () => {
    vi.resetModules();
    const fresh = await import('../../tools/cli/connect.js');
    expect(() => fresh.adminConnector()).toThrow(/setAdminConnector/);
    vi.resetModules();
  });
});
