// Which stored ACLs a filter selects: Kafka's AclBindingFilter.matches (ResourcePatternFilter and
// AccessControlEntryFilter), as DescribeAcls, DeleteAcls and `metaquorum acls --list/--remove` use
// it. Not the authorizer's question ("may this principal do this?"), which is answered elsewhere.
//
//   resourceType  ANY, or equal
//   patternType   ANY: any stored pattern, the name (if given) equal
//                 LITERAL / PREFIXED: that pattern, the name (if given) equal
//                 MATCH: every stored ACL that would apply to a resource of that name: a LITERAL
//                        one of that name or the wildcard '*', a PREFIXED one the name starts with
//   resourceName  null: any
//   principal, host  null: any; otherwise equal (no wildcard expansion: 'User:*' finds only ACLs
//                 stored for 'User:*')
//   operation, permissionType  ANY, or equal

import type { AclBinding, AclOperation, AclPatternType, AclPermissionType, AclResourceType } from './records/types.js';

export interface AclBindingFilter {
  readonly resourceType: AclResourceType | 'ANY';
  readonly resourceName: string | null;
  readonly patternType: AclPatternType | 'ANY' | 'MATCH';
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: AclOperation | 'ANY';
  readonly permissionType: AclPermissionType | 'ANY';
}

/** Selects every ACL. */
export const ANY_ACL: AclBindingFilter = Object.freeze({
  resourceType: 'ANY',
  resourceName: null,
  patternType: 'ANY',
  principal: null,
  host: null,
  operation: 'ANY',
  permissionType: 'ANY',
});

/** The resource name every LITERAL ACL named '*' applies to: all resources of its type. */
export const WILDCARD_RESOURCE = '*';

export function aclMatchesFilter(acl: AclBinding, f: AclBindingFilter): boolean {
  if (f.resourceType !== 'ANY' && f.resourceType !== acl.resourceType) return false;
  if (f.patternType !== 'ANY' && f.patternType !== 'MATCH' && f.patternType !== acl.patternType) return false;
  if (f.resourceName !== null) {
    if (f.patternType === 'MATCH') {
      const applies = acl.patternType === 'LITERAL' ? acl.resourceName === f.resourceName || acl.resourceName === WILDCARD_RESOURCE : f.resourceName.startsWith(acl.resourceName);
      if (!applies) return false;
    } else if (f.resourceName !== acl.resourceName) return false;
  }
  if (f.principal !== null && f.principal !== acl.principal) return false;
  if (f.host !== null && f.host !== acl.host) return false;
  if (f.operation !== 'ANY' && f.operation !== acl.operation) return false;
  if (f.permissionType !== 'ANY' && f.permissionType !== acl.permissionType) return false;
  return true;
}
