// The checks createAcls and deleteAcls share (Kafka's AclControlManager.validateNewAcl and
// validateFilter, with the checks Kafka's AclApis makes before it: the CLUSTER name, an empty
// name). Every refusal is INVALID_REQUEST (42) with Kafka's words, first match answers:
//
//   creation                                   message
//   resourceType ANY, UNKNOWN or not a type    Invalid resourceType <it>
//   patternType not LITERAL or PREFIXED        Invalid patternType <it>
//   operation ANY, UNKNOWN or not an operation Invalid operation <it>
//   permissionType not ALLOW or DENY           Invalid permissionType <it>
//   resourceName not a non-empty string        Resource name should not be empty
//   CLUSTER named other than 'kafka-cluster'   The only valid name for the CLUSTER resource is kafka-cluster
//   principal not Type:name (KafkaPrincipal.fromString; both parts non-empty here, while Kafka
//     lets 'User:' through, a principal no client ever authenticates as)
//                                              Could not parse principal from `<it>` ...
//   host not a non-empty string                Invalid empty host
//
//   filter (deletion): resourceType or patternType UNKNOWN (not a name a filter may use)
//                                              Unknown patternFilter.
//                      operation or permissionType UNKNOWN  Unknown entryFilter.
//                      resourceName, principal, host not a string or null  Invalid filter ...
// Below metadata.version 4 (1.0-IV3) both operations answer UNSUPPORTED_VERSION for every entry
// and write nothing: a node of an older build could not read the records.

import type { AclBindingFilter } from '../../../metadata-log/acl-filter.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { ACL_OPERATION_CODES, ACL_PATTERN_TYPE_CODES, ACL_PERMISSION_TYPE_CODES, ACL_RESOURCE_TYPE_CODES, CLUSTER_RESOURCE_NAME } from '../../../metadata-log/records/acl-codes.js';
import type { AclBinding } from '../../../metadata-log/records/types.js';
import { ACLS_METADATA_VERSION, metadataVersionName, metadataVersionSupportsAcls } from '../configs/features.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';

const has = (codes: object, v: unknown): boolean => typeof v === 'string' && Object.prototype.hasOwnProperty.call(codes, v);
const shown = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));

/** Why a creation may not be stored, or null. */
export function newAclError(acl: AclBinding): ApiError | null {
  const a = acl as unknown as Record<string, unknown>;
  if (!has(ACL_RESOURCE_TYPE_CODES, a['resourceType'])) return apiError('INVALID_REQUEST', `Invalid resourceType ${shown(a['resourceType'])}`);
  if (!has(ACL_PATTERN_TYPE_CODES, a['patternType'])) return apiError('INVALID_REQUEST', `Invalid patternType ${shown(a['patternType'])}`);
  if (!has(ACL_OPERATION_CODES, a['operation'])) return apiError('INVALID_REQUEST', `Invalid operation ${shown(a['operation'])}`);
  if (!has(ACL_PERMISSION_TYPE_CODES, a['permissionType'])) return apiError('INVALID_REQUEST', `Invalid permissionType ${shown(a['permissionType'])}`);
  const name = a['resourceName'];
  if (typeof name !== 'string' || name === '') return apiError('INVALID_REQUEST', 'Resource name should not be empty');
  if (a['resourceType'] === 'CLUSTER' && name !== CLUSTER_RESOURCE_NAME) return apiError('INVALID_REQUEST', `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`);
  const principal = a['principal'];
  if (typeof principal !== 'string') return apiError('INVALID_REQUEST', `Could not parse principal from ${shown(principal)}: expected a string in format principalType:principalName`);
  const colon = principal.indexOf(':');
  if (colon === -1) {
    return apiError('INVALID_REQUEST', `Could not parse principal from \`${principal}\` (no colon is present separating the principal type from the principal name)`);
  }
  if (colon === 0 || colon === principal.length - 1) {
    return apiError('INVALID_REQUEST', `Could not parse principal from \`${principal}\`: expected a string in format principalType:principalName (User:alice, User:*)`);
  }
  const host = a['host'];
  if (typeof host !== 'string' || host === '') return apiError('INVALID_REQUEST', 'Invalid empty host');
  return null;
}

/** Why a filter may not select ACLs to delete, or null. */
export function deleteFilterError(filter: AclBindingFilter): ApiError | null {
  const f = filter as unknown as Record<string, unknown>;
  if (typeof f !== 'object' || f === null) return apiError('INVALID_REQUEST', 'Invalid filter: expected an object');
  if (f['resourceType'] !== 'ANY' && !has(ACL_RESOURCE_TYPE_CODES, f['resourceType'])) return apiError('INVALID_REQUEST', 'Unknown patternFilter.');
  if (f['patternType'] !== 'ANY' && f['patternType'] !== 'MATCH' && !has(ACL_PATTERN_TYPE_CODES, f['patternType'])) return apiError('INVALID_REQUEST', 'Unknown patternFilter.');
  if (f['operation'] !== 'ANY' && !has(ACL_OPERATION_CODES, f['operation'])) return apiError('INVALID_REQUEST', 'Unknown entryFilter.');
  if (f['permissionType'] !== 'ANY' && !has(ACL_PERMISSION_TYPE_CODES, f['permissionType'])) return apiError('INVALID_REQUEST', 'Unknown entryFilter.');
  for (const field of ['resourceName', 'principal', 'host'] as const) {
    const v = f[field];
    if (v !== null && typeof v !== 'string') return apiError('INVALID_REQUEST', `Invalid filter: ${field} must be a string or null, got ${shown(v)}`);
  }
  return null;
}

/** The answer to every entry below metadata.version 4, or null when ACLs may be written. */
export function aclVersionError(image: MetadataImageView): ApiError | null {
  if (metadataVersionSupportsAcls(image)) return null;
  const name = metadataVersionName(ACLS_METADATA_VERSION);
  return apiError(
    'UNSUPPORTED_VERSION',
    `ACLs need metadata.version ${ACLS_METADATA_VERSION} (${name}); this cluster runs a lower level. Upgrade it first: metaquorum features upgrade --metadata ${name}`,
  );
}

/** A request whose shape is wrong as a whole (not a list): refused like electLeaders' (INVALID_REQUEST). */
export function shapeError(message: string): Error {
  return Object.assign(new Error(message), { code: ErrorCode.INVALID_REQUEST });
}
