// AccessControlEntry (type 18, Kafka's AccessControlEntryRecord): adds one ACL under an id the
// controller chose. RemoveAccessControlEntry (type 19) removes it by that id.
//
// Version history (payload fields, in order):
//   v0  [id, resourceType, resourceName, patternType, principal, host, operation, permissionType]
//         (current) the four enums as Kafka's int8 codes (records/acl-codes.ts).

import type { AccessControlEntryRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { ACL_OPERATION_CODES, ACL_PATTERN_TYPE_CODES, ACL_PERMISSION_TYPE_CODES, ACL_RESOURCE_TYPE_CODES, aclNameOf } from './acl-codes.js';
import { describe, FieldError, fieldsOf, str, uuid } from './fields.js';

function code<N extends string>(codes: Readonly<Record<N, number>>, v: unknown, field: string): N {
  const name = typeof v === 'number' ? aclNameOf(codes, v) : undefined;
  if (name === undefined) throw new FieldError(field, `expected one of ${Object.values(codes).join(', ')}, got ${describe(v)}`);
  return name;
}

export const accessControlEntrySchema: RecordSchema<AccessControlEntryRecord> = {
  name: 'AccessControlEntry',
  typeId: 18,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [
      r.id,
      ACL_RESOURCE_TYPE_CODES[r.resourceType],
      r.resourceName,
      ACL_PATTERN_TYPE_CODES[r.patternType],
      r.principal,
      r.host,
      ACL_OPERATION_CODES[r.operation],
      ACL_PERMISSION_TYPE_CODES[r.permissionType],
    ];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 8);
    return {
      type: 'AccessControlEntry',
      id: uuid(p[0], 'id'),
      resourceType: code(ACL_RESOURCE_TYPE_CODES, p[1], 'resourceType'),
      resourceName: str(p[2], 'resourceName'),
      patternType: code(ACL_PATTERN_TYPE_CODES, p[3], 'patternType'),
      principal: str(p[4], 'principal'),
      host: str(p[5], 'host'),
      operation: code(ACL_OPERATION_CODES, p[6], 'operation'),
      permissionType: code(ACL_PERMISSION_TYPE_CODES, p[7], 'permissionType'),
    };
  },
};
