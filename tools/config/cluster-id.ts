// Cluster ids, as Kafka makes them (`kafka-storage.sh random-uuid`, Uuid.randomUuid().toString()):
// 16 random bytes written as URL-safe base64 without padding, 22 characters.
//
// Like Kafka's Uuid.randomUuid we draw again when the text would start with '-' (a command line
// would read `--cluster-id -Xyz...` as an option) or would be a reserved id (all zeroes, which
// Kafka reads as "no id", or the metadata topic's id 0...01). The bytes come from node:crypto:
// cluster and directory ids must differ between machines, so a seeded source would be wrong here.
//
// isValidClusterId accepts what Kafka's Uuid.fromString accepts, minus the zero id: an id someone
// made elsewhere that starts with '-' is still valid (pass it as --cluster-id=-Xyz...).

import { getRandomValues } from 'node:crypto';
import { isUuid, randomUuid, ZERO_UUID } from '../../metadata-log/records/uuid.js';

/** 32 random bits per draw, fetched from the CSPRNG 256 draws at a time. */
const pool = new Uint32Array(256);
let poolNext = pool.length;

/** A [0, 1) source backed by the operating system's CSPRNG. */
export const cryptoRandom: { next(): number } = {
  next(): number {
    if (poolNext === pool.length) {
      getRandomValues(pool);
      poolNext = 0;
    }
    return pool[poolNext++]! / 2 ** 32;
  },
};

/** A fresh cluster id: 22 characters, never starting with '-', never a reserved id. */
export function randomClusterId(random: { next(): number } = cryptoRandom): string {
  return randomUuid(random);
}

/** True for the text form of a 16-byte Kafka Uuid (22 base64url characters) other than the zero id. */
export function isValidClusterId(s: string): boolean {
  return isUuid(s) && s !== ZERO_UUID;
}
