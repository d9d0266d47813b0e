// A metadata image as a read-only virtual file system, for metadata-shell (Kafka's
// kafka-metadata-shell tree, reference/kraft.md §7). Pure: no I/O, built lazily (a directory lists
// its children the first time it is opened), so an image with a million partitions opens at once.
//
//   /acls/<id>                                   an ACL (JSON: resourceType, resourceName, patternType,
//                                                principal, host, operation, permissionType)
//   /brokers/<id>/registration                   the broker's registration (JSON)
//   /brokers/<id>/isFenced                       true / false
//   /clientQuotas/<entity>/<key>                 a client quota's value (a number); <entity> is its
//                                                parts in the order user, client-id, ip, as
//                                                `user=alice,client-id=etl`, a default as
//                                                `user=<default>` (a name's '%', '/', '<', ',' and '='
//                                                are escaped as below, so any name reads back)
//   /configs/<resourceType>/<resourceName>/<key> a config value (cluster-wide broker default: <empty>; a sensitive one [redacted])
//   /features/<name>                             the finalized level
//   /groups/<group>                              a consumer group's stored membership (JSON:
//                                                generation, protocol, leader, members; bytes as hex)
//   /metadataQuorum/offset                       the image's end offset (every record below is in it)
//   /metadataQuorum/epoch                        the epoch of its last record
//   /offsets/<group>/<topic>/<partition>         a committed offset (JSON)
//   /scramCredentials/<user>/<mechanism>         a SCRAM credential's iteration count (mechanism as
//                                                SCRAM-SHA-256 / SCRAM-SHA-512; salt and keys never shown)
//   /producerIds/nextProducerId                  the first producer id not yet handed out
//   /topicIds/<uuid>/...                         the same directory as /topics/<name>
//   /topics/<name>/id, /topics/<name>/name       the topic's id and name
//   /topics/<name>/<partition>/data              the partition's registration (JSON)
//   /zkMigrationState                            0 none, 1 pre-migration, 2 migration, 3 post-migration
//
// Names are escaped so that any string is one typable path segment: '%' -> %25, '/' -> %2F,
// '<' -> %3C, '.' and '..' -> %2E and %2E%2E, and the empty name -> <empty>. A '<' in a segment
// is thus always one of ours: <empty>, <default>.
// Paths: absolute or relative to the working directory, with '.' and '..'; '..' at / stays at /.

import type { MetadataImage } from '../../metadata-log/image.js';
import type { StoredClientQuota, TopicImage } from '../../metadata-log/image-types.js';
import { SCRAM_MECHANISMS } from '../../metadata-log/records/user-scram-credential.js';
import { splitOffsetKey } from '../../metadata-log/image-types.js';
import { isSensitiveConfig } from '../../quorum/controller/configs/config-schema.js';
import type { ConfigResourceType } from '../../metadata-log/records/types.js';
import { REDACTED } from './record-view.js';

export type FsNode = FsDir | FsFile;

export interface FsDir {
  readonly kind: 'dir';
  /** Children by (escaped) name, in listing order. */
  children(): ReadonlyMap<string, FsNode>;
}

export interface FsFile {
  readonly kind: 'file';
  /** A JSON value: what `cat --json` prints. */
  readonly value: unknown;
}

/** A path as segments from the root ([] is /). */
export type FsPath = readonly string[];

export type Resolved =
  | { readonly ok: true; readonly node: FsNode; readonly path: FsPath }
  | { readonly ok: false; readonly path: FsPath; readonly reason: 'no such file or directory' | 'not a directory' };

/** The root of the image's tree. */
export function imageRoot(image: MetadataImage): FsDir {
  return dir(() =>
    new Map<string, FsNode>([
      ['acls', dir(() => sortedMap([...image.acls()].map(({ id, ...binding }) => [id, file(binding)])))],
      ['brokers', brokersDir(image)],
      ['clientQuotas', clientQuotasDir(image)],
      ['configs', configsDir(image)],
      ['features', dir(() => sortedMap([...image.features()].map(([name, level]) => [name, file(level)])))],
      ['groups', groupsDir(image)],
      ['metadataQuorum', dir(() => sortedMap([['offset', file(image.provenance.endOffset)], ['epoch', file(image.provenance.epoch)]]))],
      ['offsets', offsetsDir(image)],
      ['producerIds', dir(() => new Map<string, FsNode>([['nextProducerId', file(image.nextProducerId)]]))],
      ['scramCredentials', scramCredentialsDir(image)],
      ['topicIds', dir(() => sortedMap([...image.topics()].map((t) => [t.topicId, topicDir(t)])))],
      ['topics', dir(() => sortedMap([...image.topics()].map((t) => [t.name, topicDir(t)])))],
      ['zkMigrationState', file(image.zkMigrationState)],
    ]),
  );
}

function groupsDir(image: MetadataImage): FsDir {
  return dir(() =>
    sortedMap(
      [...image.groupMetadataIds()].map((groupId) => {
        const { groupId: _named, ...stored } = image.groupMetadata(groupId)!;
        return [groupId, file(stored)];
      }),
    ),
  );
}

function brokersDir(image: MetadataImage): FsDir {
  return dir(() =>
    sortedMap(
      image.brokers().map((b) => [
        String(b.brokerId),
        dir(() => sortedMap([['registration', file(b)], ['isFenced', file(b.fenced)]])),
      ]),
    ),
  );
}

function clientQuotasDir(image: MetadataImage): FsDir {
  return dir(() => {
    // Names escaped here (a part's name has more to escape than a whole segment), so not through sortedMap.
    const entries = [...image.clientQuotas()].map((q): [string, FsNode] => [clientQuotaEntityName(q.entity), dir(() => sortedMap([...q.values].map(([key, value]) => [key, file(value)])))]);
    entries.sort(([a], [b]) => compareNames(a, b));
    return new Map(entries);
  });
}

function scramCredentialsDir(image: MetadataImage): FsDir {
  return dir(() =>
    sortedMap(
      [...image.scramUsers()].map((u) => [
        u.name,
        dir(() => sortedMap([...u.credentials].map(([mechanism, c]) => [SCRAM_MECHANISMS.get(mechanism) ?? String(mechanism), file({ iterations: c.iterations })]))),
      ]),
    ),
  );
}

/** A quota entity as one path segment: `user=alice,client-id=etl`, `ip=<default>` (see the header). */
export function clientQuotaEntityName(entity: StoredClientQuota['entity']): string {
  return entity
    .map((p) => {
      if (p.entityName === null) return `${p.entityType}=<default>`;
      if (p.entityName === '') return `${p.entityType}=<empty>`;
      return `${p.entityType}=${p.entityName.replace(/[%/<,=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}`;
    })
    .join(',');
}

function configsDir(image: MetadataImage): FsDir {
  return dir(() => {
    const byType = new Map<ConfigResourceType, Map<string, ReadonlyMap<string, string>>>();
    for (const res of image.parts.configs.values()) {
      let names = byType.get(res.resourceType);
      if (names === undefined) byType.set(res.resourceType, (names = new Map()));
      names.set(res.resourceName, res.entries);
    }
    return sortedMap(
      [...byType].map(([type, names]) => [
        type,
        dir(() =>
          sortedMap([...names].map(([name, entries]) => [name, dir(() => sortedMap([...entries].map(([k, v]) => [k, file(isSensitiveConfig(type, k) ? REDACTED : v)])))])),
        ),
      ]),
    );
  });
}

function offsetsDir(image: MetadataImage): FsDir {
  return dir(() =>
    sortedMap(
      [...image.groupIds()].map((groupId) => [
        groupId,
        dir(() => {
          const byTopic = new Map<string, [string, FsNode][]>();
          for (const [key, committed] of image.groupOffsets(groupId) ?? []) {
            const { topic, partition } = splitOffsetKey(key);
            let list = byTopic.get(topic);
            if (list === undefined) byTopic.set(topic, (list = []));
            list.push([String(partition), file(committed)]);
          }
          return sortedMap([...byTopic].map(([topic, list]) => [topic, dir(() => sortedMap(list))]));
        }),
      ]),
    ),
  );
}

function topicDir(t: TopicImage): FsDir {
  return dir(() => {
    const partitions = t.partitions.map((p, i): [string, FsNode] => [String(i), dir(() => sortedMap([['data', file(p)]]))]);
    return sortedMap([...partitions, ['id', file(t.topicId)], ['name', file(t.name)]]);
  });
}

function dir(build: () => ReadonlyMap<string, FsNode>): FsDir {
  let children: ReadonlyMap<string, FsNode> | undefined;
  return { kind: 'dir', children: () => (children ??= build()) };
}

function file(value: unknown): FsFile {
  return { kind: 'file', value };
}

/** Escapes raw names and sorts them: integers numerically and first, then by UTF-16 code units. */
function sortedMap(entries: readonly (readonly [string, FsNode])[]): Map<string, FsNode> {
  const escaped = entries.map(([name, node]) => [escapeName(name), node] as const);
  escaped.sort(([a], [b]) => compareNames(a, b));
  return new Map(escaped);
}

export function compareNames(a: string, b: string): number {
  const ia = /^\d+$/.test(a);
  const ib = /^\d+$/.test(b);
  if (ia && ib) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One raw name as one path segment (see the header). */
export function escapeName(name: string): string {
  if (name === '') return '<empty>';
  if (name === '.') return '%2E';
  if (name === '..') return '%2E%2E';
  return name.replace(/[%/<]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The segments `path` names, from the working directory `cwd`. */
export function normalizePath(cwd: FsPath, path: string): string[] {
  const out = path.startsWith('/') ? [] : [...cwd];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out;
}

export function formatPath(path: FsPath): string {
  return `/${path.join('/')}`;
}

/** The node at `path` (from `cwd`), or why there is none. */
export function resolvePath(root: FsDir, cwd: FsPath, path: string): Resolved {
  const segments = normalizePath(cwd, path);
  let node: FsNode = root;
  for (let i = 0; i < segments.length; i++) {
    if (node.kind !== 'dir') return { ok: false, path: segments, reason: 'not a directory' };
    const next: FsNode | undefined = node.children().get(segments[i]!);
    if (next === undefined) return { ok: false, path: segments, reason: 'no such file or directory' };
    node = next;
  }
  return { ok: true, node, path: segments };
}
