// End-to-end: what real node processes do with bad input. Every case must end in a clear message
// (naming the key, the directory, the address or the peer at fault) and the right exit code, or, for
// a running node, in a refused connection, a warn line with the reason, and a node that keeps serving.
//
//   1. `start` on an unformatted directory                    exit 2, says to run `format`
//   2. nodes formatted for another cluster                     refused at the handshake, logged;
//                                                              the quorum of the others serves
//   3. a listener port already in use                          exit 1 naming host:port
//   4. invalid config values / unknown keys / a bad keystore   exit 2 naming the key / a warning
//   5. `format` twice, --ignore-formatted, random-cluster-id
//   6. garbage, oversized and undecodable frames on a controller listener
//   7. mutual TLS on the controller listener: clients without a good certificate are refused
//
// Nodes are started with `node dist/tools/cli.js start` (vitest's globalSetup builds dist/).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../quorum/env/index.js';
import { STANDARD_AUTHORIZER_CLASS } from '../../quorum/controller/acls/authorizer.js';
import { NetClient } from '../../quorum/net/client.js';
import { encodeFrame, FrameDecoder } from '../../quorum/net/frame-codec.js';
import { ConnectionError, HandshakeRefusedError, PROTOCOL_VERSION, RemoteError, type PeerIdentity, type TlsMaterial } from '../../quorum/net/types.js';
import type { DescribeNodeResponse } from '../../quorum/server/rpc-methods.js';
import { askNode } from '../../tools/admin/admin-client.js';
import { randomClusterId } from '../../tools/config/cluster-id.js';
import { formatProperties } from '../../tools/config/properties.js';
import { ProcessCluster } from '../../tools/server/process-cluster.js';
import { CLI, runCli, startTestCluster, TEST_PROPERTIES, until, type CliResult, type TestCluster } from '../support/process-harness.js';
import { makePki, type Pki } from '../support/tls-certs.js';
import { freePort } from '../support/lone-broker.js';

const HOST = '127.0.0.1';
/** A line of a stack trace: an error must be a message, never a dump. */
const STACK_LINE = /^\s+at\s/m;
const TOOL: PeerIdentity = { nodeId: -1, role: 'tool', clusterId: null };

// ---------------------------------------------------------------------------------------------
// Helpers.

let root: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'metaquorum-bad-input-'));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});


/** True when `port` can be bound on 127.0.0.1 (nothing listens on it). */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, HOST, () => s.close(() => resolve(true)));
  });
}

type Props = Record<string, string>;

/** A node directory under the test root: `server.properties` and its data directories. */
async function nodeDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A one-voter controller listening on `port`, its data under `dir`. */
function controllerProps(dir: string, port: number, extra: Props = {}): Props {
  return {
    'process.roles': 'controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${HOST}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    listeners: `CONTROLLER://${HOST}:${port}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT',
    'metadata.log.dir': join(dir, 'metadata'),
    'log.dirs': join(dir, 'logs'),
    ...extra,
  };
}

async function writeConfig(dir: string, props: Props): Promise<string> {
  const path = join(dir, 'server.properties');
  await writeFile(path, formatProperties(new Map(Object.entries(props)), 'written by test/e2e/bad-input.test.ts'));
  return path;
}

async function format(config: string, clusterId: string): Promise<void> {
  const r = await runCli(['format', '--config', config, '--cluster-id', clusterId]);
  expect(r.code, r.stderr).toBe(0);
}

type LogLine = Record<string, unknown> & { readonly level?: string; readonly msg?: string };

/** The NDJSON lines of a node's log (lines that are not JSON, such as stderr's, are skipped). */
function logLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut mid-write
    }
  }
  return out;
}

/** Top-level keys that occur more than once in one JSON object line (JSON.parse keeps only the last). */
function repeatedTopLevelKeys(line: string): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      const token = line.slice(i, j + 1);
      if (depth === 1 && line[j + 1] === ':') {
        const key = JSON.parse(token) as string;
        if (seen.has(key)) repeated.push(key);
        seen.add(key);
      }
      i = j;
    }
  }
  return repeated;
}

interface NodeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  log(): LogLine[];
}

/** `metaquorum start --config <config> <args>`, its output kept in memory; killed in afterAll. */
function startNode(config: string, args: readonly string[] = []): NodeProcess {
  const child = spawn(process.execPath, [CLI, 'start', '--config', config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr, log: () => logLines(stdout) };
}

/** SIGTERM, then the exit (SIGKILL and a failure if it takes longer than `timeoutMs`). */
async function stopNode(p: NodeProcess, timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const r = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  if (r === 'timeout') {
    p.child.kill('SIGKILL');
    throw new Error(`node did not stop within ${timeoutMs} ms of SIGTERM`);
  }
  return r;
}

/** Resolves with the exit, or rejects after `timeoutMs`. */
async function exitWithin<T>(exited: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not exit within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function expectNoStack(r: CliResult): void {
  expect(r.stderr, 'a stack trace on stderr').not.toMatch(STACK_LINE);
  expect(r.stdout, 'a stack trace on stdout').not.toMatch(STACK_LINE);
}

interface QuorumStatus {
  readonly clusterId: string;
  readonly leaderId: number | null;
  readonly leaderEpoch: number;
  readonly currentVoters: readonly { readonly id: number; readonly endpoints?: readonly string[] }[];
}

interface ReplicaRow {
  readonly nodeId: number;
  readonly status: string;
  readonly logEndOffset: number | null;
  readonly lastFetchAgoMs: number | null;
}

/** `quorum describe --status --json`, once a leader is known. */
async function quorumStatus(bootstrap: string, timeoutMs = 60_000): Promise<QuorumStatus> {
  return until(`quorum describe --status via ${bootstrap}`, timeoutMs, async () => {
    const r = await runCli(['quorum', 'describe', '--status', '--json', '--bootstrap-controller', bootstrap, '--timeout', '5000']);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim()}`);
    const s = JSON.parse(r.stdout) as QuorumStatus;
    return s.leaderId === null ? undefined : s;
  }, 500);
}

async function replication(bootstrap: string): Promise<ReplicaRow[]> {
  const r = await runCli(['quorum', 'describe', '--replication', '--json', '--bootstrap-controller', bootstrap, '--timeout', '5000']);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout) as { replicas: ReplicaRow[] }).replicas;
}

// ---------------------------------------------------------------------------------------------
// 1, 3, 4, 5: the command line and the configuration.

describe('start, format and the configuration: errors are messages with the right exit code', () => {
  it('start on an unformatted directory exits 2, creates nothing, and says to run format with a cluster id', async () => {
    const dir = await nodeDir('unformatted');
    const port = await freePort();
    const config = await writeConfig(dir, controllerProps(dir, port));
    const r = await runCli(['start', '--config', config]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/metadata\.log\.dir .*metadata is not formatted/);
    expect(r.stderr).toContain(`run "metaquorum format --config ${config} --cluster-id <id>"`);
    expect(r.stderr).toContain('metaquorum random-cluster-id');
    expectNoStack(r);
    // It refused before touching anything: no data directory, no listener.
    expect(existsSync(join(dir, 'metadata'))).toBe(false);
    expect(await portIsFree(port)).toBe(true);
  });

  it('format refuses a formatted directory (exit 2), --ignore-formatted skips it (exit 0); random-cluster-id prints an id', async () => {
    const plain = await runCli(['random-cluster-id']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^[A-Za-z0-9_-]{22}\n$/);
    const json = await runCli(['random-cluster-id', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const { clusterId } = JSON.parse(json.stdout) as { clusterId: string };
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(clusterId).not.toBe(plain.stdout.trim());

    const dir = await nodeDir('format-twice');
    const config = await writeConfig(dir, controllerProps(dir, await freePort()));
    const first = await runCli(['format', '--config', config, '--cluster-id', clusterId]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Formatted ${join(dir, 'metadata')} for cluster ${clusterId}, node 1`);

    const second = await runCli(['format', '--config', config, '--cluster-id', clusterId]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`metadata.log.dir ${join(dir, 'metadata')} is already formatted (cluster ${clusterId}, node.id 1)`);
    expect(second.stderr).toContain('--ignore-formatted');
    expectNoStack(second);

    const ignored = await runCli(['format', '--config', config, '--cluster-id', clusterId, '--ignore-formatted', '--json']);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(JSON.parse(ignored.stdout)).toEqual({ clusterId, nodeId: 1, voterDirectories: 'first-use', formatted: [], skipped: [join(dir, 'metadata'), join(dir, 'logs')] });

    // --ignore-formatted does not cover another cluster, and a malformed id is refused.
    const other = randomClusterId();
    const foreign = await runCli(['format', '--config', config, '--cluster-id', other, '--ignore-formatted']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`already formatted for another cluster (${clusterId}, not ${other})`);
    const bad = await runCli(['format', '--config', config, '--cluster-id', 'not-an-id']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cluster-id "not-an-id" is not a cluster id');
    expectNoStack(foreign);
    expectNoStack(bad);
  });

  it('format --initial-controllers: a list that does not match the voters is exit 2 naming the entry; a matching one gives the voter its directory id; without it a controller is warned', async () => {
    const uuid = await runCli(['random-uuid', '--json']);
    expect(uuid.code, uuid.stderr).toBe(0);
    const directoryId = (JSON.parse(uuid.stdout) as { uuid: string }).uuid;
    expect(directoryId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const clusterId = randomClusterId();
    const dir = await nodeDir('initial-controllers');
    const port = await freePort();
    const config = await writeConfig(dir, controllerProps(dir, port));

    const wrongPort = await runCli(['format', '--config', config, '--cluster-id', clusterId, '--initial-controllers', `1@${HOST}:${port + 1}:${directoryId}`]);
    expect(wrongPort.code).toBe(2);
    expect(wrongPort.stderr).toContain(`--initial-controllers: node 1 is at ${HOST}:${port + 1} here but at ${HOST}:${port} in controller.quorum.voters`);
    expectNoStack(wrongPort);
    const both = await runCli(['format', '--config', config, '--cluster-id', clusterId, '--initial-controllers', 'x', '--no-initial-controllers']);
    expect(both.code, both.stdout).toBe(2);
    expect(both.stderr).toContain('exclude each other');

    const ok = await runCli(['format', '--config', config, '--cluster-id', clusterId, '--initial-controllers', `1@${HOST}:${port}:${directoryId}`]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Formatted ${join(dir, 'metadata')} for cluster ${clusterId}, node 1 (with every voter's directory id)`);
    expect(ok.stderr).toBe('');
    expect(await readFile(join(dir, 'metadata', 'meta.properties'), 'utf8')).toContain(`directory.id=${directoryId}`);

    const plainDir = await nodeDir('first-use');
    const plain = await runCli(['format', '--config', await writeConfig(plainDir, controllerProps(plainDir, port)), '--cluster-id', clusterId]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('warning: formatted without --initial-controllers');
  });

  it('a controller listener port already in use: exit 1 naming host:port, no stack trace', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, HOST, resolve));
    try {
      const port = (squatter.address() as net.AddressInfo).port;
      const dir = await nodeDir('port-in-use');
      const config = await writeConfig(dir, controllerProps(dir, port));
      await format(config, randomClusterId());
      const r = await runCli(['start', '--config', config]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`cannot listen on ${HOST}:${port} (listener CONTROLLER): address already in use`);
      expectNoStack(r);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('a broker listener port already in use in a combined node: exit 1 naming it, after the controller was stopped', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, HOST, resolve));
    try {
      const clientPort = (squatter.address() as net.AddressInfo).port;
      const controllerPort = await freePort();
      const dir = await nodeDir('broker-port-in-use');
      const config = await writeConfig(dir, {
        ...controllerProps(dir, controllerPort),
        'process.roles': 'broker,controller',
        listeners: `CONTROLLER://${HOST}:${controllerPort},PLAINTEXT://${HOST}:${clientPort}`,
        'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      });
      await format(config, randomClusterId());
      const r = await runCli(['start', '--config', config]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`cannot listen on ${HOST}:${clientPort} (listener PLAINTEXT): address already in use`);
      expectNoStack(r);
      // The controller it had started released its port on the way out.
      expect(await portIsFree(controllerPort)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('invalid values exit 2 naming the key and the value', async () => {
    const dir = await nodeDir('invalid-values');
    const port = await freePort();
    const config = await writeConfig(dir, controllerProps(dir, port));
    await format(config, randomClusterId());

    const cases: { args: string[]; message: string }[] = [
      { args: ['--override', 'node.id=abc'], message: 'node.id = "abc": must be a non-negative integer' },
      { args: ['--override', 'controller.quorum.voters=garbage'], message: 'controller.quorum.voters = "garbage": "garbage" is not id@host:port' },
      { args: ['--override', 'controller.quorum.fetch.timeout.ms=-5'], message: 'controller.quorum.fetch.timeout.ms = "-5": must be a positive integer' },
      { args: ['--override', 'controller.quorum.fetch.timeout.ms=100'], message: 'controller.quorum.fetch.timeout.ms = "100": must exceed metaquorum.quorum.fetch.max.wait.ms' },
      { args: ['--override', 'process.roles=leader'], message: 'process.roles = "leader": unknown role "leader"' },
      { args: ['--override', `listeners=CONTROLLER://${HOST}:70000`], message: `listeners = "CONTROLLER://${HOST}:70000": listener CONTROLLER: port 70000 is outside 0..65535` },
      { args: ['--override', 'listener.security.protocol.map=CONTROLLER:SASL_SSL'], message: 'listener.security.protocol.map = "CONTROLLER:SASL_SSL": maps controller listener CONTROLLER to SASL_SSL: a controller listener is PLAINTEXT or SSL' },
      { args: ['--override', 'node.id=2'], message: "does not include this node's node.id 2" },
      { args: ['--override', 'no-equals-sign'], message: '--override "no-equals-sign": expected key=value' },
    ];
    for (const c of cases) {
      const r = await runCli(['start', '--config', config, ...c.args]);
      expect(r.code, `${c.args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(c.message);
      expectNoStack(r);
    }
    // The same checks hold for the file itself (not only for overrides).
    const inFile = await writeConfig(await nodeDir('invalid-in-file'), { ...controllerProps(dir, port), 'node.id': 'abc' });
    const r = await runCli(['start', '--config', inFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('node.id = "abc": must be a non-negative integer');
    const missing = await runCli(['start', '--config', join(dir, 'no-such.properties')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read config file ${join(dir, 'no-such.properties')}: no such file`);
    // Nothing bound along the way.
    expect(await portIsFree(port)).toBe(true);
  });

  it('a usage error is two lines (the error, a hint to add --help), not the whole help, and exits 2', async () => {
    const cases: { args: string[]; message: string }[] = [
      { args: ['topics', 'list', '--no-such-option'], message: "error: unknown option '--no-such-option'" },
      { args: ['no-such-command'], message: "error: unknown command 'no-such-command'" },
      { args: ['topics', 'create'], message: "error: missing required argument 'name'" },
    ];
    for (const c of cases) {
      const r = await runCli(c.args);
      expect(r.code, `${c.args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(`${c.message}\n(add --help for usage)\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('under --json a usage error is one JSON object on stderr ({error, exitCode: 2}) and nothing else, as every other error is', async () => {
    const cases: { args: string[]; error: string }[] = [
      { args: ['topics', 'list', '--json', '--no-such-option'], error: "unknown option '--no-such-option'" },
      { args: ['topics', 'describe', '--json', '--bootstrap-controller', 'nothost'], error: 'option \'--bootstrap-controller <host:port,...>\' argument \'nothost\' is invalid. --bootstrap-controller: expected host:port, got "nothost"' },
      { args: ['no-such-command', '--json'], error: "unknown command 'no-such-command'" },
    ];
    for (const c of cases) {
      const r = await runCli(c.args);
      expect(r.code, `${c.args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(`${JSON.stringify({ error: c.error, exitCode: 2 })}\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('an SSL listener whose keystore or truststore is not usable PEM exits 2 naming the key (not an OpenSSL error, exit 1)', async () => {
    const dir = await nodeDir('bad-keystore');
    const port = await freePort();
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'this is not PEM\n');
    const pkiDir = await nodeDir('bad-keystore-pki');
    const pki = makePki(pkiDir);
    const keystore = join(pkiDir, 'server.keystore.pem');
    await writeFile(keystore, pki.serverKeyPem + pki.serverCertPem);
    // Formatted as PLAINTEXT (format checks the whole config too); each start turns SSL on.
    const config = await writeConfig(dir, controllerProps(dir, port));
    await format(config, randomClusterId());
    const ssl = ['--override', 'listener.security.protocol.map=CONTROLLER:SSL'];

    const cases: { args: string[]; message: string }[] = [
      { args: ['--override', `ssl.keystore.location=${garbage}`], message: `ssl.keystore.location = "${garbage}": not a usable PEM keystore` },
      // A certificate without its key.
      { args: ['--override', `ssl.keystore.location=${join(pkiDir, 'server.crt')}`], message: 'it must hold the private key and the certificate chain' },
      { args: ['--override', `ssl.keystore.location=${join(dir, 'missing.pem')}`], message: `ssl.keystore.location = "${join(dir, 'missing.pem')}": cannot be read (ENOENT)` },
      {
        args: ['--override', `ssl.keystore.location=${keystore}`, '--override', `ssl.truststore.location=${garbage}`],
        message: `ssl.truststore.location = "${garbage}": holds no PEM certificate`,
      },
      { args: [], message: 'listener CONTROLLER uses SSL but has no keystore' },
    ];
    for (const c of cases) {
      const r = await runCli(['start', '--config', config, ...ssl, ...c.args]);
      expect(r.code, `${c.args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(c.message);
      expectNoStack(r);
    }
    expect(await portIsFree(port)).toBe(true);
  });

  it('unknown keys are warnings (with a suggestion for a typo); the node starts, and SIGTERM stops it with exit 0', async () => {
    const dir = await nodeDir('unknown-keys');
    const port = await freePort();
    const config = await writeConfig(dir, {
      ...controllerProps(dir, port),
      'frobnicate.level': '11',
      'controller.quorum.election.timeout.mss': '700',
      'num.io.threads': '8',
    });
    const clusterId = randomClusterId();
    await format(config, clusterId);
    const node = startNode(config);
    const info = await until('the node to answer describeNode', 30_000, async () => {
      if (node.child.exitCode !== null) throw new Error(`node exited ${node.child.exitCode}: ${node.stderr()}`);
      return askNode({ host: HOST, port }, 'describeNode', {}, { timeoutMs: 2_000 });
    }, 100);
    expect(info).toMatchObject({ clusterId, nodeId: 1, roles: ['controller'] });
    expect(node.stderr()).toContain('warning: unknown config key "frobnicate.level" (ignored)\n');
    expect(node.stderr()).toContain(
      'warning: unknown config key "controller.quorum.election.timeout.mss" (ignored); did you mean "controller.quorum.election.timeout.ms"?',
    );
    expect(node.stderr()).toContain('warning: config key "num.io.threads" is a Kafka setting metaquorum does not use; ignored');
    const exit = await stopNode(node);
    expect(exit, node.stderr()).toEqual({ code: 0, signal: null });
    expect(node.log().some((l) => l.msg === 'shut down')).toBe(true);
    // The logger stamps nodeId (and role) on each line; no caller repeats a key it already set.
    const lines = node.stdout().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.flatMap((l) => repeatedTopLevelKeys(l).map((k) => `${k} in ${l}`))).toEqual([]);
  });

  it('two controller listeners (controller.listener.names = CONTROLLER,CONTROLLER2): both are bound, one listening line each, both answer; the second in use is exit 1 naming it', async () => {
    // Only the first was bound before: the second got no socket, no log line and no warning.
    const dir = await nodeDir('two-controller-listeners');
    const [port, port2] = [await freePort(), await freePort()];
    const two = {
      ...controllerProps(dir, port),
      'controller.listener.names': 'CONTROLLER,CONTROLLER2',
      listeners: `CONTROLLER://${HOST}:${port},CONTROLLER2://${HOST}:${port2}`,
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,CONTROLLER2:PLAINTEXT',
    };
    const config = await writeConfig(dir, two);
    const clusterId = randomClusterId();
    await format(config, clusterId);
    const node = startNode(config);
    for (const p of [port, port2]) {
      const info = await until(`describeNode on port ${p}`, 15_000, async () => {
        if (node.child.exitCode !== null) throw new Error(`node exited ${node.child.exitCode}: ${node.stderr()}`);
        return askNode({ host: HOST, port: p }, 'describeNode', {}, { timeoutMs: 2_000 }).catch(() => undefined);
      }, 100);
      expect(info).toMatchObject({ clusterId, nodeId: 1 });
    }
    expect(node.log().filter((l) => l.msg === 'listening').map((l) => `${String(l['listener'])}:${String(l['port'])}`)).toEqual([`CONTROLLER:${port}`, `CONTROLLER2:${port2}`]);
    expect(await stopNode(node), node.stderr()).toEqual({ code: 0, signal: null });

    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port2, HOST, resolve));
    try {
      const r = await runCli(['start', '--config', config]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`cannot listen on ${HOST}:${port2} (listener CONTROLLER2): address already in use`);
      expectNoStack(r);
      expect(await portIsFree(port)).toBe(true); // the first listener was closed on the way out
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('a SIGTERM while the node is still starting is a graceful stop (exit 0), not a death by the signal', async () => {
    const dir = await nodeDir('early-term');
    const port = await freePort();
    const config = await writeConfig(dir, { ...controllerProps(dir, port), 'frobnicate.level': '11' });
    await format(config, randomClusterId());
    const node = startNode(config);
    // The warning is printed as the configuration is read, before the node has started.
    await until('the configuration warning', 30_000, async () => (node.stderr().includes('frobnicate.level') ? true : undefined), 5);
    const exit = await stopNode(node);
    expect(exit, node.stderr()).toEqual({ code: 0, signal: null });
    expect(node.log().some((l) => l.msg === 'shut down')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// 2: a controller and a broker formatted for other clusters.

describe('nodes formatted for another cluster', () => {
  const exits: string[] = [];
  let dir: string;
  let cluster: ProcessCluster;
  const otherId = randomClusterId();
  const brokerOtherId = randomClusterId();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metaquorum-e2e-cluster-id-'));
    cluster = await ProcessCluster.create({
      dataDir: dir,
      shape: { controllers: 3, brokers: 1, combined: false, basePort: 0, properties: TEST_PROPERTIES },
      cliPath: CLI,
      logLevel: 'info',
      onUnexpectedExit: (id, code, signal) => exits.push(`node ${id} exited (${signal ?? code})`),
    });
    // Node 3 (a controller) and node 4 (the broker) are formatted again, each for a cluster of its own.
    for (const [id, clusterId] of [[3, otherId], [4, brokerOtherId]] as const) {
      const n = cluster.node(id);
      await rm(join(n.dir, 'metadata'), { recursive: true, force: true });
      await rm(join(n.dir, 'logs'), { recursive: true, force: true });
      await format(n.configPath, clusterId);
    }
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop(15_000);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const logOf = async (id: number): Promise<LogLine[]> => logLines(await readFile(cluster.node(id).logPath, 'utf8').catch(() => ''));
  const bootstrap12 = () => [1, 2].map((id) => `${HOST}:${cluster.node(id).controllerPort}`).join(',');

  it('a controller of another cluster is refused by the others, logged on both sides, never joins; the other two form the quorum', async () => {
    cluster.start(1);
    cluster.start(2);
    cluster.start(3);

    const status = await quorumStatus(bootstrap12());
    expect(status.clusterId).toBe(cluster.clusterId);
    expect([1, 2]).toContain(status.leaderId);
    expect(status.currentVoters.map((v) => v.id)).toEqual([1, 2, 3]);

    // Nodes 1 and 2 refuse node 3 at the handshake, saying which clusters.
    const mismatch = `cluster id mismatch: the peer belongs to cluster ${otherId}, this node to cluster ${cluster.clusterId}`;
    for (const id of [1, 2]) {
      const refusal = await until(`node ${id} to log its refusal of node 3`, 30_000, async () =>
        (await logOf(id)).find((l) => l.level === 'warn' && l.msg === 'handshake refused' && l['peerNodeId'] === 3),
      500);
      expect(refusal['reason']).toBe(mismatch);
      expect(refusal['peerClusterId']).toBe(otherId);
    }
    // Node 3 logs why it cannot connect, and refuses the others in turn.
    const log3 = await until('node 3 to log the refusals', 30_000, async () => {
      const lines = await logOf(3);
      const refusedByPeer = lines.find((l) => l.level === 'warn' && l.msg === 'connection refused' && String(l['reason']).includes('cluster id mismatch'));
      const refusedPeer = lines.find((l) => l.level === 'warn' && l.msg === 'handshake refused' && (l['peerNodeId'] === 1 || l['peerNodeId'] === 2));
      return refusedByPeer !== undefined && refusedPeer !== undefined ? { refusedByPeer, refusedPeer } : undefined;
    }, 500);
    // ... in its own terms: the refusing node's cluster, then its own.
    expect(log3.refusedByPeer['reason']).toMatch(new RegExp(`refused the connection: cluster id mismatch: \\S+ belongs to cluster ${cluster.clusterId}, this node to cluster ${otherId}$`));
    expect(log3.refusedPeer['reason']).toBe(`cluster id mismatch: the peer belongs to cluster ${cluster.clusterId}, this node to cluster ${otherId}`);

    // Node 3 never joined: the leader has heard from the other voter, never from node 3.
    const leaderId = status.leaderId!;
    const otherVoter = leaderId === 1 ? 2 : 1;
    const rows = await until('the other voter to fetch from the leader', 30_000, async () => {
      const r = await replication(bootstrap12());
      return r.find((x) => x.nodeId === otherVoter)?.lastFetchAgoMs !== null ? r : undefined;
    }, 500);
    expect(rows.find((x) => x.nodeId === 3)).toMatchObject({ lastFetchAgoMs: null, logEndOffset: null, lag: null });
    // ... and knows of no leader, while it keeps running and answering tools (which send no cluster id).
    const node3: DescribeNodeResponse = await askNode({ host: HOST, port: cluster.node(3).controllerPort! }, 'describeNode', {}, { timeoutMs: 5_000 });
    expect(node3).toMatchObject({ clusterId: otherId, nodeId: 3, activeControllerId: null });
    expect(cluster.isRunning(3)).toBe(true);

    // The quorum of 1 and 2 still serves, with the same leader and voters.
    const again = await quorumStatus(bootstrap12());
    expect(again.currentVoters.map((v) => v.id)).toEqual([1, 2, 3]);
    expect(again.clusterId).toBe(cluster.clusterId);
    expect(exits).toEqual([]);
  }, 150_000);

  it('a broker of another cluster is refused at the handshake and exits 1 at once (not after the registration timeout), naming the cluster ids', async () => {
    const broker = cluster.node(4);
    const started = Date.now();
    cluster.start(4);
    const exit = await exitWithin(cluster.exited(4), 45_000, 'the broker of another cluster');
    // initial.broker.registration.timeout.ms is 60 s: a refusal for another cluster does not wait it out.
    expect(Date.now() - started).toBeLessThan(30_000);
    const text = await readFile(broker.logPath, 'utf8');
    expect(exit, text.slice(-2_000)).toEqual({ code: 1, signal: null });
    expect(exits).toEqual(['node 4 exited (1)']);

    // Refused by the controllers of the cluster (or by node 3, of a third one): either names both ids.
    // Said from the broker's side (it got the two ids the wrong way round, found by a review).
    const mismatch = new RegExp(`refused the connection: cluster id mismatch: \\S+ belongs to cluster (${cluster.clusterId}|${otherId}), this node to cluster ${brokerOtherId}`);
    const fatal = text.split('\n').find((l) => l.startsWith('fatal: '));
    expect(fatal, text.slice(-2_000)).toBeDefined();
    expect(fatal).toContain('registration refused');
    expect(fatal).toMatch(mismatch);
    expect(text).not.toMatch(STACK_LINE);
    const lines = logLines(text);
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'connection refused' && mismatch.test(String(l['reason'])))).toBe(true);

    // The controllers logged the refusal of broker 4, naming its cluster.
    for (const id of [1, 2]) {
      const refusal = (await logOf(id)).find((l) => l.msg === 'handshake refused' && l['peerNodeId'] === 4);
      expect(refusal, `node ${id}'s refusal of broker 4`).toMatchObject({
        level: 'warn',
        peerRole: 'broker',
        reason: `cluster id mismatch: the peer belongs to cluster ${brokerOtherId}, this node to cluster ${cluster.clusterId}`,
      });
    }
    // It registered nowhere, and the quorum is unchanged.
    expect((await quorumStatus(bootstrap12())).currentVoters.map((v) => v.id)).toEqual([1, 2, 3]);
    expect([1, 2, 3].every((id) => cluster.isRunning(id))).toBe(true);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// 6: bytes that are not the protocol, on a running controller's listener.

interface ProbeResult {
  readonly localPort: number;
  /** Frames the server sent before it closed. */
  readonly frames: unknown[];
  readonly error: string | null;
}

/**
 * Connects to `port`, writes `first`; if `afterWelcome` is given, writes it once the server's
 * welcome frame arrives. Resolves when the server has closed the connection (rejects if it has not
 * within `timeoutMs`, which is well above the server's 5 s handshake timeout).
 */
function probe(port: number, first: Buffer, afterWelcome?: Buffer, timeoutMs = 20_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    const decoder = new FrameDecoder(1024 * 1024);
    const frames: unknown[] = [];
    let localPort = 0;
    let error: string | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms (frames: ${JSON.stringify(frames)})`));
    }, timeoutMs);
    socket.on('connect', () => {
      localPort = socket.localPort!;
      socket.write(first);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of decoder.push(chunk)) {
          frames.push(f);
          if (afterWelcome !== undefined && (f as { t?: unknown }).t === 'welcome') socket.write(afterWelcome);
        }
      } catch (e) {
        error = `undecodable answer: ${(e as Error).message}`;
      }
    });
    socket.on('error', (e: Error & { code?: string }) => (error ??= e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      if (localPort === 0) reject(new Error(`could not connect to ${port}: ${error ?? 'closed'}`));
      else resolve({ localPort, frames, error });
    });
  });
}

const lengthPrefixed = (length: number, body: Buffer = Buffer.alloc(0)): Buffer => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(length, 0);
  return Buffer.concat([header, body]);
};
const hello = { t: 'hello', magic: 'metaquorum', v: PROTOCOL_VERSION, nodeId: -1, role: 'tool', clusterId: null };
/** A str8 of 16 bytes that holds 2: msgpack that ends too soon. */
const UNDECODABLE = Buffer.from([0xd9, 0x10, 0x61, 0x62]);

describe('malformed and oversized frames on a controller listener', () => {
  const exits: string[] = [];
  let tc: TestCluster;

  beforeAll(async () => {
    tc = await startTestCluster({ controllers: 3, brokers: 1, combined: false }, exits);
  }, 90_000);

  afterAll(async () => {
    await tc?.dispose();
  }, 60_000);

  it('each bad connection is closed with a warn line naming the reason; the node keeps serving writes and the quorum is unchanged', async () => {
    const { cluster } = tc;
    const bootstrap = cluster.bootstrapControllers();
    const before = await quorumStatus(bootstrap);
    const target = cluster.node(before.leaderId!);
    const port = target.controllerPort!;
    const warnFor = (localPort: number) =>
      until(`node ${target.id}'s warn line for 127.0.0.1:${localPort}`, 15_000, async () => {
        const lines = logLines(await readFile(target.logPath, 'utf8'));
        return lines.find((l) => l.level === 'warn' && l['remote'] === `${HOST}:${localPort}`);
      }, 100);
    const refusedReason = (r: ProbeResult): unknown => (r.frames[0] as { t?: string; reason?: unknown } | undefined)?.reason;

    // Random bytes: whatever their first four bytes say (a huge or small length, a TLS record
    // header), the handshake fails; at the latest, the 5 s handshake timeout closes it.
    const garbage = randomBytes(512);
    const g = await probe(port, garbage);
    const gWarn = await warnFor(g.localPort);
    expect(gWarn.msg, garbage.toString('hex')).toBe('handshake refused');
    expect(String(gWarn['reason'])).not.toBe('');

    // A 1 GiB length prefix: refused on the header, before any body is buffered.
    const big = await probe(port, lengthPrefixed(2 ** 30));
    const bigWarn = await warnFor(big.localPort);
    expect(bigWarn).toMatchObject({ msg: 'handshake refused', listener: 'CONTROLLER' });
    expect(bigWarn['reason']).toMatch(/^malformed frame: frame of 1073741824 bytes exceeds the bound of \d+ bytes$/);
    expect(big.frames).toEqual([{ t: 'refused', reason: bigWarn['reason'] }]);

    // A valid length around msgpack that cannot be decoded.
    const undecodable = await probe(port, lengthPrefixed(UNDECODABLE.length, UNDECODABLE));
    const uWarn = await warnFor(undecodable.localPort);
    expect(uWarn.msg).toBe('handshake refused');
    expect(uWarn['reason']).toMatch(/^malformed frame: undecodable payload of 4 bytes/);
    expect(undecodable.frames).toEqual([{ t: 'refused', reason: uWarn['reason'] }]);

    // A well-formed hello with the wrong magic.
    const magic = await probe(port, encodeFrame({ ...hello, magic: 'kafka' }));
    const mWarn = await warnFor(magic.localPort);
    expect(mWarn).toMatchObject({ msg: 'handshake refused', reason: 'malformed handshake: wrong magic "kafka"', peerRole: 'tool' });
    expect(refusedReason(magic)).toBe('malformed handshake: wrong magic "kafka"');

    // A good handshake, then a garbage frame; then a good handshake and a 1 GiB frame.
    const after = await probe(port, encodeFrame(hello), lengthPrefixed(UNDECODABLE.length, UNDECODABLE));
    expect(after.frames).toEqual([expect.objectContaining({ t: 'welcome', nodeId: target.id, clusterId: cluster.clusterId })]);
    const aWarn = await warnFor(after.localPort);
    expect(aWarn).toMatchObject({ msg: 'closing connection: malformed frame', peerNodeId: -1 });
    expect(aWarn['reason']).toMatch(/^undecodable payload of 4 bytes/);
    const afterBig = await probe(port, encodeFrame(hello), lengthPrefixed(2 ** 30));
    expect((afterBig.frames[0] as { t?: string }).t).toBe('welcome');
    const abWarn = await warnFor(afterBig.localPort);
    expect(abWarn).toMatchObject({ msg: 'closing connection: malformed frame' });
    expect(abWarn['reason']).toMatch(/^frame of 1073741824 bytes exceeds the bound/);

    // The node is alive and the cluster serves a write through it.
    expect(cluster.isRunning(target.id)).toBe(true);
    const create = await runCli(['topics', 'create', 'after-bad-frames', '--partitions', '1', '--replication-factor', '1', '--bootstrap-controller', bootstrap]);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('Created topic after-bad-frames');
    const listed = await runCli(['topics', 'list', '--json', '--bootstrap-server', cluster.bootstrapServers()]);
    expect(listed.code, listed.stderr).toBe(0);
    const after2 = await quorumStatus(bootstrap);
    expect(after2.currentVoters).toEqual(before.currentVoters);
    expect(after2.clusterId).toBe(before.clusterId);
    expect(exits).toEqual([]);
  }, 150_000);

  it('well-formed frames carrying malformed request bodies get an error answer; the active controller keeps serving', async () => {
    const { cluster } = tc;
    const bootstrap = cluster.bootstrapControllers();
    const leaderId = (await quorumStatus(bootstrap)).leaderId!;
    const client = new NetClient({
      endpoint: { host: HOST, port: cluster.node(leaderId).controllerPort! },
      self: { nodeId: -1, role: 'tool', clusterId: null },
      reconnect: false,
      logger: silentLogger,
    });
    client.connect();
    const bad: [string, unknown][] = [
      ['registerBroker', {}],
      ['registerBroker', [1, 2, 3]],
      ['brokerHeartbeat', { brokerId: 'x', brokerEpoch: null }],
      ['createTopics', { topics: 5 }],
      ['createTopics', { topics: [{ name: 7 }] }],
      ['alterPartition', { topics: [{ partitions: 'p' }] }],
      ['incrementalAlterConfigs', { resources: [{}] }],
      ['commitOffsets', null],
      ['describeTopics', { names: 'not-a-list' }],
      ['noSuchMethod', {}],
    ];
    try {
      for (const [method, body] of bad) {
        const outcome = await client.request(method, body, { timeoutMs: 10_000 }).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        // Either a refusal, or an answer whose per-item error says what is wrong: never a hang or a crash.
        if (outcome.ok) expect(JSON.stringify(outcome.r), method).toMatch(/errorCode|error/i);
        else expect(outcome.e, method).toBeInstanceOf(RemoteError);
      }
    } finally {
      await client.close();
    }
    expect(cluster.isRunning(leaderId)).toBe(true);
    expect((await quorumStatus(bootstrap)).leaderId).toBe(leaderId);
    const create = await runCli(['topics', 'create', 'after-bad-bodies', '--bootstrap-controller', bootstrap]);
    expect(create.code, create.stderr).toBe(0);
    const brokers = await runCli(['cluster', 'describe', '--json', '--bootstrap-controller', bootstrap]);
    expect(JSON.parse(brokers.stdout).brokers.map((b: { brokerId: number; fenced: boolean }) => [b.brokerId, b.fenced])).toEqual([[4, false]]);
    expect(exits).toEqual([]);
  }, 90_000);
});

// ---------------------------------------------------------------------------------------------
// 7: mutual TLS on the controller listener.

/** A one-voter controller, formatted and started, whose listener is SSL with ssl.client.auth=required (the server certificate of `pki`, which also serves as a client's). */
async function startSslController(name: string, extra: Props = {}): Promise<{ dir: string; pki: Pki; port: number; node: NodeProcess; clusterId: string }> {
  const dir = await nodeDir(name);
  const pki = makePki(await nodeDir(`${name}-pki`));
  const keystore = join(dir, 'server.keystore.pem');
  const truststore = join(dir, 'ca.pem');
  await writeFile(keystore, pki.serverKeyPem + pki.serverCertPem);
  await writeFile(truststore, pki.caPem);
  const port = await freePort();
  const config = await writeConfig(dir, {
    ...controllerProps(dir, port),
    'listener.security.protocol.map': 'CONTROLLER:SSL',
    'listener.name.controller.ssl.keystore.location': keystore,
    'listener.name.controller.ssl.truststore.location': truststore,
    'listener.name.controller.ssl.client.auth': 'required',
    ...extra,
  });
  const clusterId = randomClusterId();
  await format(config, clusterId);
  const node = startNode(config);
  await until('the SSL listener', 30_000, () => {
    if (node.child.exitCode !== null) throw new Error(`node exited ${node.child.exitCode}: ${node.stderr()}`);
    return node.log().find((l) => l.msg === 'listening' && l['securityProtocol'] === 'SSL');
  }, 100);
  return { dir, pki, port, node, clusterId };
}

/**
 * Registers, in the enclosing describe, a controller started by startSslController (stopped cleanly
 * after, exit 0) and `client`, which opens connections to it (closed after).
 */
function useSslController(name: string, extra: Props = {}) {
  const started = {} as Awaited<ReturnType<typeof startSslController>>;
  const clients: NetClient[] = [];
  beforeAll(async () => {
    Object.assign(started, await startSslController(name, extra));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    if (started.node !== undefined) {
      const exit = await stopNode(started.node);
      expect(exit, started.node.stderr()).toEqual({ code: 0, signal: null });
    }
  }, 30_000);
  const client = (tls: TlsMaterial, self: PeerIdentity = TOOL): NetClient => {
    const c = new NetClient({ endpoint: { host: HOST, port: started.port }, self, expect: { nodeId: 1 }, tls, reconnect: false, logger: silentLogger });
    clients.push(c);
    return c;
  };
  return { started, client };
}

describe('a controller listener with ssl.client.auth=required', () => {
  const { started: c, client } = useSslController('tls');
  const goodTls = (): TlsMaterial => ({ caPem: c.pki.caPem, certPem: c.pki.clientCertPem, keyPem: c.pki.clientKeyPem, verifyHostname: true });
  const tlsRefusals = () => c.node.log().filter((l) => l.level === 'warn' && l.msg === 'handshake refused: TLS error');

  it('a client with a certificate of the trusted CA is served', async () => {
    const info = await client(goodTls()).request<DescribeNodeResponse>('describeNode', {});
    expect(info).toMatchObject({ clusterId: c.clusterId, nodeId: 1, roles: ['controller'] });
    expect(tlsRefusals()).toEqual([]);
  });

  it('clients without a certificate, or with one of another CA, are refused and logged; the good client is still served', async () => {
    const good = client(goodTls());
    await expect(good.request('describeNode', {})).resolves.toMatchObject({ nodeId: 1 });

    const attempts: { name: string; tls: TlsMaterial; reason: RegExp }[] = [
      { name: 'no certificate', tls: { caPem: c.pki.caPem, verifyHostname: true }, reason: /certificate/i },
      {
        name: 'a certificate of another CA',
        tls: { caPem: c.pki.caPem, certPem: c.pki.otherClientCertPem, keyPem: c.pki.otherClientKeyPem, verifyHostname: true },
        reason: /client certificate rejected|unknown ca|unable to get (local )?issuer/i,
      },
    ];
    for (const a of attempts) {
      const seen = tlsRefusals().length;
      const error = await client(a.tls).request('describeNode', {}, { timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect(error instanceof ConnectionError || error instanceof HandshakeRefusedError, `${a.name}: ${String(error)}`).toBe(true);
      const line = await until(`the node to log the refusal of ${a.name}`, 15_000, () => tlsRefusals()[seen], 50);
      expect(String(line['reason']), a.name).toMatch(a.reason);
      expect(line['remote']).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(line['listener']).toBe('CONTROLLER');
    }

    // Still serving: the connection opened before, and a new one.
    await expect(good.request('describeNode', {})).resolves.toMatchObject({ nodeId: 1, clusterId: c.clusterId });
    await expect(client(goodTls()).request('describeNode', {})).resolves.toMatchObject({ nodeId: 1 });
    expect(c.node.child.exitCode).toBeNull();
  });

  it('the CLI with --command-config (security.protocol=SSL, a client certificate) reaches the SSL listener', async () => {
    const clientDir = await nodeDir('tls-client');
    const keystore = join(clientDir, 'client.pem');
    const truststore = join(clientDir, 'ca.pem');
    await writeFile(keystore, c.pki.clientKeyPem + c.pki.clientCertPem);
    await writeFile(truststore, c.pki.caPem);
    const props = join(clientDir, 'client.properties');
    await writeFile(props, `security.protocol=SSL\nssl.keystore.location=${keystore}\nssl.truststore.location=${truststore}\n`);
    const r = await runCli(['quorum', 'describe', '--status', '--json', '--bootstrap-controller', `${HOST}:${c.port}`, '--command-config', props, '--timeout', '10000']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ leaderId: 1 });
    // Without the client certificate the same command is refused.
    const noCert = join(clientDir, 'no-cert.properties');
    await writeFile(noCert, `security.protocol=SSL\nssl.truststore.location=${truststore}\n`);
    const refused = await runCli(['quorum', 'describe', '--status', '--bootstrap-controller', `${HOST}:${c.port}`, '--command-config', noCert, '--timeout', '5000']);
    expect(refused.code).toBe(1);
    expectNoStack(refused);
  });

  it('the CLI without TLS settings fails with exit 1 and a hint that the listener may be SSL', async () => {
    const r = await runCli(['quorum', 'describe', '--status', '--bootstrap-controller', `${HOST}:${c.port}`, '--timeout', '5000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${HOST}:${c.port}`);
    expect(r.stderr).toMatch(/SSL|TLS/);
    expectNoStack(r);
    expect(c.node.child.exitCode).toBeNull();
  });
});

describe('a controller with the authorizer on, peers named by their certificates', () => {
  // The server certificate (CN=server) is the super user; the client certificate (CN=client) has only what ACLs give it.
  const { started: c, client: connect } = useSslController('authz', { 'authorizer.class.name': STANDARD_AUTHORIZER_CLASS, 'super.users': 'User:CN=server' });
  const client = (as: 'server' | 'client', self: PeerIdentity = TOOL): NetClient =>
    connect(
      as === 'server'
        ? { caPem: c.pki.caPem, certPem: c.pki.serverCertPem, keyPem: c.pki.serverKeyPem, verifyHostname: true }
        : { caPem: c.pki.caPem, certPem: c.pki.clientCertPem, keyPem: c.pki.clientKeyPem, verifyHostname: true },
      self,
    );
  const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof RemoteError ? `${e.errorName}: ${e.message}` : String(e)));

  it('a principal without ACLs is refused what it needs ACLs for, and answered describeNode; the super user is answered', async () => {
    // Only the active controller judges by ACLs (a controller still electing itself answers
    // NOT_CONTROLLER: CI saw it on a loaded machine): wait until the super user is answered.
    await until('the controller is active', 20_000, async () => ((await outcome(client('server').request('describeQuorum', {}))) === 'ok' ? true : undefined));
    const alice = client('client');
    expect(await outcome(alice.request('describeQuorum', {}))).toBe(
      'CLUSTER_AUTHORIZATION_FAILED: User:CN=client (from 127.0.0.1) may not describeQuorum: it needs DESCRIBE on the cluster (an ACL, or super.users)',
    );
    expect(await outcome(alice.request('createTopics', { topics: [{ name: 'authz-t', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false }))).toMatch(
      /^TOPIC_AUTHORIZATION_FAILED: .* needs CREATE on topic 'authz-t'/,
    );
    await expect(alice.request('describeNode', {})).resolves.toMatchObject({ nodeId: 1 });
    await expect(client('server').request('describeQuorum', {})).resolves.toMatchObject({ leaderId: 1 });
  });

  it('an ACL the super user grants lets the principal in, and only as far as it grants', async () => {
    const grant = { resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:CN=client', host: '127.0.0.1', operation: 'DESCRIBE', permissionType: 'ALLOW' };
    const created = await client('server').request<{ results: { errorCode: number }[] }>('createAcls', { creations: [grant] });
    expect(created.results).toEqual([expect.objectContaining({ errorCode: 0 })]);
    const alice = client('client');
    await expect(alice.request('describeQuorum', {})).resolves.toMatchObject({ leaderId: 1 });
    // DESCRIBE on the cluster does not give ALTER (creating ACLs for itself).
    expect(await outcome(alice.request('createAcls', { creations: [{ ...grant, operation: 'ALL' }] }))).toMatch(/^CLUSTER_AUTHORIZATION_FAILED: .* needs ALTER on the cluster/);
  });

  it('Raft traffic from a principal without CLUSTER_ACTION is refused, logged once and its connection closed; the node keeps serving', async () => {
    const intruder = client('client', { nodeId: 9, role: 'broker', clusterId: c.clusterId });
    await intruder.request('describeNode', {}); // connected
    expect(intruder.send({ raft: { from: 9, to: 1, body: { kind: 'Fetch' } } })).toBe(true);
    const line = await until('the refusal to be logged', 15_000, () => c.node.log().find((l) => typeof l.msg === 'string' && l.msg.startsWith('refused: User:CN=client may not send Raft traffic')), 50);
    expect(line['level']).toBe('warn');
    await until('the connection to close', 15_000, () => (intruder.send({ raft: {} }) ? undefined : true), 50);
    await expect(client('server').request('describeQuorum', {})).resolves.toMatchObject({ leaderId: 1 });
    expect(c.node.child.exitCode).toBeNull();
  });
});

describe('the authorizer on a controller whose controller listener names nobody', () => {
  it('start exits 2, saying to use mutual TLS or make User:ANONYMOUS a super user', async () => {
    const dir = await nodeDir('authz-plaintext');
    const port = await freePort();
    const config = await writeConfig(dir, controllerProps(dir, port));
    await format(config, randomClusterId());
    const authorizer = ['--override', `authorizer.class.name=${STANDARD_AUTHORIZER_CLASS}`];
    const r = await runCli(['start', '--config', config, ...authorizer]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('authorizer.class.name');
    expect(r.stderr).toContain('on controller listener CONTROLLER (PLAINTEXT) every voter and broker is User:ANONYMOUS');
    expect(r.stderr).toMatch(/ssl\.client\.auth=required.*add User:ANONYMOUS to super\.users/);
    expectNoStack(r);
    // With User:ANONYMOUS a super user, the same node starts.
    const allowed = startNode(config, [...authorizer, '--override', 'super.users=User:ANONYMOUS']);
    await until('the listener', 30_000, () => {
      if (allowed.child.exitCode !== null) throw new Error(`node exited ${allowed.child.exitCode}: ${allowed.stderr()}`);
      return allowed.log().find((l) => l.msg === 'listening');
    }, 100);
    expect(await stopNode(allowed)).toEqual({ code: 0, signal: null });
  }, 60_000);
});
