// ZkMigrationState (type 21, Kafka's ZkMigrationStateRecord): where a ZooKeeper migration stands.
//
// Version history (payload fields, in order):
//   v0  [state]                                                       (current)
//         state as Kafka's int8: 0 None, 2 PreMigration, 1 Migration, 3 PostMigration (Kafka 3.5
//         swapped PreMigration and Migration; these are the 3.5+ values).

import type { ZkMigrationStateRecord, ZkMigrationStateValue } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int } from './fields.js';

export const zkMigrationStateSchema: RecordSchema<ZkMigrationStateRecord> = {
  name: 'ZkMigrationState',
  typeId: 21,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.state];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 1);
    return { type: 'ZkMigrationState', state: int(p[0], 0, 3, 'state') as ZkMigrationStateValue };
  },
};
