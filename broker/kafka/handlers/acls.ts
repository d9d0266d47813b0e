// DescribeAcls, CreateAcls and DeleteAcls. With no authorizer configured (authorizer.class.name
// empty), every answer is SECURITY_DISABLED (54), as Kafka's AclApis answers without one: the ACLs
// would be stored but never enforced, which an operator would take for protection.
//
// With one (who may call them is checked before, in ../authorize-requests.ts):
// - DescribeAcls is answered from this broker's own image (describeAcls, as the internal RPC's),
//   grouped by resource pattern as Kafka's DescribeAclsResponse.
// - CreateAcls and DeleteAcls are forwarded to the active controller (createAcls, deleteAcls) and
//   answered per creation / per filter in request order; a forward that fails answers every item
//   with NOT_CONTROLLER (retried by clients) or the controller's code. Read-your-writes, as for
//   topics: the answer waits (at most READ_YOUR_WRITES_WAIT_MS) until this broker's image holds the
//   created ACLs and no longer holds the deleted ones, so a DescribeAcls to it right after sees them.
// - A creation or filter naming a code Kafka's enums do not have there (UNKNOWN, or ANY/MATCH in a
//   creation), a cluster resource not named 'kafka-cluster', an empty resource name or a principal
//   without 'Type:' is INVALID_REQUEST on its own, not forwarded (Kafka's AclApis validation).

import { ANY_ACL, sameAclBinding, type AclBindingFilter } from '../../../metadata-log/acl-filter.js';
import {
  ACL_FILTER_CODES,
  ACL_OPERATION_CODES,
  ACL_PATTERN_TYPE_CODES,
  ACL_PERMISSION_TYPE_CODES,
  ACL_RESOURCE_TYPE_CODES,
  aclNameOf,
  CLUSTER_RESOURCE_NAME,
} from '../../../metadata-log/records/acl-codes.js';
import type { AclBinding } from '../../../metadata-log/records/types.js';
import type { StoredAcl } from '../../../metadata-log/image-types.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
import { describeAcls } from '../../../quorum/server/image-reads.js';
import type {
  AclCreationWire,
  AclFilterWire,
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsMatchingAcl,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResource,
  DescribeAclsResponse,
} from '../protocol/index.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';
import { READ_YOUR_WRITES_WAIT_MS } from './topics.js';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

type Parsed<T> = { readonly ok: T } | { readonly invalid: string };

/** A filter's code: a stored value's name, or (when allowed) ANY / MATCH. */
function filterName<N extends string>(codes: Readonly<Record<N, number>>, code: number, extra: readonly ('ANY' | 'MATCH')[]): N | 'ANY' | 'MATCH' | undefined {
  for (const e of extra) if (code === ACL_FILTER_CODES[e]) return e;
  return aclNameOf(codes, code);
}

export function filterOfWire(f: AclFilterWire): Parsed<AclBindingFilter> {
  const resourceType = filterName(ACL_RESOURCE_TYPE_CODES, f.resourceTypeFilter, ['ANY']);
  const patternType = filterName(ACL_PATTERN_TYPE_CODES, f.patternTypeFilter, ['ANY', 'MATCH']);
  const operation = filterName(ACL_OPERATION_CODES, f.operation, ['ANY']);
  const permissionType = filterName(ACL_PERMISSION_TYPE_CODES, f.permissionType, ['ANY']);
  if (resourceType === undefined || resourceType === 'MATCH') return { invalid: `Invalid resource type code ${f.resourceTypeFilter} in an ACL filter` };
  if (patternType === undefined) return { invalid: `Invalid pattern type code ${f.patternTypeFilter} in an ACL filter` };
  if (operation === undefined || operation === 'MATCH') return { invalid: `Invalid operation code ${f.operation} in an ACL filter` };
  if (permissionType === undefined || permissionType === 'MATCH') return { invalid: `Invalid permission type code ${f.permissionType} in an ACL filter` };
  return { ok: { ...ANY_ACL, resourceType, resourceName: f.resourceNameFilter, patternType, principal: f.principalFilter, host: f.hostFilter, operation, permissionType } };
}

export function bindingOfWire(c: AclCreationWire): Parsed<AclBinding> {
  const resourceType = aclNameOf(ACL_RESOURCE_TYPE_CODES, c.resourceType);
  const patternType = aclNameOf(ACL_PATTERN_TYPE_CODES, c.resourcePatternType);
  const operation = aclNameOf(ACL_OPERATION_CODES, c.operation);
  const permissionType = aclNameOf(ACL_PERMISSION_TYPE_CODES, c.permissionType);
  if (resourceType === undefined) return { invalid: `Invalid ACL creation: resource type code ${c.resourceType} is not one an ACL can name` };
  if (patternType === undefined) return { invalid: `Invalid ACL creation: pattern type code ${c.resourcePatternType} is not LITERAL (3) or PREFIXED (4)` };
  if (operation === undefined) return { invalid: `Invalid ACL creation: operation code ${c.operation} is not one an ACL can name` };
  if (permissionType === undefined) return { invalid: `Invalid ACL creation: permission type code ${c.permissionType} is not ALLOW (3) or DENY (2)` };
  if (c.resourceName === '') return { invalid: 'Invalid ACL creation: the resource name is empty' };
  if (resourceType === 'CLUSTER' && c.resourceName !== CLUSTER_RESOURCE_NAME) {
    return { invalid: `Invalid ACL creation: the only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}` };
  }
  if (c.principal.indexOf(':') <= 0) return { invalid: `Invalid ACL creation: principal "${c.principal}" is not of the form Type:name (e.g. User:alice)` };
  return { ok: { resourceType, resourceName: c.resourceName, patternType, principal: c.principal, host: c.host, operation, permissionType } };
}


/** The ACLs grouped by resource pattern; `acls` arrive sorted by resource (describeAcls's order). */
function groupByResource(acls: readonly StoredAcl[]): DescribeAclsResource[] {
  const out: DescribeAclsResource[] = [];
  let last: DescribeAclsResource | undefined;
  for (const a of acls) {
    const resourceType = ACL_RESOURCE_TYPE_CODES[a.resourceType];
    const patternType = ACL_PATTERN_TYPE_CODES[a.patternType];
    if (last === undefined || last.resourceType !== resourceType || last.patternType !== patternType || last.resourceName !== a.resourceName) {
      last = { resourceType, resourceName: a.resourceName, patternType, acls: [] };
      out.push(last);
    }
    last.acls.push({ principal: a.principal, host: a.host, operation: ACL_OPERATION_CODES[a.operation], permissionType: ACL_PERMISSION_TYPE_CODES[a.permissionType] });
  }
  return out;
}

export const handleDescribeAcls: KafkaHandler<DescribeAclsRequest, DescribeAclsResponse> = async (ctx, request) => {
  if (ctx.authorizer === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, resources: [] };
  const filter = filterOfWire(request);
  if ('invalid' in filter) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: filter.invalid, resources: [] };
  const r = describeAcls(ctx.image(), { filter: filter.ok });
  return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: r.errorMessage, resources: groupByResource(r.acls) };
};

export const handleCreateAcls: KafkaHandler<CreateAclsRequest, CreateAclsResponse> = async (ctx, request) => {
  if (ctx.authorizer === undefined) {
    return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })) };
  }
  const parsed = request.creations.map(bindingOfWire);
  const valid = parsed.flatMap((p) => ('ok' in p ? [p.ok] : []));
  let forwarded: { errorCode: number; errorMessage: string | null }[] = [];
  if (valid.length > 0) {
    try {
      const r = await ctx.controller.call('createAcls', { creations: valid }, { timeoutMs: ctx.controllerTimeoutMs });
      forwarded = [...r.results];
      const created = valid.filter((_, i) => r.results[i]?.errorCode === ErrorCode.NONE);
      if (created.length > 0) {
        await ctx.awaitImage((image) => created.every((b) => [...image.acls()].some((a) => sameAclBinding(a, b))), READ_YOUR_WRITES_WAIT_MS);
      }
    } catch (e) {
      const f = forwardFailure(e, 'admin');
      forwarded = valid.map(() => f);
    }
  }
  let next = 0;
  return {
    throttleTimeMs: 0,
    results: parsed.map((p) => ('invalid' in p ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: p.invalid } : (forwarded[next++] ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'no answer for this creation' }))),
  };
};

function matchingOf(a: StoredAcl): DeleteAclsMatchingAcl {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    resourceType: ACL_RESOURCE_TYPE_CODES[a.resourceType],
    resourceName: a.resourceName,
    patternType: ACL_PATTERN_TYPE_CODES[a.patternType],
    principal: a.principal,
    host: a.host,
    operation: ACL_OPERATION_CODES[a.operation],
    permissionType: ACL_PERMISSION_TYPE_CODES[a.permissionType],
  };
}

export const handleDeleteAcls: KafkaHandler<DeleteAclsRequest, DeleteAclsResponse> = async (ctx, request) => {
  if (ctx.authorizer === undefined) {
    return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })) };
  }
  const parsed = request.filters.map(filterOfWire);
  const valid = parsed.flatMap((p) => ('ok' in p ? [p.ok] : []));
  let forwarded: DeleteAclsResponse['filterResults'] = [];
  if (valid.length > 0) {
    try {
      const r = await ctx.controller.call('deleteAcls', { filters: valid }, { timeoutMs: ctx.controllerTimeoutMs });
      forwarded = r.results.map((f) => ({ errorCode: f.errorCode, errorMessage: f.errorMessage, matchingAcls: f.matchingAcls.map(matchingOf) }));
      const gone = r.results.flatMap((f) => f.matchingAcls.map((a) => a.id));
      if (gone.length > 0) await ctx.awaitImage((image) => gone.every((id) => image.acl(id) === undefined), READ_YOUR_WRITES_WAIT_MS);
    } catch (e) {
      const f = forwardFailure(e, 'admin');
      forwarded = valid.map(() => ({ ...f, matchingAcls: [] }));
    }
  }
  let next = 0;
  return {
    throttleTimeMs: 0,
    filterResults: parsed.map((p) =>
      'invalid' in p
        ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: p.invalid, matchingAcls: [] }
        : (forwarded[next++] ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'no answer for this filter', matchingAcls: [] }),
    ),
  };
};
