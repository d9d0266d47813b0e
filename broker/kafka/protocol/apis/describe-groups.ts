// DescribeGroups (key 15), versions 0-2 (reference/kafka-protocol.md §1.6). Request:
// group_ids[STRING] (v3+ adds include_authorized_operations, not spoken). Response:
// throttle_time_ms (v1+), groups[error_code, group_id, group_state, protocol_type, protocol_data,
// members[member_id, client_id, client_host, member_metadata BYTES, member_assignment BYTES]].
// admin.setOffsets refuses unless the state is `Empty` or `Dead`.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DESCRIBE_GROUPS_MIN_VERSION = 0;
export const DESCRIBE_GROUPS_MAX_VERSION = 2;

export interface DescribeGroupsRequest {
  groupIds: string[];
}

export interface DescribedGroupMember {
  memberId: string;
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
  return { groupIds: reader.stringArray('DescribeGroups group_ids') };
}

export function encodeDescribeGroupsResponse(writer: KafkaWriter, version: number, response: DescribeGroupsResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.array(response.groups, (w, g) => {
    w.int16(g.errorCode).string(g.groupId).string(g.groupState).string(g.protocolType).string(g.protocolData);
    w.array(g.members, (mw, m) =>
      mw.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.memberMetadata).bytes(m.memberAssignment),
    );
  });
}
