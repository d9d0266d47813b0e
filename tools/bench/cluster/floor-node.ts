// One process of bench:cluster's machine floor (./floor-run.ts): the cluster bench's shape (a
// leader, 2 followers, 3 observers or none (combined mode), a load generator with 64 outstanding
// writes, all on loopback TCP) passing the same kind of bytes with the same fsyncs, and none of the logic: no Raft, no
// controller, no msgpack. What it reaches on the machine at that moment is the ceiling any
// implementation of this shape in Node.js could hope for there, which tells the machine's phase
// apart from the code's cost (the same code's figures swing several-fold within a day).
//
// Roles (argv[2]):
//   leader <dir> <peers>  listens on two ephemeral ports (clients, peers) and prints one line
//                         {"clientPort":…,"peerPort":…}; prints "ready" once <peers> said hello.
//                         Group commit, one batch in flight: the requests that arrived meanwhile
//                         are concatenated into one batch, sent to every peer, written and
//                         fdatasync'ed (sent before its own flush, as the real leader does); once
//                         flushed and acknowledged by one follower (a majority of 3) every request
//                         of the batch is answered, in one socket write.
//   follower <port> <dir> says hello 'F'; writes and fdatasyncs each batch, then acknowledges it.
//   observer <port>       says hello 'O'; reads each batch and acknowledges it (a fetch).
//   client <port> <outstanding> <warmupMs> <seconds> <recordBytes>
//                         keeps <outstanding> requests in flight; prints "start" when the timed
//                         window opens and {"writes":…,"seconds":…,"roundTripMs":{"p50":…,"p99":…}}
//                         when it closes, then waits to be stopped (the runner reads its CPU time
//                         first). At 1 outstanding the round trip is the floor of single-writer
//                         commit latency.
// Any process that loses a connection exits (1 for the leader and the load generator).
//
// Frames: a 4-byte big-endian length, then the bytes. A batch is a 4-byte sequence number and
// the requests' bytes; an acknowledgement is the sequence number.

import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';

const HOST = '127.0.0.1';

function frame(body: Buffer): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Calls `onFrame` with each whole frame that arrives on `socket`, then `afterChunk` once per read. */
function onFrames(socket: Socket, onFrame: (body: Buffer) => void, afterChunk?: () => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const length = pending.readUInt32BE(at);
      if (pending.length - at - 4 < length) break;
      onFrame(pending.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    pending = pending.subarray(at);
    afterChunk?.();
  });
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(seq, 0);
  return b;
}

function leader(dir: string, expectedPeers: number): void {
  const fd = openSync(join(dir, 'leader.log'), 'w');
  const followers: Socket[] = [];
  const peers: Socket[] = [];
  let client: Socket | null = null;
  let queued: Buffer[] = [];
  let inFlight: { seq: number; count: number; flushed: boolean; acked: boolean } | null = null;
  let seq = 0;
  let scheduled = false;
  const answer = Buffer.alloc(8);

  const maybeCommit = () => {
    if (inFlight === null || !inFlight.flushed || !inFlight.acked) return;
    const answers: Buffer[] = [];
    for (let i = 0; i < inFlight.count; i++) answers.push(frame(answer));
    client?.write(Buffer.concat(answers));
    inFlight = null;
    schedule();
  };
  const sendBatch = () => {
    scheduled = false;
    if (inFlight !== null || queued.length === 0) return;
    seq++;
    const batch = frame(Buffer.concat([seqBytes(seq), ...queued]));
    inFlight = { seq, count: queued.length, flushed: false, acked: false };
    queued = [];
    for (const p of peers) p.write(batch);
    writeSync(fd, batch);
    fdatasyncSync(fd);
    inFlight.flushed = true;
    maybeCommit();
  };
  // After the I/O already waiting is read, so that a burst of requests shares one batch.
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(sendBatch);
  }

  // A peer gone is the end of the run: say so and stop (the runner fails it).
  const lost = (what: string) => (e?: Error) => {
    process.stderr.write(`floor leader: lost ${what}${e === undefined ? '' : `: ${e.message}`}\n`);
    process.exit(1);
  };
  const peerServer = createServer((s) => {
    s.setNoDelay(true);
    s.on('error', lost('a peer'));
    s.on('close', () => lost('a peer')());
    let hello = true;
    onFrames(s, (body) => {
      if (hello) {
        hello = false;
        peers.push(s);
        if (body.toString() === 'F') followers.push(s);
        if (peers.length === expectedPeers) process.stdout.write('ready\n');
        return;
      }
      if (followers.includes(s) && inFlight !== null && body.readUInt32BE(0) === inFlight.seq) {
        inFlight.acked = true;
        maybeCommit();
      }
    });
  });
  const clientServer = createServer((s) => {
    s.setNoDelay(true);
    // The load generator ends the run by closing its connection: its own exit tells the runner
    // whether that was early, so the leader only keeps the error from crashing it.
    s.on('error', () => undefined);
    client = s;
    onFrames(s, (body) => {
      queued.push(Buffer.from(body));
      schedule();
    });
  });
  let listening = 0;
  const announce = () => {
    if (++listening < 2) return;
    const port = (srv: typeof peerServer) => (srv.address() as { port: number }).port;
    process.stdout.write(`${JSON.stringify({ clientPort: port(clientServer), peerPort: port(peerServer) })}\n`);
  };
  peerServer.listen(0, HOST, announce);
  clientServer.listen(0, HOST, announce);
  process.on('SIGTERM', () => {
    closeSync(fd);
    process.exit(0);
  });
}

function peer(port: number, kind: 'F' | 'O', dir: string | undefined): void {
  const fd = dir === undefined ? null : openSync(join(dir, `follower-${process.pid}.log`), 'w');
  const s = createConnection(port, HOST, () => {
    s.setNoDelay(true);
    s.write(frame(Buffer.from(kind)));
  });
  onFrames(s, (body) => {
    if (fd !== null) {
      writeSync(fd, body);
      fdatasyncSync(fd);
    }
    s.write(frame(body.subarray(0, 4)));
  });
  s.on('error', () => process.exit(0));
  s.on('close', () => process.exit(0));
}

function loadGenerator(port: number, outstanding: number, warmupMs: number, seconds: number, recordBytes: number): void {
  const request = frame(Buffer.alloc(recordBytes, 0x61));
  let answered = 0;
  let startCount = 0;
  // Answers come back in the order of the requests (one connection, FIFO): the send time of each
  // request waits in this queue for its answer. Round trips are kept for the timed window only.
  const sentAt: number[] = [];
  let oldest = 0;
  let timing = false;
  const roundTrips: number[] = [];
  const send = (n: number) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) sentAt.push(t);
    s.write(n === 1 ? request : Buffer.concat(Array.from({ length: n }, () => request)));
  };
  const s = createConnection(port, HOST, () => {
    s.setNoDelay(true);
    send(outstanding);
  });
  // The answers that arrived in one read are replaced by new requests in one write, as a
  // pipelining client does.
  let due = 0;
  onFrames(
    s,
    () => {
      const t = sentAt[oldest++]!;
      if (timing) roundTrips.push(performance.now() - t);
      answered++;
      due++;
    },
    () => {
      if (oldest > 4096) {
        sentAt.splice(0, oldest);
        oldest = 0;
      }
      if (due === 0) return;
      send(due);
      due = 0;
    },
  );
  let finished = false;
  setTimeout(() => {
    startCount = answered;
    timing = true;
    process.stdout.write('start\n');
    setTimeout(() => {
      finished = true;
      timing = false;
      roundTrips.sort((a, b) => a - b);
      const at = (q: number) => roundTrips[Math.min(roundTrips.length - 1, Math.floor(q * roundTrips.length))] ?? NaN;
      process.stdout.write(`${JSON.stringify({ writes: answered - startCount, seconds, roundTripMs: { p50: at(0.5), p99: at(0.99) } })}\n`);
      s.destroy();
      // Stays until the runner, which reads its CPU time first, stops it; not forever if it does not.
      setTimeout(() => process.exit(0), 30_000);
    }, seconds * 1000);
  }, warmupMs);
  const fail = (why: string) => {
    if (finished) return;
    process.stderr.write(`floor load generator: ${why}\n`);
    process.exit(1);
  };
  s.on('error', (e) => fail(e.message));
  s.on('close', () => fail('the leader closed the connection'));
}

const [role, ...rest] = process.argv.slice(2);
const num = (i: number) => Number(rest[i]);
if (role === 'leader') leader(rest[0]!, num(1));
else if (role === 'follower') peer(num(0), 'F', rest[1]!);
else if (role === 'observer') peer(num(0), 'O', undefined);
else if (role === 'client') loadGenerator(num(0), num(1), num(2), num(3), num(4));
else {
  process.stderr.write('usage: floor-node leader <dir> <peers> | follower <port> <dir> | observer <port> | client <port> <outstanding> <warmupMs> <seconds> <recordBytes>\n');
  process.exit(2);
}
