// ListGroups (key 16), versions 0-2: kafkajs 2.2.4 implements v0-v2 (v3+ is flexible). The request
// body is empty (v4+ adds a states filter, not spoken). Response: throttle_time_ms (v1+),
// error_code, groups[group_id, protocol_type].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const LIST_GROUPS_MIN_VERSION = 0;
export const LIST_GROUPS_MAX_VERSION = 2;

export type ListGroupsRequest = Record<string, never>;

export interface ListedGroup {
  groupId: string;
  protocolType: string;
}

export interface ListGroupsResponse {
  /** v1+ */
  throttleTimeMs: number;
  errorCode: number;
  groups: ListedGroup[];
}

function checkVersion(version: number): void {
  assert(version >= LIST_GROUPS_MIN_VERSION && version <= LIST_GROUPS_MAX_VERSION, `ListGroups v${version} is not supported`);
}

export function decodeListGroupsRequest(_reader: KafkaReader, version: number): ListGroupsRequest {
  checkVersion(version);
  return {};
}

export function encodeListGroupsResponse(writer: KafkaWriter, version: number, response: ListGroupsResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.int16(response.errorCode);
  writer.array(response.groups, (w, g) => w.string(g.groupId).string(g.protocolType));
}
