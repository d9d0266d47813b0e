// A SCRAM credential as the metadata log stores it (salt, StoredKey, ServerKey, iterations),
// made from a password the way configs alter makes one, for tests of the SCRAM exchange.

import { randomBytes } from 'node:crypto';
import type { ScramCredential } from '../../metadata-log/image-types.js';
import type { ScramMechanism } from '../../metadata-log/records/types.js';
import { scramKeys } from '../../quorum/controller/configs/scram-credentials.js';
import { saltedPassword } from '../../tools/cli/configs-scram.js';

export function scramCredential(mechanism: ScramMechanism, password: string, iterations = 4096): ScramCredential {
  const salt = randomBytes(16);
  return { salt, iterations, ...scramKeys(mechanism, saltedPassword(mechanism, password, salt, iterations)) };
}
