// metadata-shell over images loaded from real node directories and snapshot files: the file
// system (ls, cat, tree, find, cd with relative paths and .., errors for unknown paths), --json
// output, the interactive prompt, the command's exit codes, and the image itself: newest snapshot
// plus the log tail (also a snapshot ending inside a batch) equals replaying the whole log; a
// corrupt snapshot is skipped; a log that stops applying or starts after every snapshot is named.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Packr } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../quorum/env/index.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import { writeSnapshot } from '../../metadata-log/snapshot.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import { escapeName, imageRoot, normalizePath, resolvePath } from '../../tools/inspect/image-fs.js';
import { ImageLoadError, loadImage } from '../../tools/inspect/load-image.js';
import { registerMetadataShell, runMetadataShell, SHELL_PROMPT } from '../../tools/inspect/metadata-shell.js';
import { globToRegExp, ShellSession, tokenize } from '../../tools/inspect/shell-commands.js';
import { recordLine } from '../../tools/inspect/dump-format.js';
import { viewRecord } from '../../tools/inspect/record-view.js';
import type { InspectSource } from '../../tools/inspect/source.js';
import { fixtureBatches, LOG_END_OFFSET, TOPIC_ID, uuid, withCapturedCommand, writeNodeDir } from './inspect-fixture.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mq-inspect-shell-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly notes: string[];
}

async function shell(source: InspectSource, commands: string[], json = false): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const notes: string[] = [];
  const code = await runMetadataShell(source, { commands, json }, { out: (t) => out.push(t), err: (t) => err.push(t), note: (t) => notes.push(t) });
  return { code, out, err, notes };
}

const dirSource = (dir: string): InspectSource => ({ kind: 'dir', dir });

/** A session on the image of the whole fixture log (no I/O). */
function session(json = false): { s: ShellSession; out: string[]; err: string[] } {
  const loader = new MetadataLoader();
  loader.applyBatches(fixtureBatches());
  const out: string[] = [];
  const err: string[] = [];
  return { s: new ShellSession(imageRoot(loader.image), { out: (t) => out.push(t), err: (t) => err.push(t) }, json), out, err };
}

function snapshotBytes(image: MetadataImage): Buffer {
  return Buffer.concat(writeSnapshot(image));
}

/** The fixture log with `records` appended in one more batch, as a loader has it and as read back from its snapshot. */
function fixtureImagesWith(records: readonly Uint8Array[]): MetadataImage[] {
  const loader = new MetadataLoader();
  loader.applyBatches([...fixtureBatches(), { baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 0, records: [...records] }]);
  const snapshotLoader = new MetadataLoader();
  snapshotLoader.loadSnapshot(loader.image.provenance, Buffer.concat(writeSnapshot(loader.image)));
  return [loader.image, snapshotLoader.image];
}

describe('metadata-shell file system', () => {
  it('cat /groups/<group> prints a group\'s stored membership, bytes as hex', () => {
    const loader = new MetadataLoader();
    loader.applyBatches(fixtureBatches());
    const member = { memberId: 'm-1', groupInstanceId: 'i-1', clientId: 'app', clientHost: '/10.0.0.1', rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 10_000, subscription: Buffer.from([0, 1]), assignment: Buffer.from([0xab]) };
    loader.applyBatches([{ baseOffset: LOG_END_OFFSET, epoch: 2, records: [encodeRecord({ type: 'GroupMetadata', groupId: 'billing/eu', protocolType: 'consumer', generationId: 4, protocolName: 'range', leaderId: 'm-1', stateTimestampMs: 7, members: [member] })] }]);
    const out: string[] = [];
    const s = new ShellSession(imageRoot(loader.image), { out: (t) => out.push(t), err: () => undefined }, true);
    expect(s.execute('ls /groups')).toBe('ok');
    expect(JSON.parse(out.pop()!)).toEqual(['billing%2Feu']);
    expect(s.execute('cat /groups/billing%2Feu')).toBe('ok');
    expect(JSON.parse(out.pop()!)).toEqual({
      protocolType: 'consumer', generationId: 4, protocolName: 'range', leaderId: 'm-1', stateTimestampMs: 7,
      members: [{ ...member, subscription: '0001', assignment: 'ab' }],
    });
  });

  it('ls / lists the top-level directories; ls /topics the topics; ls of a file names the file', () => {
    const { s, out } = session();
    expect(s.execute('ls /')).toBe('ok');
    expect(out.pop()!.split('\n')).toEqual(['acls', 'brokers', 'clientQuotas', 'configs', 'features', 'groups', 'metadataQuorum', 'offsets', 'producerIds', 'scramCredentials', 'topicIds', 'topics', 'zkMigrationState']);
    s.execute('ls /topics');
    expect(out.pop()).toBe('t');
    s.execute('ls /topics/t');
    expect(out.pop()!.split('\n')).toEqual(['0', '1', 'id', 'name']);
    s.execute('ls /topics/t/id');
    expect(out.pop()).toBe('id');
  });

  it('cat /topics/t/0/data prints the partition registration (text: indented JSON; --json: one line)', () => {
    const expected = { replicas: [1, 2], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 1 };
    const text = session();
    expect(text.s.execute('cat /topics/t/0/data')).toBe('ok');
    expect(JSON.parse(text.out[0]!)).toEqual(expected);
    expect(text.out[0]).toContain('\n  "replicas": [1, 2],\n');
    const json = session(true);
    json.s.execute('cat /topics/t/0/data');
    expect(json.out).toEqual([JSON.stringify(expected)]);
    json.s.execute('cat /topics/t/id /metadataQuorum/offset /metadataQuorum/epoch /features/metadata.version');
    expect(json.out.slice(1)).toEqual([JSON.stringify(TOPIC_ID), String(LOG_END_OFFSET), '2', '1']);
  });

  it('the rest of the image: brokers, topicIds, configs (the cluster default as <empty>), features, offsets', () => {
    const { s, out } = session(true);
    const cat = (path: string): unknown => {
      expect(s.execute(`cat ${path}`)).toBe('ok');
      return JSON.parse(out.pop()!);
    };
    expect(cat('/brokers/2/registration')).toMatchObject({ brokerId: 2, fenced: false, endpoints: [{ host: 'broker-2', port: 9092 }] });
    expect(cat('/brokers/2/isFenced')).toBe(false);
    expect(cat(`/topicIds/${TOPIC_ID}/name`)).toBe('t');
    expect(cat(`/topicIds/${TOPIC_ID}/1/data`)).toMatchObject({ replicas: [2, 1], leader: 2 });
    expect(cat('/configs/topic/t/retention.ms')).toBe('1000');
    expect(cat('/configs/broker/<empty>/log.retention.hours')).toBe('24');
    expect(cat('/features/group.version')).toBe(1);
    expect(cat('/offsets/g/t/0')).toEqual({ offset: 42, leaderEpoch: 1, metadata: null, commitTimestampMs: 1_700_000_000_000 });
    expect(cat('/producerIds/nextProducerId')).toBe(0);
    s.execute('ls /features');
    expect(JSON.parse(out.pop()!)).toEqual(['group.version', 'metadata.version']);
  });

  it('tree /brokers prints every directory and file under it', () => {
    const { s, out } = session();
    expect(s.execute('tree /brokers')).toBe('ok');
    const lines = out[0]!.split('\n');
    expect(lines[0]).toBe('/brokers');
    expect(lines.map((l) => l.replace(/^( *registration: ).*$/, '$1…'))).toEqual([
      '/brokers',
      '  1/',
      '    isFenced: false',
      '    registration: …',
      '  2/',
      '    isFenced: false',
      '    registration: …',
    ]);
    expect(lines[3]).toMatch(/^ {4}registration: \{"brokerId":1,"incarnationId":/);
    expect(lines[6]).toMatch(/^ {4}registration: \{"brokerId":2,/);
    const json = session(true);
    json.s.execute('tree /brokers');
    const tree = JSON.parse(json.out[0]!) as Record<string, Record<string, unknown>>;
    expect(Object.keys(tree)).toEqual(['1', '2']);
    expect(tree['2']).toMatchObject({ isFenced: false, registration: { brokerId: 2 } });
  });

  it('find / -name data finds every partition under /topics and /topicIds; -type and globs filter', () => {
    const { s, out } = session();
    expect(s.execute('find / -name data')).toBe('ok');
    expect(out.pop()!.split('\n')).toEqual([`/topicIds/${TOPIC_ID}/0/data`, `/topicIds/${TOPIC_ID}/1/data`, '/topics/t/0/data', '/topics/t/1/data']);
    s.execute('find /topics -type d');
    expect(out.pop()!.split('\n')).toEqual(['/topics', '/topics/t', '/topics/t/0', '/topics/t/1']);
    s.execute("find /features -name '*.version' -type f");
    expect(out.pop()!.split('\n')).toEqual(['/features/group.version', '/features/metadata.version']);
    const json = session(true);
    json.s.execute('find /brokers -name [12]');
    expect(JSON.parse(json.out[0]!)).toEqual(['/brokers/1', '/brokers/2']);
  });

  it('cd, pwd and relative paths with . and ..', () => {
    const { s, out, err } = session();
    expect(s.execute('cd /topics/t')).toBe('ok');
    s.execute('pwd');
    expect(out.pop()).toBe('/topics/t');
    s.execute('cat 0/data');
    expect(JSON.parse(out.pop()!)).toMatchObject({ leader: 1 });
    s.execute('cat ./1/../1/data');
    expect(JSON.parse(out.pop()!)).toMatchObject({ leader: 2 });
    s.execute('ls ../..');
    expect(out.pop()!.split('\n')).toContain('metadataQuorum');
    expect(s.execute('cd ../../brokers/1')).toBe('ok');
    expect(s.cwd).toBe('/brokers/1');
    s.execute('cat ../../../../metadataQuorum/offset'); // .. at / stays at /
    expect(out.pop()).toBe(String(LOG_END_OFFSET));
    expect(s.execute('cd')).toBe('ok');
    expect(s.cwd).toBe('/');
    expect(err).toEqual([]);
  });

  it('unknown paths and misuse are error lines that fail the command; the working directory stays', () => {
    const { s, out, err } = session();
    s.execute('cd /topics');
    expect(s.execute('ls /nope')).toBe('error');
    expect(s.execute('cat nope')).toBe('error');
    expect(s.execute('cd /topics/t/id')).toBe('error');
    expect(s.execute('cat /topics/t/id/x')).toBe('error');
    expect(s.execute('cat /topics')).toBe('error');
    expect(s.execute('tree /nope')).toBe('error');
    expect(s.execute('find / -name')).toBe('error');
    expect(s.execute('frobnicate')).toBe('error');
    expect(s.execute('cat "unclosed')).toBe('error');
    expect(err).toEqual([
      'ls: /nope: no such file or directory',
      'cat: nope: no such file or directory',
      'cd: /topics/t/id: not a directory',
      'cat: /topics/t/id/x: not a directory',
      'cat: /topics: is a directory',
      'tree: /nope: no such file or directory',
      'find: -name needs a value',
      'frobnicate: unknown command (try help)',
      'syntax error: unclosed " quote',
    ]);
    expect(out).toEqual([]);
    expect(s.cwd).toBe('/topics');
    const json = session(true);
    json.s.execute('ls /nope');
    expect(json.err).toEqual([JSON.stringify({ error: 'ls: /nope: no such file or directory' })]); // at the prompt: no exit code
  });

  it('find with a glob the RegExp engine refuses fails that command only; the session and a --command run go on', async () => {
    const { s, out, err } = session();
    expect(s.execute('find / -name "[z-a]*"')).toBe('error');
    expect(err).toEqual(['find: bad pattern [z-a]*: Range out of order in character class']);
    expect(s.execute('ls /topics')).toBe('ok');
    expect(out).toEqual(['t']);
    await writeNodeDir(root);
    const run = await shell(dirSource(root), ['find / -name "[z-a]*"', 'pwd']);
    expect(run.code).toBe(1);
    expect(run.out).toEqual(['/']);
  });

  it('--json: help is one JSON object; ls of several paths ties each list to its path', () => {
    const { s, out, err } = session(true);
    expect(s.execute('help')).toBe('ok');
    expect((JSON.parse(out.pop()!) as { help: string[] }).help[0]).toMatch(/^Commands/);
    expect(s.execute('ls /topics /nope /features')).toBe('error');
    expect(out.map((o) => JSON.parse(o) as unknown)).toEqual([
      { path: '/topics', names: ['t'] },
      { path: '/features', names: expect.any(Array) as unknown },
    ]);
    expect(err.map((e) => JSON.parse(e) as unknown)).toEqual([{ error: 'ls: /nope: no such file or directory' }]);
  });

  it('a secret config value (a password set as a dynamic broker config, kept in clear in the log) shows as [redacted] in the shell and in record lines; other values as they are', () => {
    const configs = [
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'listener.name.internal.ssl.key.password', value: 's3cret' },
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'ssl.keystore.password', value: 'k3y' },
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'log.cleaner.threads', value: '2' },
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'ldap.bind.password', value: 'hunter2' }, // unknown here: taken for a secret, as Kafka does
    ] as const;
    const loader = new MetadataLoader();
    loader.applyBatches(fixtureBatches());
    loader.applyBatches([{ baseOffset: LOG_END_OFFSET, epoch: 2, records: configs.map((r) => encodeRecord(r)) }]);
    const out: string[] = [];
    const s = new ShellSession(imageRoot(loader.image), { out: (t) => out.push(t), err: () => undefined }, true);
    expect(s.execute('tree /configs/broker/4')).toBe('ok');
    expect(JSON.parse(out.pop()!)).toEqual({ 'ldap.bind.password': '[redacted]', 'listener.name.internal.ssl.key.password': '[redacted]', 'log.cleaner.threads': '2', 'ssl.keystore.password': '[redacted]' });
    const lines = configs.map((r, i) => recordLine({ offset: i }, viewRecord(encodeRecord(r)), false));
    expect(lines.filter((l) => l.includes('s3cret') || l.includes('k3y') || l.includes('hunter2'))).toEqual([]);
    expect(lines.filter((l) => l.includes('"value":"[redacted]"'))).toHaveLength(3);
    expect(lines[2]).toContain('"value":"2"');
  });

  it("a SCRAM credential's salt, StoredKey and ServerKey show as [redacted] in record lines; its user, mechanism and iterations as they are", () => {
    const secret = Buffer.from('a-secret-key-byte-string-of-32by');
    const line = recordLine({ offset: 7 }, viewRecord(encodeRecord({ type: 'UserScramCredential', name: 'alice', mechanism: 1, salt: secret, storedKey: secret, serverKey: secret, iterations: 8192 })), false);
    expect(line).not.toContain(secret.toString('hex'));
    expect(line).not.toContain(secret.toString('base64'));
    expect(line.match(/\[redacted\]/g)).toHaveLength(3);
    expect(line).toContain('"name":"alice"');
    expect(line).toContain('"iterations":8192');
  });

  it("a SCRAM credential this build cannot decode shows its error, not its bytes (they may hold the salt and keys); another record's bytes show", () => {
    const secret = Buffer.from('a-secret-key-byte-string-of-32by');
    const packr = new Packr({ useRecords: false });
    const damage = (bytes: Uint8Array): Uint8Array => {
      const envelope = packr.unpack(bytes) as unknown[];
      (envelope[3] as unknown[])[1] = 'not a number'; // the second payload field: a mechanism, a topic id
      return packr.pack(envelope);
    };
    const scram = damage(encodeRecord({ type: 'UserScramCredential', name: 'alice', mechanism: 1, salt: secret, storedKey: secret, serverKey: secret, iterations: 8192 }));
    const line = recordLine({ offset: 7 }, viewRecord(scram), false);
    expect(line).toMatch(/error: .*mechanism/);
    expect(line).not.toContain(secret.toString('hex'));
    const topic = damage(encodeRecord({ type: 'Topic', name: 'orders', topicId: 'AQIDBAUGBwgJCgsMDQ4PEA' }));
    expect(recordLine({ offset: 8 }, viewRecord(topic), false)).toContain(Buffer.from('orders').toString('hex'));
  });

  it('SCRAM credentials: /scramCredentials/<user>/<mechanism> shows the iteration count only; the same from a snapshot', () => {
    const key = Buffer.alloc(32, 7);
    for (const image of fixtureImagesWith([
      encodeRecord({ type: 'UserScramCredential', name: 'alice', mechanism: 1, salt: key, storedKey: key, serverKey: key, iterations: 4096 }),
      encodeRecord({ type: 'UserScramCredential', name: 'alice', mechanism: 2, salt: key, storedKey: Buffer.alloc(64, 7), serverKey: Buffer.alloc(64, 7), iterations: 8192 }),
      encodeRecord({ type: 'UserScramCredential', name: 'bob', mechanism: 1, salt: key, storedKey: key, serverKey: key, iterations: 4096 }),
      encodeRecord({ type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 }),
    ])) {
      const out: string[] = [];
      const s = new ShellSession(imageRoot(image), { out: (t) => out.push(t), err: () => undefined });
      expect(s.execute('tree /scramCredentials')).toBe('ok');
      expect(out.pop()!.split('\n')).toEqual(['/scramCredentials', '  alice/', '    SCRAM-SHA-256: {"iterations":4096}', '    SCRAM-SHA-512: {"iterations":8192}']);
    }
  });

  it('--command --json: a failed command is {error, exitCode: 1} and the run exits 1', async () => {
    await writeNodeDir(root);
    const run = await shell(dirSource(root), ['ls /nope', 'pwd'], true);
    expect(run.code).toBe(1);
    expect(run.err.map((e) => JSON.parse(e) as unknown)).toEqual([{ error: 'ls: /nope: no such file or directory', exitCode: 1 }]);
    expect(run.out).toEqual([JSON.stringify('/')]);
  });

  it('an explicit expire timestamp (OffsetCommit v2-v4 retention_time_ms) shows in the shell, from the log and from a snapshot, and in the dump-log record line (version 1)', () => {
    const record = { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 1, offset: 7, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_700_000_000_000, expireTimestampMs: 1_700_000_001_000 } as const;
    const loader = new MetadataLoader();
    loader.applyBatches([...fixtureBatches(), { baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 0, records: [encodeRecord(record)] }]);
    const snapshotLoader = new MetadataLoader();
    snapshotLoader.loadSnapshot(loader.image.provenance, Buffer.concat(writeSnapshot(loader.image)));
    for (const image of [loader.image, snapshotLoader.image]) {
      const r = resolvePath(imageRoot(image), [], '/offsets/g/t/1');
      expect(r.ok && r.node.kind === 'file' && r.node.value).toEqual({ offset: 7, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_700_000_000_000, expireTimestampMs: 1_700_000_001_000 });
    }
    expect(recordLine({ offset: 9 }, viewRecord(encodeRecord(record)), false)).toBe(
      '| offset: 9 type: OffsetCommit version: 1 payload: {"groupId":"g","topic":"t","partition":1,"offset":7,"leaderEpoch":-1,"metadata":null,"commitTimestampMs":1700000000000,"expireTimestampMs":1700000001000}',
    );
  });

  it('ACLs: ls /acls lists their ids, cat /acls/<id> shows the binding; gone once removed; dump-log shows both records with their names', () => {
    const binding = { resourceType: 'TOPIC', resourceName: 'payments', patternType: 'PREFIXED', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW' } as const;
    const add = { type: 'AccessControlEntry', id: uuid(70), ...binding } as const;
    const other = { type: 'AccessControlEntry', id: uuid(71), ...binding, principal: 'User:bob' } as const;
    const remove = { type: 'RemoveAccessControlEntry', id: uuid(71) } as const;
    const loader = new MetadataLoader();
    loader.applyBatches([...fixtureBatches(), { baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 0, records: [add, other].map(encodeRecord) }]);
    const out: string[] = [];
    const shown = new ShellSession(imageRoot(loader.image), { out: (t) => out.push(t), err: (t) => out.push(t) }, true);
    expect(shown.execute('ls /acls')).toBe('ok');
    expect(JSON.parse(out.pop()!)).toEqual([uuid(70), uuid(71)].sort());
    shown.execute(`cat /acls/${uuid(70)}`);
    expect(JSON.parse(out.pop()!)).toEqual(binding);
    loader.applyBatches([{ baseOffset: LOG_END_OFFSET + 2, epoch: 2, records: [encodeRecord(remove)] }]);
    const after = new ShellSession(imageRoot(loader.image), { out: (t) => out.push(t), err: (t) => out.push(t) }, true);
    after.execute('ls /acls');
    expect(JSON.parse(out.pop()!)).toEqual([uuid(70)]);
    expect(recordLine({ offset: 9 }, viewRecord(encodeRecord(add)), false)).toBe(
      `| offset: 9 type: AccessControlEntry version: 0 payload: {"id":"${uuid(70)}","resourceType":"TOPIC","resourceName":"payments","patternType":"PREFIXED","principal":"User:alice","host":"*","operation":"READ","permissionType":"ALLOW"}`,
    );
    expect(recordLine({ offset: 10 }, viewRecord(encodeRecord(remove)), false)).toBe(`| offset: 10 type: RemoveAccessControlEntry version: 0 payload: {"id":"${uuid(71)}"}`);
  });

  it('client quotas: /clientQuotas/<entity>/<key>, one directory per entity (user=alice,client-id=etl; a default as <default>); ls, cat, cd, tree, find; the same from a snapshot', () => {
    const quota = (entity: [string, string | null][], key: string, value: number, remove = false) =>
      encodeRecord({ type: 'ClientQuota', entity: entity.map(([entityType, entityName]) => ({ entityType: entityType as 'user', entityName })), key, value, remove });
    const images = fixtureImagesWith([
      quota([['user', 'alice']], 'producer_byte_rate', 1_048_576),
      quota([['user', 'alice']], 'request_percentage', 12.5),
      quota([['user', null]], 'consumer_byte_rate', 2_000_000),
      quota([['user', 'alice'], ['client-id', 'etl']], 'producer_byte_rate', 2048),
      quota([['client-id', 'a,b=c/d%<']], 'request_percentage', 50),
      quota([['ip', null]], 'connection_creation_rate', 10),
      quota([['ip', '10.0.0.7']], 'connection_creation_rate', 3),
      quota([['ip', '10.0.0.7']], 'connection_creation_rate', 0, true), // its last key removed: the entity is gone
    ]);
    for (const image of images) {
      const out: string[] = [];
      const err: string[] = [];
      const s = new ShellSession(imageRoot(image), { out: (t) => out.push(t), err: (t) => err.push(t) });
      expect(s.execute('ls /clientQuotas')).toBe('ok');
      expect(out.pop()!.split('\n')).toEqual(['client-id=a%2Cb%3Dc%2Fd%25%3C', 'ip=<default>', 'user=<default>', 'user=alice', 'user=alice,client-id=etl']);
      expect(s.execute('cat /clientQuotas/user=alice/producer_byte_rate /clientQuotas/user=alice/request_percentage')).toBe('ok');
      expect(out.splice(0)).toEqual(['1048576', '12.5']);
      expect(s.execute("cd '/clientQuotas/user=alice,client-id=etl'")).toBe('ok');
      s.execute('ls');
      expect(out.pop()).toBe('producer_byte_rate');
      s.execute('cat ../user=<default>/consumer_byte_rate');
      expect(out.pop()).toBe('2000000');
      expect(s.execute('tree /clientQuotas')).toBe('ok');
      expect(out.pop()!.split('\n')).toEqual([
        '/clientQuotas',
        '  client-id=a%2Cb%3Dc%2Fd%25%3C/',
        '    request_percentage: 50',
        '  ip=<default>/',
        '    connection_creation_rate: 10',
        '  user=<default>/',
        '    consumer_byte_rate: 2000000',
        '  user=alice/',
        '    producer_byte_rate: 1048576',
        '    request_percentage: 12.5',
        '  user=alice,client-id=etl/',
        '    producer_byte_rate: 2048',
      ]);
      expect(s.execute('find / -name producer_byte_rate')).toBe('ok');
      expect(out.pop()!.split('\n')).toEqual(['/clientQuotas/user=alice/producer_byte_rate', '/clientQuotas/user=alice,client-id=etl/producer_byte_rate']);
      expect(s.execute("find /clientQuotas -name 'user=*' -type d")).toBe('ok');
      expect(out.pop()!.split('\n')).toEqual(['/clientQuotas/user=<default>', '/clientQuotas/user=alice', '/clientQuotas/user=alice,client-id=etl']);
      expect(s.execute('ls /clientQuotas/ip=10.0.0.7')).toBe('error');
      expect(err).toEqual(['ls: /clientQuotas/ip=10.0.0.7: no such file or directory']);
      const json = new ShellSession(imageRoot(image), { out: (t) => out.push(t), err: (t) => err.push(t) }, true);
      json.execute('tree /clientQuotas/user=alice');
      expect(JSON.parse(out.pop()!)).toEqual({ producer_byte_rate: 1_048_576, request_percentage: 12.5 });
    }
  });

  it('names that are not path segments are escaped: a group id with a slash, the empty name, dots', () => {
    expect(escapeName('a/b')).toBe('a%2Fb');
    expect(escapeName('')).toBe('<empty>');
    expect(escapeName('..')).toBe('%2E%2E');
    expect(escapeName('100%<x>')).toBe('100%25%3Cx>');
    const loader = new MetadataLoader();
    loader.applyBatches([...fixtureBatches(), { baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 0, records: [encodeRecord({ type: 'OffsetCommit', groupId: 'team/a b', topic: 't', partition: 1, offset: 7, leaderEpoch: -1, metadata: 'm', commitTimestampMs: 1 })] }]);
    const fs = imageRoot(loader.image);
    const r = resolvePath(fs, [], '/offsets/team%2Fa b/t/1');
    expect(r.ok && r.node.kind === 'file' && r.node.value).toMatchObject({ offset: 7, metadata: 'm' });
    const out: string[] = [];
    new ShellSession(fs, { out: (t) => out.push(t), err: () => {} }).execute("ls '/offsets'");
    expect(out).toEqual(['g\nteam%2Fa b']);
  });

  it('tokenize, globs and path normalization', () => {
    expect(tokenize(`find  /a\\ b -name "x y" 'z\\'`)).toEqual(['find', '/a b', '-name', 'x y', 'z\\']);
    expect(tokenize('cat ""')).toEqual(['cat', '']);
    expect(() => tokenize('cat x\\')).toThrow(/backslash/);
    expect(globToRegExp('*.version').test('metadata.version')).toBe(true);
    expect(globToRegExp('*.version').test('metadataXversion')).toBe(false);
    expect(globToRegExp('?').test('12')).toBe(false);
    expect(globToRegExp('[!1]').test('2')).toBe(true);
    expect(normalizePath(['a', 'b'], '../c/./d')).toEqual(['a', 'c', 'd']);
    expect(normalizePath(['a'], '/x//y/')).toEqual(['x', 'y']);
  });
});

describe('metadata-shell loading', () => {
  it('--dir: runs --command lines in order against the newest snapshot plus the log tail, exit 0', async () => {
    await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const run = await shell(dirSource(root), ['ls /topics', 'cat /metadataQuorum/offset', 'cat /topics/t/0/data'], true);
    expect(run.code).toBe(0);
    expect(run.err).toEqual([]);
    expect(run.out[0]).toBe('["t"]');
    expect(run.out[1]).toBe(String(LOG_END_OFFSET));
    expect(JSON.parse(run.out[2]!)).toMatchObject({ isr: [1], partitionEpoch: 1 });
    expect(run.notes).toEqual([]); // a log at rest reads at the first attempt
  });

  it('a failing --command makes the exit code 1 but the later commands still run; exit stops', async () => {
    await writeNodeDir(root);
    const run = await shell(dirSource(root), ['ls /nope', 'pwd', 'exit', 'pwd']);
    expect(run.code).toBe(1);
    expect(run.err).toEqual(['ls: /nope: no such file or directory']);
    expect(run.out).toEqual(['/']);
  });

  it('--snapshot: the image is the snapshot alone, at its offset', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const run = await shell({ kind: 'snapshot', file: node.snapshot!.file }, ['cat /metadataQuorum/offset', 'cat /topics/t/0/data', 'ls /offsets'], true);
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('9');
    expect(JSON.parse(run.out[1]!)).toMatchObject({ isr: [1, 2], partitionEpoch: 0 });
    expect(run.out[2]).toBe('[]');
    expect(run.notes).toEqual([]);
  });

  it('(snapshot + tail) = (whole log): with the log kept, with the prefix deleted, and with a snapshot that ends inside a batch', async () => {
    const whole = await loadImage(dirSource((await writeNodeDir(join(root, 'whole'))).metadataLogDir), () => {});
    expect(whole.snapshot).toBeNull();
    expect(whole.image.provenance).toEqual({ endOffset: LOG_END_OFFSET, epoch: 2 });
    const batches = fixtureBatches();
    const midBatch: LogBatch[] = [batches[0]!, batches[1]!, { ...batches[2]!, records: batches[2]!.records.slice(0, 2) }];
    const variants = [
      await writeNodeDir(join(root, 'kept'), { snapshotAfterBatches: 3 }),
      await writeNodeDir(join(root, 'cut'), { snapshotAfterBatches: 3, deletePrefixToSnapshot: true }),
      await writeNodeDir(join(root, 'mid'), { snapshotOf: midBatch }),
      await writeNodeDir(join(root, 'mid-cut'), { snapshotOf: midBatch, deletePrefixToSnapshot: true }),
    ];
    const ids = [];
    for (const v of variants) {
      const loaded = await loadImage(dirSource(v.metadataLogDir), () => {});
      ids.push(loaded.snapshot);
      expect(loaded.problems).toEqual([]);
      expect(loaded.image.provenance).toEqual(whole.image.provenance);
      expect(snapshotBytes(loaded.image).equals(snapshotBytes(whole.image))).toBe(true);
      const tree = await shell(dirSource(v.metadataLogDir), ['tree /'], true);
      expect(tree.out).toEqual((await shell(dirSource(join(root, 'whole')), ['tree /'], true)).out);
    }
    expect(ids).toEqual([
      { endOffset: 9, epoch: 2 },
      { endOffset: 9, epoch: 2 },
      { endOffset: 7, epoch: 2 },
      { endOffset: 7, epoch: 2 },
    ]);
  });

  it('a corrupt newest snapshot is skipped with a warning and the log is replayed from the start', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const bytes = await readFile(node.snapshot!.file);
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff;
    await writeFile(node.snapshot!.file, bytes);
    const loaded = await loadImage(dirSource(root), () => {});
    expect(loaded.snapshot).toBeNull();
    expect(loaded.problems).toEqual([expect.stringMatching(/^skipped snapshot 00000000000000000009-0000000002\.checkpoint: snapshot 9-2 is corrupt/)]);
    expect(loaded.image.provenance.endOffset).toBe(LOG_END_OFFSET);
    const run = await shell(dirSource(root), ['cat /metadataQuorum/offset']);
    expect(run.notes).toContainEqual(expect.stringMatching(/^warning: skipped snapshot/));
    // The commands still run, but the exit code says the data was damaged, as dump-log's does.
    expect(run.out).toHaveLength(1);
    expect(run.err).toEqual(['error: the data could not be loaded whole (1 warning(s) above)']);
    expect(run.code).toBe(1);
    // --json: every stderr line is a JSON object, the run's error with its exit code.
    const json = await shell(dirSource(root), ['cat /metadataQuorum/offset', 'ls /nope'], true);
    expect(json.code).toBe(1);
    expect(json.notes.map((n) => Object.keys(JSON.parse(n) as object))).toContainEqual(['warning']);
    expect(json.notes.every((n) => typeof JSON.parse(n) === 'object')).toBe(true);
    expect(json.err.map((e) => JSON.parse(e) as unknown)).toEqual([
      { error: 'ls: /nope: no such file or directory', exitCode: 1 },
      { error: 'the data could not be loaded whole (1 warning(s) above)', exitCode: 1 },
    ]);
  });

  it('a record that does not apply stops the replay at the batch before it, and says where', async () => {
    const batches = fixtureBatches();
    batches.push({ baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 0, records: [encodeRecord({ type: 'PartitionChange', topicId: TOPIC_ID, partitionId: 9, isr: [1] })] });
    await writeNodeDir(root, { batches });
    const loaded = await loadImage(dirSource(root), () => {});
    expect(loaded.image.provenance.endOffset).toBe(LOG_END_OFFSET);
    expect(loaded.problems).toEqual([expect.stringMatching(new RegExp(`^the replay stopped at the batch at offset ${LOG_END_OFFSET} .*unknown partition 9`))]);
  });

  it('a log that starts after the newest snapshot ends cannot be loaded (ImageLoadError), and says which offsets are missing', async () => {
    const node = await writeNodeDir(root);
    const log = await SegmentLogStorage.open(join(node.partitionDir, 'log'), silentLogger);
    await log.load();
    await log.deletePrefix(5);
    await log.close();
    const e = await loadImage(dirSource(root), () => {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImageLoadError);
    expect((e as Error).message).toMatch(/starts at offset 5, but there is no usable snapshot: offsets 0\.\.4 are missing/);
  });
});

describe('metadata-shell interactive and command', () => {
  it('reads commands from the input until exit, showing the prompt on a terminal', async () => {
    await writeNodeDir(root);
    const input = new PassThrough();
    const terminal = new PassThrough();
    let shown = '';
    terminal.on('data', (d: Buffer) => (shown += d.toString()));
    const out: string[] = [];
    const err: string[] = [];
    const done = runMetadataShell(dirSource(root), { commands: [] }, { out: (t) => out.push(t), err: (t) => err.push(t), note: () => {}, input, terminal });
    input.write('cd /topics\nls\ncat t/nope\npwd\nexit\nls /\n');
    expect(await done).toBe(0);
    expect(out).toEqual(['t', '/topics']);
    expect(err).toEqual(['cat: t/nope: no such file or directory']);
    expect(shown).toContain(SHELL_PROMPT);
  });

  it('commands piped in (no terminal) are a script: a failed one exits 1, its --json error with exitCode; data loaded in part too', async () => {
    await writeNodeDir(root);
    const piped = async (text: string, json = false) => {
      const input = new PassThrough();
      const out: string[] = [];
      const err: string[] = [];
      const done = runMetadataShell(dirSource(root), { commands: [], json }, { out: (t) => out.push(t), err: (t) => err.push(t), note: () => {}, input });
      input.end(text);
      return { code: await done, out, err };
    };
    expect(await piped('ls /topics\npwd\n')).toEqual({ code: 0, out: ['t', '/'], err: [] });
    expect(await piped('ls /nope\npwd\n')).toEqual({ code: 1, out: ['/'], err: ['ls: /nope: no such file or directory'] });
    const json = await piped('ls /nope\n', true);
    expect([json.code, json.err.map((e) => JSON.parse(e) as unknown)]).toEqual([1, [{ error: 'ls: /nope: no such file or directory', exitCode: 1 }]]);
    expect((await piped('exit\nls /nope\n')).code).toBe(0); // nothing after exit runs
  });

  it('is registered on a program: --command with --json prints the JSON; a failed command exits 1; no source exits 2', async () => {
    await writeNodeDir(root);
    await withCapturedCommand(registerMetadataShell, 'metadata-shell', async (run, out, err) => {
      expect(await run('--dir', root, '--command', 'cat /topics/t/0/data', '--json')).toBeUndefined();
      expect(JSON.parse(out.join(''))).toEqual({ replicas: [1, 2], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 1 });
      out.length = 0;
      expect(await run('--dir', root, '-c', 'ls /nope', '-c', 'ls /topics')).toBe(1);
      expect(out.join('')).toBe('t\n');
      expect(err.join('')).toContain('ls: /nope: no such file or directory\n');
      expect(await run('--command', 'ls')).toBe(2);
    });
  });
});
