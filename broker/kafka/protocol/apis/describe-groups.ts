// DescribeGroups (key 15), versions 0-4 (reference/kafka-protocol.md §1.6; v5+ is flexible).
// Request: group_ids[STRING], include_authorized_operations BOOLEAN (v3+). Response:
// throttle_time_ms (v1+), groups[error_code, group_id, group_state, protocol_type, protocol_data,
// members[member_id, group_instance_id NULLABLE (v4+: a static member's, KIP-345), client_id,
// client_host, member_metadata BYTES, member_assignment BYTES], authorized_operations INT32
// (v3+)]. admin.setOffsets refuses unless the state is `Empty` or `Dead`. kafkajs 2.2.4 stops at
// v2; librdkafka and the Java admin go further.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DESCRIBE_GROUPS_MIN_VERSION = 0;
export const DESCRIBE_GROUPS_MAX_VERSION = 4;

/** authorized_operations when the client did not ask for them (Kafka's Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -0x80000000;

export interface DescribeGroupsRequest {
  groupIds: string[];
  /** v3+; false before. */
  includeAuthorizedOperations: boolean;
}

export interface DescribedGroupMember {
  memberId: string;
  /** v4+ (null before, or for a dynamic member). */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Uint8Array;
  memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  /** Kafka's names: Empty, Dead, Stable, PreparingRebalance, CompletingRebalance. */
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
  /** v3+: a bit field of AclOperation codes, or AUTHORIZED_OPERATIONS_OMITTED. */
  authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  /** v1+ */
  throttleTimeMs: number;
  groups: DescribedGroup[];
}

function checkVersion(version: number): void {
  assert(
    version >= DESCRIBE_GROUPS_MIN_VERSION && version <= DESCRIBE_GROUPS_MAX_VERSION,
    `DescribeGroups v${version} is not supported`,
  );
}

export function decodeDescribeGroupsRequest(reader: KafkaReader, version: number): DescribeGroupsRequest {
  checkVersion(version);
  const groupIds = reader.stringArray('DescribeGroups group_ids');
  const includeAuthorizedOperations = version >= 3 ? reader.boolean('DescribeGroups include_authorized_operations') : false;
  return { groupIds, includeAuthorizedOperations };
}

export function encodeDescribeGroupsResponse(writer: KafkaWriter, version: number, response: DescribeGroupsResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.array(response.groups, (w, g) => {
    w.int16(g.errorCode).string(g.groupId).string(g.groupState).string(g.protocolType).string(g.protocolData);
    w.array(g.members, (mw, m) => {
      mw.string(m.memberId);
      if (version >= 4) mw.nullableString(m.groupInstanceId);
      mw.string(m.clientId).string(m.clientHost).bytes(m.memberMetadata).bytes(m.memberAssignment);
    });
    if (version >= 3) w.int32(g.authorizedOperations);
  });
}
