// CreateAcls (Kafka's AclControlManager.createAcls): one AccessControlEntry record per new ACL.
//
// Per creation, in request order, first match answers:
//   metadata.version below 4 (1.0-IV3)          → UNSUPPORTED_VERSION, for every creation (acl-rules.ts)
//   a field Kafka refuses (acl-rules.ts)         → INVALID_REQUEST with Kafka's words
//   identical (all seven fields) to a stored ACL, or to an earlier creation of this request
//                                                → NONE, no record (Kafka's existingAcls check: an
//                                                  ACL is stored once, a re-run is a no-op)
//   this request already writes maxRecordsPerOperation records (Kafka's MAX_RECORDS_PER_USER_OP)
//                                                → POLICY_VIOLATION for this one and those after it
//                                                  that would need a record: send them in another request
//   else                                         → NONE, one AccessControlEntry under a fresh random
//                                                  id (never one in use or drawn earlier here)

import { aclBindingKey } from '../../../metadata-log/acl-filter.js';
import type { AccessControlEntryRecord, Uuid } from '../../../metadata-log/records/types.js';
import { randomUuid } from '../../../metadata-log/records/uuid.js';
import type { Random } from '../../env/index.js';
import assert from 'node:assert/strict';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import type { CreateAclsRequest, CreateAclsResponse } from './acl-requests.js';
import { aclVersionError, newAclError, shapeError } from './acl-rules.js';

type Result = CreateAclsResponse['results'][number];
const OK: Result = { errorCode: ErrorCode.NONE, errorMessage: null };
const failed = (e: ApiError): Result => ({ errorCode: e.code, errorMessage: e.message });

export function createAcls(ctx: OpContext, request: CreateAclsRequest, random: Random): OpResult<CreateAclsResponse> {
  const creations = (request as Partial<CreateAclsRequest>).creations;
  if (!Array.isArray(creations) || !creations.every((c) => typeof c === 'object' && c !== null)) throw shapeError('createAcls: creations must be a list of ACL bindings');
  const image = ctx.image;
  const gate = aclVersionError(image);
  if (gate !== null) return { records: [], response: { results: creations.map(() => failed(gate)) } };

  const max = ctx.config.maxRecordsPerOperation;
  const stored = new Set<string>();
  for (const acl of image.acls()) stored.add(aclBindingKey(acl));
  const written = new Set<string>();
  const usedIds = new Set<Uuid>();
  const records: AccessControlEntryRecord[] = [];
  const results: Result[] = [];
  for (const acl of creations) {
    const error = newAclError(acl);
    if (error !== null) {
      results.push(failed(error));
      continue;
    }
    const key = aclBindingKey(acl);
    if (stored.has(key) || written.has(key)) {
      results.push(OK);
      continue;
    }
    if (records.length >= max) {
      results.push(failed(apiError('POLICY_VIOLATION', `Unable to create this ACL: the request already creates the ${max} ACLs one operation may write; send the rest in another request.`)));
      continue;
    }
    let id: Uuid;
    do id = randomUuid(random);
    while (image.acl(id) !== undefined || usedIds.has(id));
    usedIds.add(id);
    written.add(key);
    const { resourceType, resourceName, patternType, principal, host, operation, permissionType } = acl;
    records.push({ type: 'AccessControlEntry', id, resourceType, resourceName, patternType, principal, host, operation, permissionType });
    results.push(OK);
  }
  assert.equal(results.length, creations.length, 'createAcls: one result per creation');
  assert.ok(records.length <= max, 'createAcls: within the operation bound');
  return { records, response: { results } };
}
