// Whether a record as built in memory is the record its bytes read back as. The active controller
// replays the records it builds into its pending image, and adopts that image as the committed
// one (QuorumController.adoptPending), while every other node replays what the bytes decode to:
// a property the encoding drops (an extra key, a -0, an object where the schema keeps fields)
// would leave the leader's state different from everyone else's. The simulator and the tests turn
// the check on (ControllerDeps.verifyRecords); it costs a decode and a walk per record.

import { describe } from './fields.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The first place where `built` and `read` (the same record decoded from its bytes) differ, as a
 * path with both values, or null when they are the same record. A property that is absent on one
 * side and undefined on the other is the same; byte arrays compare by content.
 */
export function recordDifference(built: unknown, read: unknown, path = ''): string | null {
  if (Object.is(built, read)) return null;
  const at = path === '' ? '(record)' : path;
  if (built instanceof Uint8Array && read instanceof Uint8Array) return Buffer.compare(built, read) === 0 ? null : `${at}: the bytes differ`;
  if (Array.isArray(built) && Array.isArray(read)) {
    if (built.length !== read.length) return `${at}: ${built.length} elements built, ${read.length} read`;
    for (let i = 0; i < built.length; i++) {
      const d = recordDifference(built[i], read[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (isPlainObject(built) && isPlainObject(read)) {
    for (const key of new Set([...Object.keys(built), ...Object.keys(read)])) {
      const d = recordDifference(built[key], read[key], path === '' ? key : `${path}.${key}`);
      if (d !== null) return d;
    }
    return null;
  }
  return `${at}: built ${describe(built)}, read ${describe(read)}`;
}
