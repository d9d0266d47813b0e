// One Kafka request as raw bytes on a fresh connection, for e2e tests that need a request an
// unmodified client cannot send (kafkajs 2.2.4 has no OffsetDelete, and cannot send null
// reassignment replicas): encoded and decoded by the test mirror codec (tools/kafka-client).

import * as net from 'node:net';
import { expect } from 'vitest';
import type { KafkaApiName, KafkaApiTypes } from '../../broker/kafka/protocol/index.js';
import { decodeResponseFrame, encodeRequestFrame } from '../../tools/kafka-client/mirror-codec.js';

/** One request on a fresh connection, its answer decoded as a client would (header included). */
export async function ask<N extends KafkaApiName>(port: number, api: N, version: number, request: KafkaApiTypes[N][0]): Promise<KafkaApiTypes[N][1]> {
  const socket = net.connect({ host: '127.0.0.1', port });
  try {
    const frame = encodeRequestFrame(api, version, request, 9, 'e2e-raw');
    const sized = Buffer.alloc(4 + frame.length);
    sized.writeInt32BE(frame.length, 0);
    frame.copy(sized, 4);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      let received = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`no answer to ${api} v${version} within 20 s`)), 20_000);
      socket.on('error', reject);
      socket.once('close', () => reject(new Error(`the broker closed the connection before answering ${api} v${version}`)));
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
          clearTimeout(timer);
          resolve(received.subarray(4, 4 + received.readInt32BE(0)));
        }
      });
      socket.write(sized);
    });
    const { correlationId, response } = decodeResponseFrame(api, version, answer);
    expect(correlationId).toBe(9);
    return response;
  } finally {
    socket.destroy();
  }
}

