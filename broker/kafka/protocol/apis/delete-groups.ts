// DeleteGroups (key 42), versions 0-1 (kafkajs 2.2.4 implements v0-v1), which share one layout.
// Request: groups_names[STRING]. Response: throttle_time_ms, results[group_id, error_code].
// A group with members answers NON_EMPTY_GROUP (68); an unknown one GROUP_ID_NOT_FOUND (69).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DELETE_GROUPS_MIN_VERSION = 0;
export const DELETE_GROUPS_MAX_VERSION = 1;

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeletableGroupResult {
  groupId: string;
  errorCode: number;
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeletableGroupResult[];
}

function checkVersion(version: number): void {
  assert(version >= DELETE_GROUPS_MIN_VERSION && version <= DELETE_GROUPS_MAX_VERSION, `DeleteGroups v${version} is not supported`);
}

export function decodeDeleteGroupsRequest(reader: KafkaReader, version: number): DeleteGroupsRequest {
  checkVersion(version);
  return { groupsNames: reader.stringArray('DeleteGroups groups_names') };
}

export function encodeDeleteGroupsResponse(writer: KafkaWriter, version: number, response: DeleteGroupsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.array(response.results, (w, r) => w.string(r.groupId).int16(r.errorCode));
}
