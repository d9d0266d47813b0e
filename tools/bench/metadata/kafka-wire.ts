// A minimal Kafka client for bench:metadata, written from the wire layout (reference/kafka-protocol.md
// §1.2 and §1.6), not from the broker's codec, so a codec bug cannot hide behind itself: request
// header v1 frames for ApiVersions v2 and Metadata v6, pipelined on one TCP connection as kafkajs
// does, and a streaming response-frame reader.
//
// The reader is built for a load generator: on the hot path it reads only the 8-byte head of each
// response (INT32 size, INT32 correlation id) and skips the body without copying it, so a 500 KB
// "all topics" answer costs this process a socket read and nothing else. A request asked with
// `capture` gets its body back, and decodeMetadataV6 checks it (what the bench does before and after
// each timed run).

import { connect, type Socket } from 'node:net';

export const API_METADATA = 3;
export const API_VERSIONS = 18;

/** A request frame (size prefix and header v1 included) with the correlation id left at 0: stamped per send. */
export function requestTemplate(apiKey: number, apiVersion: number, clientId: string, body: Buffer): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const size = 2 + 2 + 4 + 2 + id.length + body.length;
  const b = Buffer.alloc(4 + size);
  let o = b.writeInt32BE(size, 0);
  o = b.writeInt16BE(apiKey, o);
  o = b.writeInt16BE(apiVersion, o);
  o = b.writeInt32BE(0, o);
  o = b.writeInt16BE(id.length, o);
  id.copy(b, o);
  body.copy(b, o + id.length);
  return b;
}

/** Metadata v6 body: topics NULLABLE ARRAY[STRING] (null = all), allow_auto_topic_creation BOOLEAN. */
export function metadataV6Body(topics: readonly string[] | null, allowAutoTopicCreation: boolean): Buffer {
  const names = (topics ?? []).map((t) => Buffer.from(t, 'utf8'));
  const b = Buffer.alloc(4 + names.reduce((s, n) => s + 2 + n.length, 0) + 1);
  let o = b.writeInt32BE(topics === null ? -1 : names.length, 0);
  for (const n of names) {
    o = b.writeInt16BE(n.length, o);
    o += n.copy(b, o);
  }
  b.writeInt8(allowAutoTopicCreation ? 1 : 0, o);
  return b;
}

export interface MetadataSummary {
  readonly throttleTimeMs: number;
  readonly brokers: readonly { nodeId: number; host: string; port: number }[];
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly topics: number;
  readonly topicErrors: number;
  readonly partitions: number;
  readonly partitionErrors: number;
  /** Partitions with a leader (leader_id ≥ 0). */
  readonly withLeader: number;
  /** Partitions whose ISR holds every replica. */
  readonly fullIsr: number;
  readonly replicas: number;
  readonly offlineReplicas: number;
  /** Partition count by topic name. */
  readonly partitionsByTopic: ReadonlyMap<string, number>;
}

/** Decodes a Metadata v6 response body (after the correlation id) into counts; throws on a short or long body. */
export function decodeMetadataV6(body: Buffer): MetadataSummary {
  let o = 0;
  const need = (n: number) => {
    if (o + n > body.length) throw new Error(`Metadata v6 response ends at ${body.length} bytes; ${n} more needed at ${o}`);
  };
  const i16 = () => (need(2), (o += 2), body.readInt16BE(o - 2));
  const i32 = () => (need(4), (o += 4), body.readInt32BE(o - 4));
  const i8 = () => (need(1), (o += 1), body.readInt8(o - 1));
  const str = (): string | null => {
    const n = i16();
    if (n < 0) return null;
    need(n);
    o += n;
    return body.toString('utf8', o - n, o);
  };
  const i32s = (): number[] => {
    const n = i32();
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(i32());
    return out;
  };
  const throttleTimeMs = i32();
  const brokers: { nodeId: number; host: string; port: number }[] = [];
  for (let n = i32(), k = 0; k < n; k++) {
    const nodeId = i32();
    const host = str() ?? '';
    const port = i32();
    str(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = str();
  const controllerId = i32();
  let topicErrors = 0;
  let partitions = 0;
  let partitionErrors = 0;
  let withLeader = 0;
  let fullIsr = 0;
  let replicas = 0;
  let offlineReplicas = 0;
  const partitionsByTopic = new Map<string, number>();
  const topics = i32();
  for (let k = 0; k < topics; k++) {
    if (i16() !== 0) topicErrors++;
    const name = str() ?? '';
    i8(); // is_internal
    const n = i32();
    partitionsByTopic.set(name, Math.max(0, n));
    for (let p = 0; p < n; p++) {
      partitions++;
      if (i16() !== 0) partitionErrors++;
      i32(); // partition_index
      if (i32() >= 0) withLeader++;
      const r = i32s();
      const isr = i32s();
      offlineReplicas += i32s().length;
      replicas += r.length;
      if (isr.length === r.length) fullIsr++;
    }
  }
  if (o !== body.length) throw new Error(`Metadata v6 response has ${body.length - o} trailing bytes`);
  return { throttleTimeMs, brokers, clusterId, controllerId, topics, topicErrors, partitions, partitionErrors, withLeader, fullIsr, replicas, offlineReplicas, partitionsByTopic };
}

export interface Reply {
  /** Whole response frame, size prefix included. */
  readonly frameBytes: number;
  /** performance.now() when the last byte of the frame arrived. */
  readonly at: number;
  /** The body after the correlation id, when the request asked for it. */
  readonly body?: Buffer;
}

interface Pending {
  readonly correlationId: number;
  readonly capture: boolean;
  readonly sentAt: number;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

/**
 * One pipelined Kafka connection. Responses must come back in request order (Kafka's contract per
 * connection); anything else, a request older than `timeoutMs`, or the socket closing fails every
 * request in flight and closes the connection.
 */
export class KafkaWireConnection {
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 0;
  private failed: Error | null = null;
  private readonly head = Buffer.alloc(8);
  private headFill = 0;
  private bodyLeft = -1;
  private bodyBuf: Buffer | null = null;
  private bodyFill = 0;
  private frameBytes = 0;
  private readonly watchdog: NodeJS.Timeout;
  requestsSent = 0;
  bytesReceived = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
    this.watchdog = setInterval(() => {
      const oldest = this.pending[0];
      if (oldest !== undefined && performance.now() - oldest.sentAt > this.timeoutMs) this.fail(new Error(`no answer within ${this.timeoutMs} ms`));
    }, Math.min(1_000, timeoutMs));
    this.watchdog.unref();
  }

  static open(host: string, port: number, timeoutMs: number): Promise<KafkaWireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new KafkaWireConnection(socket, timeoutMs));
      });
    });
  }

  get inFlight(): number {
    return this.pending.length;
  }

  /** Sends a copy of `template` stamped with the next correlation id. */
  request(template: Buffer, capture = false): Promise<Reply> {
    if (this.failed !== null) return Promise.reject(this.failed);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fff_ffff;
    const frame = Buffer.allocUnsafe(template.length);
    template.copy(frame);
    frame.writeInt32BE(correlationId, 8);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ correlationId, capture, sentAt: performance.now(), resolve, reject });
      this.requestsSent++;
      this.socket.write(frame);
    });
  }

  close(): void {
    clearInterval(this.watchdog);
    this.fail(new Error('closed by the bench'));
  }

  private fail(e: Error): void {
    if (this.failed !== null) return;
    this.failed = e;
    clearInterval(this.watchdog);
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    let o = 0;
    while (o < chunk.length && this.failed === null) {
      if (this.bodyLeft < 0) {
        const take = Math.min(8 - this.headFill, chunk.length - o);
        chunk.copy(this.head, this.headFill, o, o + take);
        this.headFill += take;
        o += take;
        if (this.headFill < 8) return;
        const size = this.head.readInt32BE(0);
        const correlationId = this.head.readInt32BE(4);
        const p = this.pending[0];
        if (p === undefined || p.correlationId !== correlationId || size < 4) {
          return this.fail(new Error(`unexpected response: correlation id ${correlationId} (expected ${p?.correlationId ?? 'none'}), size ${size}`));
        }
        this.frameBytes = 4 + size;
        this.bodyLeft = size - 4;
        this.bodyBuf = p.capture ? Buffer.allocUnsafe(this.bodyLeft) : null;
        this.bodyFill = 0;
      }
      const take = Math.min(this.bodyLeft, chunk.length - o);
      if (this.bodyBuf !== null) chunk.copy(this.bodyBuf, this.bodyFill, o, o + take);
      this.bodyFill += take;
      this.bodyLeft -= take;
      o += take;
      if (this.bodyLeft === 0) {
        const p = this.pending.shift()!;
        const reply: Reply = this.bodyBuf === null ? { frameBytes: this.frameBytes, at: performance.now() } : { frameBytes: this.frameBytes, at: performance.now(), body: this.bodyBuf };
        this.bodyBuf = null;
        this.bodyLeft = -1;
        this.headFill = 0;
        p.resolve(reply);
      }
    }
  }
}
