// Kafka's numeric codes for the ACL enums (org.apache.kafka.common.resource.ResourceType,
// PatternType, acl.AclOperation and AclPermissionType): what records, the Kafka protocol and
// ZooKeeper's ACL znodes carry. The names are the enums' Java names; ANY, MATCH and UNKNOWN exist
// only in filters (DescribeAcls, DeleteAcls) and are never stored.

import type { AclOperation, AclPatternType, AclPermissionType, AclResourceType } from './types.js';

export const ACL_RESOURCE_TYPE_CODES: Readonly<Record<AclResourceType, number>> = {
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
};

export const ACL_PATTERN_TYPE_CODES: Readonly<Record<AclPatternType, number>> = { LITERAL: 3, PREFIXED: 4 };

export const ACL_OPERATION_CODES: Readonly<Record<AclOperation, number>> = {
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
};

export const ACL_PERMISSION_TYPE_CODES: Readonly<Record<AclPermissionType, number>> = { DENY: 2, ALLOW: 3 };

/** Filter-only codes (DescribeAcls / DeleteAcls filters). */
export const ACL_FILTER_CODES = { UNKNOWN: 0, ANY: 1, MATCH: 2 } as const;

/** The name of a code in one of the maps above, or undefined. */
export function aclNameOf<N extends string>(codes: Readonly<Record<N, number>>, code: number): N | undefined {
  for (const [name, c] of Object.entries(codes) as [N, number][]) if (c === code) return name;
  return undefined;
}

/** The Kafka cluster resource's one name. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
