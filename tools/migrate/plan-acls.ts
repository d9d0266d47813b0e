// ACLs (AclAuthorizer's stores, zk-layout.md §7), imported as AccessControlEntry records, and
// delegation tokens (§8), counted as not imported (no record type here holds them).
//   /kafka-acl/<ResourceType>/<name>                  LITERAL patterns
//   /kafka-acl-extended/prefixed/<ResourceType>/<name> PREFIXED patterns (the only other store
//                                                       Kafka writes; another pattern directory is
//                                                       reported and not imported)
//     data {"version":1,"acls":[{principal, permissionType, operation, host}, ...]}: one
//     AccessControlEntry each, under a freshly minted id (ZooKeeper has none), as Kafka's migration
//     writes them. ResourceType, operation and permissionType are PascalCase (Topic, ClusterAction,
//     Allow); upper-case enum names (TOPIC, CLUSTER_ACTION, ALLOW) are accepted too, as Kafka's
//     decoders accept them. The name is the last path segment ('*' = every resource of the type).
//     Resource-type nodes the authorizer creates hold no data: nothing to import. The change queues
//     (/kafka-acl*-changes) are triggers and are never read.
//   An entry the controller would refuse (quorum/controller/acls/acl-rules.ts: an unknown
//   operation, a principal that is not Type:name, a CLUSTER resource not named kafka-cluster...) is
//   an `invalid-acl` error and is left out; a node that is not JSON a `malformed-json` error, its
//   ACLs left out. An entry identical to one already planned (all seven fields) is planned once.
//   Records come sorted by store, resource type, name, then entry order, so a plan is reproducible.
//   /delegation_token/tokens/<tokenId>                one token each (token_changes: triggers)

import type { AccessControlEntryRecord, AclBinding, AclOperation, AclPermissionType, AclResourceType, Uuid } from '../../metadata-log/records/types.js';
import { aclBindingKey } from '../../metadata-log/acl-filter.js';
import { ACL_OPERATION_CODES, ACL_PERMISSION_TYPE_CODES, ACL_RESOURCE_TYPE_CODES } from '../../metadata-log/records/acl-codes.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { newAclError } from '../../quorum/controller/acls/acl-rules.js';
import type { PlanContext } from './plan-types.js';
import { childPath } from './plan-types.js';
import { jsonOf, show, ZkDataError } from './zk-json.js';

export const ACL_PATH = '/kafka-acl';
export const ACL_EXTENDED_PATH = '/kafka-acl-extended';
export const TOKENS_PATH = '/delegation_token/tokens';

/** An enum name as ZooKeeper writes it (PascalCase or UPPER_CASE) → ours, or undefined. */
function enumOf<N extends string>(codes: Readonly<Record<N, number>>, text: unknown): N | undefined {
  if (typeof text !== 'string') return undefined;
  const want = text.replace(/_/g, '').toLowerCase();
  return (Object.keys(codes) as N[]).find((n) => n.replace(/_/g, '').toLowerCase() === want);
}

/** An entry as the report shows it: its JSON, cut short. */
function entryText(e: Record<string, unknown>): string {
  const text = JSON.stringify(e);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The AccessControlEntry records of both stores, with fresh ids from ctx.options.random. */
export function aclRecords(ctx: PlanContext): AccessControlEntryRecord[] {
  const bindings: AclBinding[] = [];
  const seen = new Set<string>();
  const store = (typeRoot: string, patternType: 'LITERAL' | 'PREFIXED'): void => {
    for (const typeName of ctx.children(typeRoot)) {
      const typePath = childPath(typeRoot, typeName);
      const resourceType = enumOf<AclResourceType>(ACL_RESOURCE_TYPE_CODES, typeName);
      const names = ctx.children(typePath);
      if (resourceType === undefined) {
        if (names.length > 0) ctx.anomaly(typePath, 'invalid-acl', 'error', `"${typeName}" is not a Kafka resource type (Topic, Group, Cluster, TransactionalId, DelegationToken, User); the ACLs of its ${names.length} resource(s) are not imported`);
        continue;
      }
      for (const resourceName of names) {
        const path = childPath(typePath, resourceName);
        if (ctx.isUnreadable(path)) continue; // reported as unreadable
        const entries = ctx.guard('its ACLs are not imported', () => {
          const json = jsonOf(path, ctx.node(path));
          if (json === null) return [];
          ctx.checkVersion(path, json.version(), [1], 'version 1');
          return json.array('acls').map((entry, i) => {
            if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ZkDataError(path, 'malformed-json', `key "acls[${i}]" is ${show(entry)}, not a JSON object`);
            return entry as Record<string, unknown>;
          });
        });
        (entries ?? []).forEach((e, i) => {
          const operation = enumOf<AclOperation>(ACL_OPERATION_CODES, e['operation']);
          const permissionType = enumOf<AclPermissionType>(ACL_PERMISSION_TYPE_CODES, e['permissionType']);
          const binding = { resourceType, resourceName, patternType, principal: e['principal'], host: e['host'], operation: operation ?? e['operation'], permissionType: permissionType ?? e['permissionType'] } as AclBinding;
          const error = newAclError(binding);
          if (error !== null) {
            ctx.anomaly(path, 'invalid-acl', 'error', `acls[${i}] ${entryText(e)}: ${error.message ?? 'refused'}; this ACL is not imported`);
            return;
          }
          const key = aclBindingKey(binding);
          if (seen.has(key)) return;
          seen.add(key);
          bindings.push(binding);
        });
      }
    }
  };
  store(ACL_PATH, 'LITERAL');
  for (const patternDir of ctx.children(ACL_EXTENDED_PATH)) {
    const dir = childPath(ACL_EXTENDED_PATH, patternDir);
    if (patternDir === 'prefixed') store(dir, 'PREFIXED');
    else if (ctx.children(dir).some((t) => ctx.children(childPath(dir, t)).length > 0)) {
      ctx.anomaly(dir, 'invalid-acl', 'error', `"${patternDir}" is not a pattern type Kafka stores here (only prefixed; literal ACLs live under ${ACL_PATH}); its ACLs are not imported`);
    }
  }
  const used = new Set<Uuid>();
  return bindings.map((b): AccessControlEntryRecord => {
    let id = randomUuid(ctx.options.random);
    for (let tries = 1; used.has(id); tries++) {
      if (tries >= 1_000) throw new Error('planMigration: 1000 ACL ids in a row were drawn already; the random source is broken');
      id = randomUuid(ctx.options.random);
    }
    used.add(id);
    return { type: 'AccessControlEntry', id, ...b };
  });
}

export function countDelegationTokens(ctx: PlanContext): number {
  return ctx.children(TOKENS_PATH).length;
}
