// Which client quotas a DescribeClientQuotas filter selects: Kafka's ClientQuotasImage.describe,
// as the broker answers DescribeClientQuotas from its image and the controller answers
// `metaquorum configs describe --entity-type users|clients|ips`.
//
// A filter is a list of components, each naming an entity type at most once:
//   EXACT (0)      the entity has that type with that name (match: the name, never null)
//   DEFAULT (1)    the entity has that type's default (match: null)
//   SPECIFIED (2)  the entity has that type, whatever its name, the default included (match: null)
// An entity is selected when every component holds for it; with `strict`, it must also have no
// other types (strict with no components selects nothing; not strict, everything).
//
// Refused filters, with Kafka's error and words: an empty entity type, a type twice, a match
// string against its match type, or an unknown match type → INVALID_REQUEST; a type other than
// user, client-id and ip → UNSUPPORTED_VERSION; ip together with user or client-id →
// INVALID_REQUEST (no entity holds both).

import type { MetadataImageView, StoredClientQuota } from './image-types.js';
import { CLIENT_QUOTA_ENTITY_TYPES } from './records/client-quota.js';
import type { ClientQuotaEntityPart, ClientQuotaEntityType } from './records/types.js';

/** Kafka's DescribeClientQuotasRequest match types. */
export const ClientQuotaMatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface ClientQuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

export interface ClientQuotaFilter {
  readonly components: readonly ClientQuotaFilterComponent[];
  readonly strict: boolean;
}

export type ClientQuotaFilterRefusal = { readonly error: 'INVALID_REQUEST' | 'UNSUPPORTED_VERSION'; readonly message: string };

/** The selected entities, or why the filter is refused. Entities sorted by their parts (types in canonical order, the default first). */
export function selectClientQuotas(image: MetadataImageView, filter: ClientQuotaFilter): { readonly entries: readonly StoredClientQuota[] } | ClientQuotaFilterRefusal {
  const exact = new Map<ClientQuotaEntityType, string | null>();
  const anyName = new Set<ClientQuotaEntityType>();
  for (const c of filter.components) {
    if (c.entityType === '') return { error: 'INVALID_REQUEST', message: 'Invalid empty entity type.' };
    const type = c.entityType as ClientQuotaEntityType;
    if (exact.has(type) || anyName.has(type)) return { error: 'INVALID_REQUEST', message: `Entity type ${c.entityType} cannot appear more than once in the filter.` };
    if (!CLIENT_QUOTA_ENTITY_TYPES.includes(type)) return { error: 'UNSUPPORTED_VERSION', message: `Unsupported entity type ${c.entityType}` };
    switch (c.matchType) {
      case ClientQuotaMatchType.EXACT:
        if (c.match === null) return { error: 'INVALID_REQUEST', message: 'Request specified MATCH_TYPE_EXACT, but set match string to null.' };
        exact.set(type, c.match);
        break;
      case ClientQuotaMatchType.DEFAULT:
        if (c.match !== null) return { error: 'INVALID_REQUEST', message: 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.' };
        exact.set(type, null);
        break;
      case ClientQuotaMatchType.SPECIFIED:
        if (c.match !== null) return { error: 'INVALID_REQUEST', message: 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.' };
        anyName.add(type);
        break;
      default:
        return { error: 'INVALID_REQUEST', message: `Unknown match type ${c.matchType}` };
    }
  }
  const has = (t: ClientQuotaEntityType) => exact.has(t) || anyName.has(t);
  if (has('ip') && (has('user') || has('client-id'))) {
    return { error: 'INVALID_REQUEST', message: 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.' };
  }
  const wanted = exact.size + anyName.size;
  const entries: StoredClientQuota[] = [];
  if (filter.strict && wanted === 0) return { entries };
  for (const q of image.clientQuotas()) {
    if (filter.strict && q.entity.length !== wanted) continue;
    if (selects(q.entity, exact, anyName)) entries.push(q);
  }
  entries.sort((a, b) => compareEntities(a.entity, b.entity));
  return { entries };
}

function selects(entity: readonly ClientQuotaEntityPart[], exact: ReadonlyMap<ClientQuotaEntityType, string | null>, anyName: ReadonlySet<ClientQuotaEntityType>): boolean {
  for (const [type, name] of exact) {
    const part = entity.find((p) => p.entityType === type);
    if (part === undefined || part.entityName !== name) return false;
  }
  for (const type of anyName) if (!entity.some((p) => p.entityType === type)) return false;
  return true;
}

/** `user "alice@example.com", client-id <default>`: names quoted, the default as Kafka's tools show it (for messages and reports). */
export function clientQuotaEntityText(entity: readonly { readonly entityType: string; readonly entityName: string | null }[]): string {
  return entity.map((p) => `${p.entityType} ${p.entityName === null ? '<default>' : JSON.stringify(p.entityName)}`).join(', ');
}

/** Canonical order of entities: by their parts in turn (type order, then the default before names, then names). */
export function compareEntities(a: readonly ClientQuotaEntityPart[], b: readonly ClientQuotaEntityPart[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const byType = CLIENT_QUOTA_ENTITY_TYPES.indexOf(x.entityType) - CLIENT_QUOTA_ENTITY_TYPES.indexOf(y.entityType);
    if (byType !== 0) return byType;
    if (x.entityName !== y.entityName) {
      if (x.entityName === null) return -1;
      if (y.entityName === null) return 1;
      return x.entityName < y.entityName ? -1 : 1;
    }
  }
  return a.length - b.length;
}
