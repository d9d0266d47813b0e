// The authorizer of brokers and controllers: Kafka's StandardAuthorizer
// (org.apache.kafka.metadata.authorizer) over the ACLs in a node's metadata image. Pure: no I/O, no
// clock; it answers "may this session do this operation on this resource?" from an image and its
// configuration.
//
// The rules, in the order they are applied:
//   1. A principal in super.users may do everything.
//   2. The ACLs that apply to a resource (type T, name N) are those of type T that are
//        LITERAL with the name N or the wildcard '*', or
//        PREFIXED with a name that N starts with.
//   3. When no ACL applies to the resource at all (whoever it names), allow.everyone.if.no.acl.found
//      decides (default false: denied).
//   4. Of those, the ones that match the session: principal equal, or 'User:*'; host equal to the
//      client's IP (an IPv6 one in any spelling: "::1" or Java's "0:0:0:0:0:0:0:1"), or '*'.
//   5. A matching DENY of the operation or of ALL denies (DENY beats ALLOW).
//   6. A matching ALLOW of the operation or of ALL allows; an ALLOW of READ, WRITE, DELETE or ALTER
//      also allows DESCRIBE, and an ALLOW of ALTER_CONFIGS also allows DESCRIBE_CONFIGS (Kafka's
//      implied operations; a DENY implies nothing).
//   7. Anything else is denied.
//
// What each Kafka API asks of it is in broker/kafka/authorize-requests.ts (a table with one entry
// per API the broker serves); what each method of the internal RPC (msgpack frames, on controller
// and broker listeners alike) and the Raft traffic ask of it is in quorum/server/rpc-authorization.ts.
//
// The ACLs are indexed by resource type, then literal name and prefix, so a check costs a few map
// lookups (one per prefix length of the name) rather than a scan of every ACL. The index is rebuilt
// only when the image's ACL map changes: an image keeps the same persistent map (parts.acls) while
// no ACL record is replayed, and the last index is kept against that map's identity.

import { MetadataImage } from '../../../metadata-log/image.js';
import type { MetadataImageView, StoredAcl } from '../../../metadata-log/image-types.js';
import type { AclOperation, AclResourceType } from '../../../metadata-log/records/types.js';
import { WILDCARD_RESOURCE } from '../../../metadata-log/acl-filter.js';
import { assert } from '../../raft/assert.js';
import { javaIpv6Form } from '../../net/principal.js';

/** The class name that turns authorization on (authorizer.class.name), as in Kafka's KRaft mode. */
export const STANDARD_AUTHORIZER_CLASS = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
/** An ACL principal matching every principal. */
export const WILDCARD_PRINCIPAL = 'User:*';
/** An ACL host matching every host. */
export const WILDCARD_HOST = '*';

export interface AuthorizerConfig {
  /** super.users: principals allowed everything. */
  readonly superUsers: ReadonlySet<string>;
  /** allow.everyone.if.no.acl.found */
  readonly allowEveryoneIfNoAclFound: boolean;
}

/** Who is asking: the principal of the connection and the client's IP address. */
export interface Session {
  readonly principal: string;
  readonly host: string;
}

/** The ACLs of one resource type. */
interface TypeIndex {
  readonly literal: Map<string, StoredAcl[]>;
  readonly prefixed: Map<string, StoredAcl[]>;
  /** The longest PREFIXED name (no longer prefix of a resource name need be looked up). */
  longestPrefix: number;
}

type AclIndex = Map<AclResourceType, TypeIndex>;

/** Operations an ALLOW of the key also allows (Kafka's implied operations). */
const IMPLIED_BY_ALLOW: Readonly<Partial<Record<AclOperation, readonly AclOperation[]>>> = {
  DESCRIBE: ['READ', 'WRITE', 'DELETE', 'ALTER'],
  DESCRIBE_CONFIGS: ['ALTER_CONFIGS'],
};

/**
 * An ACL's host matches the session's (Java's form, principal.ts) when it is '*', the same string,
 * or the same IPv6 address in another spelling ("::1" for "0:0:0:0:0:0:0:1"): Kafka's tools store
 * the host as typed, ACLs migrated from ZooKeeper carry Java's form, and a DENY written either way
 * must not miss its client.
 */
function hostMatches(aclHost: string, host: string): boolean {
  return aclHost === WILDCARD_HOST || aclHost === host || (aclHost.includes(':') && javaIpv6Form(aclHost) === host);
}

function buildIndex(acls: Iterable<StoredAcl>): AclIndex {
  const index: AclIndex = new Map();
  for (const acl of acls) {
    let t = index.get(acl.resourceType);
    if (t === undefined) index.set(acl.resourceType, (t = { literal: new Map(), prefixed: new Map(), longestPrefix: 0 }));
    const byName = acl.patternType === 'LITERAL' ? t.literal : t.prefixed;
    const list = byName.get(acl.resourceName);
    if (list === undefined) byName.set(acl.resourceName, [acl]);
    else list.push(acl);
    if (acl.patternType === 'PREFIXED') t.longestPrefix = Math.max(t.longestPrefix, acl.resourceName.length);
  }
  return index;
}

/** The key an index is kept against: the image's persistent ACL map when it has one, else the image. */
function aclsKey(image: MetadataImageView): object {
  return image instanceof MetadataImage ? image.parts.acls : image;
}

export class StandardAuthorizer {
  private cached: { readonly key: object; readonly index: AclIndex } | null = null;
  /** How many times an index was built (tests check it is not rebuilt per request). */
  indexBuilds = 0;

  constructor(readonly config: AuthorizerConfig) {}

  private indexOf(image: MetadataImageView): AclIndex {
    const key = aclsKey(image);
    if (this.cached?.key !== key) {
      this.cached = { key, index: buildIndex(image.acls()) };
      this.indexBuilds++;
    }
    return this.cached.index;
  }

  /** Every ACL that applies to the resource (rule 2), whoever it names. */
  applicableAcls(image: MetadataImageView, resourceType: AclResourceType, resourceName: string): StoredAcl[] {
    const t = this.indexOf(image).get(resourceType);
    if (t === undefined) return [];
    const out: StoredAcl[] = [];
    const push = (list: readonly StoredAcl[] | undefined) => {
      if (list !== undefined) for (const a of list) out.push(a);
    };
    push(t.literal.get(resourceName));
    if (resourceName !== WILDCARD_RESOURCE) push(t.literal.get(WILDCARD_RESOURCE));
    if (t.prefixed.size > 0) {
      const longest = Math.min(t.longestPrefix, resourceName.length);
      for (let k = 0; k <= longest; k++) push(t.prefixed.get(resourceName.slice(0, k)));
    }
    return out;
  }

  /** Whether `session` may do `operation` on the resource. */
  authorize(image: MetadataImageView, session: Session, operation: AclOperation, resourceType: AclResourceType, resourceName: string): boolean {
    assert(operation !== 'ALL', 'a request asks for one operation, never ALL');
    if (this.config.superUsers.has(session.principal)) return true;
    const acls = this.applicableAcls(image, resourceType, resourceName);
    if (acls.length === 0) return this.config.allowEveryoneIfNoAclFound;
    const implying = IMPLIED_BY_ALLOW[operation];
    let allowed = false;
    for (const acl of acls) {
      if (acl.principal !== session.principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
      if (!hostMatches(acl.host, session.host)) continue;
      const sameOp = acl.operation === operation || acl.operation === 'ALL';
      if (acl.permissionType === 'DENY') {
        if (sameOp) return false;
      } else if (sameOp || (implying !== undefined && implying.includes(acl.operation))) {
        allowed = true;
      }
    }
    return allowed;
  }
}
