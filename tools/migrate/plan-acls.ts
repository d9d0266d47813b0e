// ACLs and delegation tokens: no record type here holds them, so they are counted (one per record
// Apache Kafka's migration would write) and reported as not imported. zk-layout.md §7, §8.
//   /kafka-acl/<ResourceType>/<name>                        LITERAL patterns
//   /kafka-acl-extended/<patternType>/<ResourceType>/<name> other patterns (prefixed)
//     data {"version":1,"acls":[{principal, permissionType, operation, host}, ...]}: one ACL each;
//     resource-type nodes the authorizer creates hold no data. The change queues are triggers.
//   /delegation_token/tokens/<tokenId>                      one token each (token_changes: triggers)

import type { PlanContext } from './plan-types.js';
import { childPath } from './plan-types.js';
import { jsonOf } from './zk-json.js';

export const ACL_PATH = '/kafka-acl';
export const ACL_EXTENDED_PATH = '/kafka-acl-extended';
export const TOKENS_PATH = '/delegation_token/tokens';

/** ACL entries under both stores. Malformed resource nodes are reported (as warnings: nothing here is imported anyway). */
export function countAcls(ctx: PlanContext): number {
  let count = 0;
  const resources = (typeRoot: string): void => {
    for (const resourceType of ctx.children(typeRoot)) {
      const typePath = childPath(typeRoot, resourceType);
      for (const name of ctx.children(typePath)) {
        const path = childPath(typePath, name);
        if (ctx.isUnreadable(path)) continue;
        const n = ctx.guard(
          'its ACLs are not counted (not imported either way)',
          () => {
            const json = jsonOf(path, ctx.node(path));
            if (json === null) return 0;
            ctx.checkVersion(path, json.version(), [1], 'version 1');
            return json.array('acls').length;
          },
          'warning',
        );
        count += n ?? 0;
      }
    }
  };
  resources(ACL_PATH);
  for (const patternType of ctx.children(ACL_EXTENDED_PATH)) resources(childPath(ACL_EXTENDED_PATH, patternType));
  return count;
}

export function countDelegationTokens(ctx: PlanContext): number {
  return ctx.children(TOKENS_PATH).length;
}
