// A local Apache ZooKeeper for tests and benchmarks (test/e2e, bench:migrate): a real Apache ZooKeeper (Debian's `zookeeper` package, 3.8), standalone or as a
// 3-node ensemble, started as child processes on free 127.0.0.1 ports with our own zoo.cfg and
// dataDir in a temporary directory: never the system service, never /etc/zookeeper's config.
//
//   const zk = await startZooKeeper({ ensemble: 3 });
//   ... zk.connectString ("127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"), zk.servers[i].pid ...
//   await zk.kill(1);     // SIGKILL servers[1] (myid 2) and wait for its exit
//   await zk.restart(1);  // start it again on the same ports and dataDir
//   zk.pause(0); zk.resume(0);  // SIGSTOP / SIGCONT servers[0] (a hung server)
//   await zk.stop();      // stop every server by pid, remove the temporary directory
//
// No java process is left behind: each server is exec'd through `setpriv --pdeathsig SIGKILL`, so
// the kernel kills it when the test worker that spawned it dies for whatever reason (crash,
// SIGKILL, vitest tearing the worker down), and a process 'exit' hook SIGKILLs whatever is still
// running (and removes its directories) when the worker exits normally. The directory of a worker
// that was killed outright is removed by the next startZooKeeper (each records its owner's pid).
// Tests should still call stop() in afterAll.
//
// Start-up on a 2-core VM: a standalone server serves after 0.3–0.5 s, a 3-node ensemble has
// elected a leader and serves after 1.0–1.9 s; stop() takes about 0.3 s (SIGTERM).
//
// The command line for one server (what startZooKeeper runs):
//   setpriv --pdeathsig SIGKILL -- java -Xms32m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
//     -Djava.net.preferIPv4Stack=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
//     -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
//     org.apache.zookeeper.server.quorum.QuorumPeerMain <dir>/zk<myid>/zoo.cfg

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { reservablePort } from '../server/free-port.js';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const HOST = '127.0.0.1';

export interface ZooKeeperServer {
  /** ZooKeeper's server id (myid): 1 for a standalone server, 1..3 in an ensemble. */
  readonly myid: number;
  readonly clientPort: number;
  /** Quorum (follower → leader) and leader-election ports; undefined for a standalone server. */
  readonly peerPort: number | undefined;
  readonly electionPort: number | undefined;
  /** The java process id while running; undefined once killed or stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** This server's directory (zoo.cfg, data/, server.log). */
  readonly dir: string;
  /** `127.0.0.1:<clientPort>` */
  readonly address: string;
}

export interface ZooKeeperCluster {
  /** Every server: `127.0.0.1:p1[,127.0.0.1:p2,…]`, no chroot. */
  readonly connectString: string;
  readonly servers: readonly ZooKeeperServer[];
  /** The temporary directory holding every server's config, data and log. */
  readonly dir: string;
  /** Milliseconds from spawning the JVMs until every server answered `srvr` as serving. */
  readonly startupMs: number;
  /** `connectString` with a chroot appended once after the last host (`/kafka`), or without. */
  connectStringWith(chroot?: string): string;
  /** SIGKILLs servers[i] (0-based index into `servers`; its myid is i+1) and waits for it to exit. */
  kill(i: number): Promise<void>;
  /** SIGSTOPs servers[i]: a hung server (a long GC pause, a frozen VM) whose sockets stay open. */
  pause(i: number): void;
  /** SIGCONTs servers[i]. */
  resume(i: number): void;
  /** Starts servers[i] again (same ports, config and dataDir) and waits until it serves. */
  restart(i: number, timeoutMs?: number): Promise<void>;
  /** Sends a four-letter-word command (srvr, mntr, cons, …) to servers[i] and returns the reply. */
  fourLetter(i: number, command: string, timeoutMs?: number): Promise<string>;
  /** `leader`, `follower` or `standalone` (undefined when not serving). */
  mode(i: number): Promise<string | undefined>;
  /**
   * Waits until every running server reports the same last zxid, so that a client on any of them
   * sees what was just written through another (followers apply commits asynchronously).
   */
  waitForSync(timeoutMs?: number): Promise<void>;
  /** The tail of servers[i]'s log (stderr/stdout of the JVM). */
  logTail(i: number, lines?: number): string;
  /** Stops every server (SIGTERM, then SIGKILL after a grace period), removes the temporary directory. */
  stop(): Promise<void>;
}

export interface StartZooKeeperOptions {
  readonly ensemble?: 1 | 3;
  /** ZooKeeper's tick; the session timeouts it allows are 2..20 ticks. Default 500 ms. */
  readonly tickTimeMs?: number;
  /** fsync the transaction log (ZooKeeper's default). Off by default: these are throwaway test servers. */
  readonly forceSync?: boolean;
  /** Default 60 s (the JVMs take 1–2 s; a loaded CI machine can take much longer). */
  readonly startTimeoutMs?: number;
  readonly maxHeapMb?: number;
  /** -Xms; default 32 MB (a test server grows as it needs). */
  readonly minHeapMb?: number;
  /** JVM flags besides the heap size (default DEFAULT_JVM_FLAGS). */
  readonly jvmFlags?: readonly string[];
  /** Extra zoo.cfg lines (key → value). */
  readonly config?: Readonly<Record<string, string>>;
}

export const DEFAULT_JVM_FLAGS: readonly string[] = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

// ---------------------------------------------------------------------------------------------
// Locating Java and ZooKeeper

interface Installation {
  readonly java: string;
  readonly classpath: string;
  /** Wraps the command so the kernel kills it when its parent dies (setpriv), or nothing. */
  readonly prefix: readonly string[];
}

let installation: Installation | undefined;

const INSTALL_HINT = 'install Debian\'s package (`apt-get install -y zookeeper`; .ci/run does this) or set ZOOKEEPER_CLASSPATH';

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function findJava(): string {
  const home = process.env['JAVA_HOME'];
  if (home !== undefined && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  const java = onPath('java') ?? (existsSync('/usr/bin/java') ? '/usr/bin/java' : undefined);
  if (java === undefined) throw new Error('ZooKeeper tests need Java: no java on PATH or in JAVA_HOME (the Debian zookeeper package pulls in default-jre)');
  return java;
}

/** Jars of a tarball-style installation ($ZOOKEEPER_HOME/lib/*.jar plus the server jar). */
function tarballJars(home: string): string[] {
  const jars: string[] = [];
  for (const dir of [home, join(home, 'lib')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.jar')) jars.push(join(dir, f));
  }
  return jars;
}

/**
 * The classpath, in order of preference:
 *   1. $ZOOKEEPER_CLASSPATH, verbatim;
 *   2. $ZOOKEEPER_HOME (an Apache tarball: lib/*.jar);
 *   3. Debian's /usr/share/java/zookeeper.jar, whose manifest Class-Path names its dependencies
 *      (netty, jackson, slf4j-api, …, all in /usr/share/java), plus slf4j-simple as the logging
 *      binding so that warnings reach the server log (without one, slf4j falls back to NOP);
 *   4. the jars of a /usr/share/zookeeper tarball layout, if a packager used one.
 */
function findClasspath(): string {
  const explicit = process.env['ZOOKEEPER_CLASSPATH'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const home = process.env['ZOOKEEPER_HOME'];
  if (home !== undefined && home !== '') {
    const jars = tarballJars(home);
    if (jars.some((j) => /zookeeper-\d.*\.jar$/.test(j))) return jars.join(':');
    throw new Error(`ZOOKEEPER_HOME=${home} holds no zookeeper-<version>.jar`);
  }
  const debian = '/usr/share/java/zookeeper.jar';
  if (existsSync(debian)) {
    const logging = ['/usr/share/java/slf4j-simple.jar'].filter((j) => existsSync(j));
    return [debian, ...logging].join(':');
  }
  const jars = tarballJars('/usr/share/zookeeper');
  if (jars.some((j) => /zookeeper-\d.*\.jar$/.test(j))) return jars.join(':');
  throw new Error(`ZooKeeper is not installed: no ${debian}; ${INSTALL_HINT}`);
}

function locate(): Installation {
  if (installation !== undefined) return installation;
  const java = findJava();
  const classpath = findClasspath();
  const setpriv = onPath('setpriv') ?? (existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined);
  installation = { java, classpath, prefix: setpriv === undefined ? [] : [setpriv, '--pdeathsig', 'SIGKILL', '--'] };
  return installation;
}

// ---------------------------------------------------------------------------------------------
// Never leave a JVM behind

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Runs synchronously when the worker exits (normally or via process.exit): a test that failed
  // before its afterAll, or forgot stop(), still leaves no java process and no directory behind.
  process.once('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const d of liveDirs) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        /* a dying JVM may still be writing; nothing more to do */
      }
    }
  });
}

const DIR_PREFIX = 'metaquorum-zk-';

/**
 * Removes the directories of earlier runs whose owning test process is gone. (A worker killed
 * outright runs no exit hook: its JVMs die with it, through the parent-death signal, but its
 * directory stays.) Directories of live processes, e.g. a concurrent test run, are left alone.
 */
function sweepAbandonedDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = join(tmpdir(), e);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8').trim());
    } catch {
      continue; // being created right now, or not ours
    }
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid) continue;
    try {
      process.kill(owner, 0);
      continue; // alive
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function track(child: ChildProcess): void {
  installExitHook();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

// ---------------------------------------------------------------------------------------------

/** A free port that stays usable across restarts (free-port.ts). */
function freePort(): Promise<number> {
  return reservablePort(HOST);
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Sends a four-letter word and resolves with the reply ('' if the server closed without one). */
export function fourLetterWord(port: number, command: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to '${command}' from ${HOST}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(command));
    socket.on('data', (d: string) => (reply += d));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

function parseMode(srvr: string): string | undefined {
  return /^Mode: (\w+)/m.exec(srvr)?.[1];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface ServerState {
  readonly myid: number;
  readonly clientPort: number;
  readonly peerPort: number | undefined;
  readonly electionPort: number | undefined;
  readonly dir: string;
  child: ChildProcess | undefined;
  exited: Promise<void> | undefined;
  exitNote: string | undefined;
}

function zooCfg(s: ServerState, all: readonly ServerState[], o: StartZooKeeperOptions): string {
  const lines: Record<string, string> = {
    tickTime: String(o.tickTimeMs ?? 500),
    initLimit: '20',
    syncLimit: '10',
    dataDir: join(s.dir, 'data'),
    clientPort: String(s.clientPort),
    clientPortAddress: HOST,
    maxClientCnxns: '0',
    // No Jetty admin server (it would take port 8080), every four-letter word allowed.
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    forceSync: o.forceSync === true ? 'yes' : 'no',
    // The transaction log is preallocated in 64 MiB steps by default; 4 MiB is plenty here.
    preAllocSize: '4096',
    'autopurge.purgeInterval': '0',
  };
  if (all.length > 1) {
    for (const p of all) lines[`server.${p.myid}`] = `${HOST}:${p.peerPort}:${p.electionPort}`;
    // Election connections to peers that are not up yet fail fast on loopback; keep retries short.
    lines['cnxTimeout'] = '1000';
  }
  Object.assign(lines, o.config ?? {});
  return Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

function spawnServer(s: ServerState, o: StartZooKeeperOptions): void {
  const inst = locate();
  const logPath = join(s.dir, 'server.log');
  const fd = openSync(logPath, 'a');
  const args = [
    ...inst.prefix.slice(1),
    inst.java,
    `-Xms${o.minHeapMb ?? 32}m`,
    `-Xmx${o.maxHeapMb ?? 512}m`,
    ...(o.jvmFlags ?? DEFAULT_JVM_FLAGS),
    '-Djava.net.preferIPv4Stack=true',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-cp',
    inst.classpath,
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    join(s.dir, 'zoo.cfg'),
  ];
  const command = inst.prefix[0] ?? args.shift()!;
  const child = spawn(command, args, { cwd: s.dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  track(child);
  s.child = child;
  s.exitNote = undefined;
  s.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      s.exitNote = `exited with ${signal ?? `code ${code}`}`;
      if (s.child === child) s.child = undefined;
      resolve();
    });
    child.once('error', (e) => {
      s.exitNote = `could not be started: ${e.message}`;
      if (s.child === child) s.child = undefined;
      resolve();
    });
  });
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until `s` answers srvr with a Mode (it answers "not currently serving requests" before). */
async function waitServing(s: ServerState, deadline: number): Promise<void> {
  for (;;) {
    if (s.child === undefined) {
      throw new Error(`ZooKeeper server ${s.myid} ${s.exitNote ?? 'is not running'}; log:\n${tail(join(s.dir, 'server.log'), 30)}`);
    }
    try {
      if (parseMode(await fourLetterWord(s.clientPort, 'srvr', 1_000)) !== undefined) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`ZooKeeper server ${s.myid} (${HOST}:${s.clientPort}) did not start serving in time; log:\n${tail(join(s.dir, 'server.log'), 30)}`);
    await sleep(25);
  }
}

async function stopServer(s: ServerState, graceMs: number): Promise<void> {
  const child = s.child;
  if (child === undefined || s.exited === undefined) return;
  if (graceMs > 0) child.kill('SIGCONT'); // a paused JVM cannot act on SIGTERM
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  if (graceMs > 0) {
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([s.exited.then(() => 'exited' as const), timer])) === 'timeout') child.kill('SIGKILL');
  }
  await s.exited;
}

function looksLikePortClash(log: string): boolean {
  return /Address already in use|BindException/.test(log);
}

/** Why ZooKeeper cannot be started here (with how to install it), or undefined when it can. */
export function zooKeeperProblem(): string | undefined {
  try {
    locate();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export async function startZooKeeper(options: StartZooKeeperOptions = {}): Promise<ZooKeeperCluster> {
  locate(); // fail before creating anything when ZooKeeper or Java is missing
  const n = options.ensemble ?? 1;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  // Free ports are only free when probed: another test may take one before the JVM binds it.
  // A bind failure shows in the log; retry the whole start with fresh ports.
  for (let attempt = 1; ; attempt++) {
    sweepAbandonedDirs();
    const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
    installExitHook();
    liveDirs.add(dir);
    writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);
    const ports = await distinctFreePorts(n === 1 ? 1 : 3 * n);
    const servers: ServerState[] = [];
    for (let i = 0; i < n; i++) {
      const sdir = join(dir, `zk${i + 1}`);
      servers.push({
        myid: i + 1,
        clientPort: ports[i]!,
        peerPort: n === 1 ? undefined : ports[n + i]!,
        electionPort: n === 1 ? undefined : ports[2 * n + i]!,
        dir: sdir,
        child: undefined,
        exited: undefined,
        exitNote: undefined,
      });
    }
    for (const s of servers) {
      mkdirSync(join(s.dir, 'data'), { recursive: true });
      if (n > 1) writeFileSync(join(s.dir, 'data', 'myid'), `${s.myid}\n`);
      writeFileSync(join(s.dir, 'zoo.cfg'), zooCfg(s, servers, options));
    }
    const t0 = performance.now();
    try {
      for (const s of servers) spawnServer(s, options);
      const deadline = Date.now() + startTimeoutMs;
      await Promise.all(servers.map((s) => waitServing(s, deadline)));
    } catch (e) {
      await Promise.all(servers.map((s) => stopServer(s, 0)));
      const clash = servers.some((s) => looksLikePortClash(tail(join(s.dir, 'server.log'), 200)));
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
      if (clash && attempt < 3) continue;
      throw e;
    }
    return makeCluster(dir, servers, options, Math.round(performance.now() - t0));
  }
}

function makeCluster(dir: string, states: ServerState[], options: StartZooKeeperOptions, startupMs: number): ZooKeeperCluster {
  const state = (i: number): ServerState => {
    const s = states[i];
    if (s === undefined) throw new Error(`no ZooKeeper server at index ${i} (there are ${states.length}; kill/restart take a 0-based index)`);
    return s;
  };
  const view = (s: ServerState): ZooKeeperServer => ({
    myid: s.myid,
    clientPort: s.clientPort,
    peerPort: s.peerPort,
    electionPort: s.electionPort,
    get pid() {
      return s.child?.pid;
    },
    get running() {
      return s.child !== undefined;
    },
    dir: s.dir,
    address: `${HOST}:${s.clientPort}`,
  });
  const servers = states.map(view);
  const connectString = servers.map((s) => s.address).join(',');
  let stopped = false;
  return {
    connectString,
    servers,
    dir,
    startupMs,
    connectStringWith(chroot?: string) {
      return chroot === undefined || chroot === '' ? connectString : `${connectString}${chroot}`;
    },
    async kill(i) {
      await stopServer(state(i), 0);
    },
    pause(i) {
      state(i).child?.kill('SIGSTOP');
    },
    resume(i) {
      state(i).child?.kill('SIGCONT');
    },
    async restart(i, timeoutMs = 60_000) {
      const s = state(i);
      if (s.child !== undefined) throw new Error(`ZooKeeper server ${s.myid} is still running`);
      spawnServer(s, options);
      await waitServing(s, Date.now() + timeoutMs);
    },
    fourLetter(i, command, timeoutMs) {
      return fourLetterWord(state(i).clientPort, command, timeoutMs);
    },
    async mode(i) {
      try {
        return parseMode(await fourLetterWord(state(i).clientPort, 'srvr', 1_000));
      } catch {
        return undefined;
      }
    },
    async waitForSync(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const zxids = await Promise.all(
          states.filter((s) => s.child !== undefined).map(async (s) => /^Zxid: (\S+)/m.exec(await fourLetterWord(s.clientPort, 'srvr', 1_000).catch(() => ''))?.[1]),
        );
        if (zxids.every((z) => z !== undefined && z === zxids[0])) return;
        if (Date.now() > deadline) throw new Error(`ZooKeeper servers did not converge on one zxid within ${timeoutMs} ms: ${zxids.join(', ')}`);
        await sleep(20);
      }
    },
    logTail(i, lines = 40) {
      return tail(join(state(i).dir, 'server.log'), lines);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(states.map((s) => stopServer(s, 3_000)));
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}
