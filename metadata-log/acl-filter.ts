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

import type { StoredAcl } from './image-types.js';
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

/** The listing order of ACLs (describeAcls, deleteAcls' matches, the CLI): resource, principal, host, operation, permission, then id. */
export function compareAcls(a: StoredAcl, b: StoredAcl): number {
  const ka = aclSortKey(a);
  const kb = aclSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function aclSortKey(a: StoredAcl): string {
  return `${a.resourceType}\u0000${a.patternType}\u0000${a.resourceName}\u0000${a.principal}\u0000${a.host}\u0000${a.operation}\u0000${a.permissionType}\u0000${a.id}`;
}

/** Whether two ACLs grant or deny the same thing (all seven fields equal; ids aside). */
export function sameAclBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}

/** A key equal for two ACLs exactly when sameAclBinding says so. */
export function aclBindingKey(a: AclBinding): string {
  return JSON.stringify([a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permissionType]);
}
