// What clients do to a listener, seen from the TCP side: a load balancer's health check (connect,
// then hang up without a byte, by a FIN ('end') or a reset ('reset')); a connection the server is
// expected to close on accept (a connection limit); and a Kafka client's first request,
// ApiVersions v0, on a connection kept open.

import * as net from 'node:net';

export async function connectAndHangUp(port: number, how: 'end' | 'reset'): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', () => r()));
  if (how === 'end') socket.end();
  else socket.resetAndDestroy();
  await new Promise<void>((r) => socket.once('close', () => r()));
}

/** Connects and resolves once the server has closed the connection, this side having sent nothing; rejects after `timeoutMs`. */
export async function connectUntilServerCloses(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<void> {
  const socket = net.connect({ host, port });
  socket.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not close the connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    socket.destroy();
  }
}

/** A Kafka client's connection: `apiVersions` sends ApiVersions v0 and resolves with the answer's error code (rejects if the connection closes first). */
export interface KafkaProbe {
  readonly socket: net.Socket;
  apiVersions(correlationId: number): Promise<number>;
}

/** Connects to `port`; the connection is a Kafka client's once its first ApiVersions is sent. */
export async function kafkaClientConnection(port: number, host = '127.0.0.1'): Promise<KafkaProbe> {
  const socket = net.connect({ host, port });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => reject(new Error('the connection closed before it was established')));
  });
  let received = Buffer.alloc(0);
  const waiting: { correlationId: number; resolve: (errorCode: number) => void; reject: (e: Error) => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
      const frame = received.subarray(4, 4 + received.readInt32BE(0));
      received = received.subarray(4 + frame.length);
      const w = waiting.shift();
      if (w === undefined) continue;
      if (frame.readInt32BE(0) !== w.correlationId) w.reject(new Error(`answer for correlation id ${frame.readInt32BE(0)}, not ${w.correlationId}`));
      else w.resolve(frame.readInt16BE(4));
    }
  });
  socket.once('close', () => {
    for (const w of waiting.splice(0)) w.reject(new Error('the connection closed before ApiVersions was answered'));
  });
  const apiVersions = (correlationId: number): Promise<number> =>
    new Promise((resolve, reject) => {
      if (socket.destroyed) return reject(new Error('the connection is closed'));
      waiting.push({ correlationId, resolve, reject });
      // Header v1: api key 18 (ApiVersions), version 0, the correlation id, a null client id; no body.
      const frame = Buffer.alloc(14);
      frame.writeInt32BE(10, 0);
      frame.writeInt16BE(18, 4);
      frame.writeInt16BE(0, 6);
      frame.writeInt32BE(correlationId, 8);
      frame.writeInt16BE(-1, 12);
      socket.write(frame);
    });
  return { socket, apiVersions };
}

/**
 * Runs `body` against a listener that accepts connections and never reads or answers (a paused
 * node: its kernel still completes the TCP handshake), then closes it and what it accepted.
 */
export async function withSilentListener(body: (port: number) => Promise<void>): Promise<void> {
  const accepted: net.Socket[] = [];
  const silent = net.createServer((socket) => void accepted.push(socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  try {
    await body((silent.address() as net.AddressInfo).port);
  } finally {
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
}
