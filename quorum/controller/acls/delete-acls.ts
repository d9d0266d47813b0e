// DeleteAcls (Kafka's AclControlManager.deleteAcls): one RemoveAccessControlEntry per ACL that
// some filter selects (acl-filter.ts: Kafka's AclBindingFilter.matches, MATCH included).
//
// Per filter, in request order, first match answers:
//   metadata.version below 4 (1.0-IV3)          → UNSUPPORTED_VERSION, for every filter (acl-rules.ts)
//   a filter Kafka refuses for deletion (UNKNOWN fields: acl-rules.ts) → INVALID_REQUEST
//   its matches would take the request past maxRecordsPerOperation removals
//                                                → POLICY_VIOLATION ("Cannot remove more than N acls
//                                                  in a single delete operation.", Kafka's words),
//                                                  none of its matches removed (Kafka's BoundedList)
//   else                                         → NONE with every stored ACL it selects (in the
//                                                  order describeAcls lists them)
// An ACL several filters select is removed once (one record) and listed under each of them. A
// filter matching nothing is NONE with no ACLs. Nothing here reads ACLs written earlier in the
// same request: there are none (a deletion only removes).

import { aclMatchesFilter, compareAcls } from '../../../metadata-log/acl-filter.js';
import type { StoredAcl } from '../../../metadata-log/image-types.js';
import type { RemoveAccessControlEntryRecord, Uuid } from '../../../metadata-log/records/types.js';
import assert from 'node:assert/strict';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from './acl-requests.js';
import { aclVersionError, deleteFilterError, shapeError } from './acl-rules.js';

type Result = DeleteAclsResponse['results'][number];
const failed = (e: ApiError): Result => ({ errorCode: e.code, errorMessage: e.message, matchingAcls: [] });

export function deleteAcls(ctx: OpContext, request: DeleteAclsRequest): OpResult<DeleteAclsResponse> {
  const filters = (request as Partial<DeleteAclsRequest>).filters;
  if (!Array.isArray(filters)) throw shapeError('deleteAcls: filters must be a list of ACL binding filters');
  const image = ctx.image;
  const gate = aclVersionError(image);
  if (gate !== null) return { records: [], response: { results: filters.map(() => failed(gate)) } };

  const max = ctx.config.maxRecordsPerOperation;
  const all = [...image.acls()].sort(compareAcls);
  const removed = new Set<Uuid>();
  const records: RemoveAccessControlEntryRecord[] = [];
  const results: Result[] = [];
  for (const filter of filters) {
    const error = deleteFilterError(filter);
    if (error !== null) {
      results.push(failed(error));
      continue;
    }
    const matching: StoredAcl[] = all.filter((acl) => aclMatchesFilter(acl, filter));
    const fresh = matching.filter((acl) => !removed.has(acl.id));
    if (records.length + fresh.length > max) {
      results.push(failed(apiError('POLICY_VIOLATION', `Cannot remove more than ${max} acls in a single delete operation.`)));
      continue;
    }
    for (const acl of fresh) {
      removed.add(acl.id);
      records.push({ type: 'RemoveAccessControlEntry', id: acl.id });
    }
    results.push({ errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls: matching });
  }
  assert.equal(results.length, filters.length, 'deleteAcls: one result per filter');
  assert.equal(new Set(records.map((r) => r.id)).size, records.length, 'deleteAcls: each ACL removed once');
  return { records, response: { results } };
}
