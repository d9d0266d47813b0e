// dump-log against real node directories (SegmentLogStorage, FileSnapshotStore, quorum-state):
// every record is printed at its offset with its fields, text and JSON; two replicas with the same
// log print the same --records-only lines; a snapshot file decodes; damage is printed where it is
// and counted (exit 1) while the rest is still printed; a running node's log is read while it
// appends, and the node's directory is never written.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeAtDataEnd } from '../support/segment-tail.js';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../quorum/env/index.js';
import { crc32c } from '../../quorum/node/crc32c.js';
import { encodeBatch } from '../../quorum/node/batch-codec.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { LogDirLockedError, SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { segmentFiles } from '../../quorum/node/segment-files.js';
import { READ_ATTEMPTS_MAX } from '../../tools/inspect/log-read.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import { snapshotRecords } from '../../metadata-log/snapshot.js';
import { UsageError } from '../../tools/cli/common.js';
import { dumpLog, registerDumpLog, type DumpLogOptions } from '../../tools/inspect/dump-log.js';
import { metadataStoragePaths } from '../../quorum/node/layout.js';
import { metadataPartitionDir, partitionLayout, resolvePartitionDir } from '../../tools/inspect/layout.js';
import { jsonText } from '../../tools/inspect/json.js';
import { inspectSource, type InspectSource } from '../../tools/inspect/source.js';
import { CLI } from '../support/process-harness.js';
import { fixtureBatches, LEADER_CHANGE_OFFSET, LOG_END_OFFSET, RECORDS, withCapturedCommand, writeNodeDir } from './inspect-fixture.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mq-inspect-dump-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dump(source: InspectSource, options: DumpLogOptions = {}): Promise<{ lines: string[]; notes: string[]; errors: number; records: number }> {
  const lines: string[] = [];
  const notes: string[] = [];
  const result = await dumpLog(source, { ...options, note: (l) => notes.push(l) }, (l) => lines.push(l));
  return { lines, notes, ...result };
}

const dirSource = (dir: string): InspectSource => ({ kind: 'dir', dir });

/** Every file under `dir` with its size, mtime and content hash: proof that nothing was written. */
async function fingerprint(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const s = await stat(path);
    const hash = entry.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex') : 'dir';
    out.push(`${path} ${s.size} ${s.mtimeMs} ${hash}`);
  }
  return out.sort();
}

function recordsOf(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o['kind'] === 'record' || o['kind'] === 'control' || o['kind'] === 'error');
}


/** One snapshot frame as FileSnapshotStore content holds it: length, crc32c, record count, then each record length-prefixed. */
function snapshotFrame(records: readonly Uint8Array[]): Buffer {
  const payload = Buffer.concat([u32(records.length), ...records.flatMap((r) => [u32(r.length), Buffer.from(r)])]);
  return Buffer.concat([u32(payload.length), u32(crc32c(payload)), payload]);
}

/** A snapshot content header (magic, version 1) announcing `records` records in `frames` frames. */
function snapshotHeader(records: number, frames: number): Buffer {
  const header = Buffer.alloc(20);
  header.write('MQSN', 0, 'latin1');
  header.writeUInt16BE(1, 4);
  header.writeUInt32BE(records, 8);
  header.writeUInt32BE(frames, 12);
  header.writeUInt32BE(crc32c(header.subarray(0, 16)), 16);
  return header;
}
describe('layout', () => {
  it("metadataPartitionDir is <metadata.log.dir>/__cluster_metadata-0, laid out as the node lays it out (quorum/node/layout.ts)", () => {
    expect(metadataPartitionDir('/data/meta')).toBe(join('/data/meta', '__cluster_metadata-0'));
    expect(partitionLayout(metadataPartitionDir('/data/meta'))).toEqual(metadataStoragePaths('/data/meta'));
  });

  it('--dir takes the metadata.log.dir or the __cluster_metadata-0 directory; anything else is a UsageError (exit 2)', async () => {
    const node = await writeNodeDir(join(root, 'meta'));
    expect((await resolvePartitionDir(node.metadataLogDir)).partitionDir).toBe(node.partitionDir);
    expect((await resolvePartitionDir(node.partitionDir)).partitionDir).toBe(node.partitionDir);
    const empty = await mkdtemp(join(root, 'empty-'));
    const neither = await resolvePartitionDir(empty).catch((e: unknown) => e);
    expect(neither).toBeInstanceOf(UsageError);
    expect((neither as UsageError).exitCode).toBe(2);
    expect((neither as Error).message).toMatch(/neither a metadata.log.dir .* nor a __cluster_metadata-0 directory/);
    await expect(resolvePartitionDir(join(root, 'missing'))).rejects.toThrow(/no such directory/);
    await expect(dumpLog(dirSource(empty), {}, () => {})).rejects.toBeInstanceOf(UsageError);
  });
  it('--dir of a directory holding only meta.properties (a log.dirs directory, or a node never started) says both, as a usage error; one with other data is the plain usage error', async () => {
    const formatted = await mkdtemp(join(root, 'formatted-'));
    await writeFile(join(formatted, 'meta.properties'), 'version=1\ncluster.id=IM1QENJwR0yiNHFBvM4elw\nnode.id=2\n');
    const e = await resolvePartitionDir(formatted).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/holds only meta\.properties: a log\.dirs directory \(pass the node's metadata\.log\.dir instead\), or the metadata\.log\.dir of a node that has not started since it was formatted/);
    await mkdir(join(formatted, 'orders-0'));
    const other = await resolvePartitionDir(formatted).catch((err: unknown) => err);
    expect(other).toBeInstanceOf(UsageError);
    expect((other as Error).message).toMatch(/neither a metadata\.log\.dir/);
  });

  it('JSON output survives what msgpack hands back: bigints (safe ones as numbers), bytes as hex, Maps and Sets', () => {
    expect(jsonText({ a: 5n, b: 2n ** 64n, c: Buffer.from([0xde, 0xad]), d: Uint8Array.of(1), e: new Map([['k', 1]]), f: new Set([2]) })).toBe(
      '{"a":5,"b":"18446744073709551616","c":"dead","d":"01","e":{"k":1},"f":[2]}',
    );
  });

  it('exactly one of --dir and --snapshot', () => {
    expect(inspectSource({ dir: 'd' })).toEqual({ kind: 'dir', dir: 'd' });
    expect(inspectSource({ snapshot: 'f' })).toEqual({ kind: 'snapshot', file: 'f' });
    expect(() => inspectSource({ dir: 'd', snapshot: 'f' })).toThrow(UsageError);
    expect(() => inspectSource({})).toThrow(UsageError);
  });
});

describe('dump-log --dir', () => {
  it('prints the quorum-state, the snapshots and the log bounds, then every batch and record at its offset with its fields', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const { lines, errors, records } = await dump(dirSource(root));
    expect(errors).toBe(0);
    expect(records).toBe(LOG_END_OFFSET);
    expect(lines.slice(0, 4)).toEqual([
      `Dumping metadata partition ${node.partitionDir}`,
      'quorum-state: epoch: 2 leaderId: 1 votedId: 1',
      expect.stringMatching(/^snapshot: 00000000000000000009-0000000002\.checkpoint endOffset: 9 epoch: 2 bytes: \d+$/),
      `log: logStartOffset: 0 logEndOffset: ${LOG_END_OFFSET} batches: 4`,
    ]);
    expect(lines).toContain('baseOffset: 0 lastOffset: 3 count: 4 epoch: 1 appendTimeMs: 1000 isControl: false');
    expect(lines).toContain('baseOffset: 4 lastOffset: 4 count: 1 epoch: 2 appendTimeMs: 2000 isControl: true');
    expect(lines).toContain('| offset: 4 control: LeaderChange payload: {"leaderId":1,"voters":[1,2,3],"grantingVoters":[1,2]}');
    for (const [offset, record] of RECORDS) {
      const { type, ...fields } = record;
      const line = lines.find((l) => l.startsWith(`| offset: ${offset} `));
      expect(line).toMatch(new RegExp(`^\\| offset: ${offset} type: ${type} version: \\d+ payload: `));
      expect(JSON.parse(line!.slice(line!.indexOf('payload: ') + 'payload: '.length))).toEqual(fields);
    }
    // batch line, then its records in order
    const recordOffsets = lines.filter((l) => l.startsWith('| offset: ')).map((l) => Number(/offset: (\d+)/.exec(l)![1]));
    expect(recordOffsets).toEqual(Array.from({ length: LOG_END_OFFSET }, (_, i) => i));
  });

  it('--json: one object per line; batches and records carry the replicated values and the fields as written', async () => {
    await writeNodeDir(root);
    const { lines } = await dump(dirSource(root), { json: true });
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => o['kind']).slice(0, 3)).toEqual(['partition', 'quorumState', 'log']);
    expect(objects[1]).toEqual({ kind: 'quorumState', epoch: 2, leaderId: 1, votedId: 1 });
    const batches = objects.filter((o) => o['kind'] === 'batch');
    expect(batches).toEqual(
      fixtureBatches().map((b) => ({
        kind: 'batch',
        baseOffset: b.baseOffset,
        lastOffset: b.baseOffset + (b.control ? 1 : b.records.length) - 1,
        count: b.control ? 1 : b.records.length,
        epoch: b.epoch,
        appendTimeMs: b.appendTimeMs,
        ...(b.control ? { control: 'LeaderChange' } : {}),
      })),
    );
    for (const o of recordsOf(lines)) {
      if (o['kind'] === 'control') {
        expect(o).toEqual({ kind: 'control', offset: LEADER_CHANGE_OFFSET, type: 'LeaderChange', fields: { leaderId: 1, voters: [1, 2, 3], grantingVoters: [1, 2] } });
        continue;
      }
      const { type, ...fields } = RECORDS.get(o['offset'] as number)!;
      expect(o).toMatchObject({ kind: 'record', type, fields });
      expect(typeof o['version']).toBe('number');
    }
    expect(recordsOf(lines)).toHaveLength(LOG_END_OFFSET);
  });

  it('ClientQuota records: the entity as its parts (a default as a null name), the key, the value as a number, remove; text and --json', async () => {
    const records = [
      { type: 'ClientQuota', entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: null }], key: 'producer_byte_rate', value: 1_048_576, remove: false },
      { type: 'ClientQuota', entity: [{ entityType: 'ip', entityName: '10.0.0.7' }], key: 'connection_creation_rate', value: 0, remove: true },
      { type: 'ClientQuota', entity: [{ entityType: 'user', entityName: null }], key: 'request_percentage', value: 12.5, remove: false },
    ] as const;
    await writeNodeDir(root, { batches: [...fixtureBatches(), { baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 3000, records: records.map((r) => encodeRecord(r)) }] });
    const text = await dump(dirSource(root));
    expect(text.errors).toBe(0);
    expect(text.lines.filter((l) => l.includes('type: ClientQuota'))).toEqual([
      `| offset: ${LOG_END_OFFSET} type: ClientQuota version: 0 payload: {"entity":[{"entityType":"user","entityName":"alice"},{"entityType":"client-id","entityName":null}],"key":"producer_byte_rate","value":1048576,"remove":false}`,
      `| offset: ${LOG_END_OFFSET + 1} type: ClientQuota version: 0 payload: {"entity":[{"entityType":"ip","entityName":"10.0.0.7"}],"key":"connection_creation_rate","value":0,"remove":true}`,
      `| offset: ${LOG_END_OFFSET + 2} type: ClientQuota version: 0 payload: {"entity":[{"entityType":"user","entityName":null}],"key":"request_percentage","value":12.5,"remove":false}`,
    ]);
    const json = await dump(dirSource(root), { json: true });
    const quotas = recordsOf(json.lines).filter((o) => o['type'] === 'ClientQuota');
    expect(quotas).toEqual(records.map(({ type, ...fields }, i) => ({ kind: 'record', offset: LOG_END_OFFSET + i, type, version: 0, fields })));
  });

  it('the __cluster_metadata-0 directory itself gives the same dump', async () => {
    const node = await writeNodeDir(root);
    expect((await dump(dirSource(node.partitionDir))).lines).toEqual((await dump(dirSource(root))).lines);
  });

  it('--from and --limit pick records by offset; batch lines only for batches with records shown', async () => {
    await writeNodeDir(root);
    const { lines, records } = await dump(dirSource(root), { fromOffset: 3, limit: 4, json: true });
    expect(records).toBe(4);
    const shown = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o['kind'] !== 'partition' && o['kind'] !== 'quorumState' && o['kind'] !== 'log');
    expect(shown.map((o) => `${String(o['kind'])}@${String(o['offset'] ?? o['baseOffset'])}`)).toEqual([
      'batch@0',
      'record@3',
      'batch@4',
      'control@4',
      'batch@5',
      'record@5',
      'record@6',
    ]);
  });

  it('(replicas=2) the same committed log prints identical --records-only lines, text and JSON, whatever the directory', async () => {
    const a = await writeNodeDir(join(root, 'node-1'));
    const b = await writeNodeDir(join(root, 'node-2'), { snapshotAfterBatches: 2 });
    for (const json of [false, true]) {
      const da = await dump(dirSource(a.metadataLogDir), { recordsOnly: true, json });
      const db = await dump(dirSource(b.metadataLogDir), { recordsOnly: true, json });
      expect(da.lines).toHaveLength(LOG_END_OFFSET);
      expect(db.lines).toEqual(da.lines);
      // the full dumps differ (paths, snapshots), the record lines within them do not
      const full = (await dump(dirSource(b.metadataLogDir), { json })).lines;
      expect(full).not.toEqual(db.lines);
      expect(full.filter((l) => db.lines.includes(l))).toEqual(db.lines);
    }
  });

  it('(replicas=2) one differing record shows up in the --records-only diff at its offset', async () => {
    const a = await writeNodeDir(join(root, 'node-1'));
    const other = fixtureBatches();
    other[3] = { ...other[3]!, records: [other[3]!.records[0]!, encodeRecord({ type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: 43, leaderEpoch: 1, metadata: null, commitTimestampMs: 1_700_000_000_000 }), other[3]!.records[2]!] };
    const b = await writeNodeDir(join(root, 'node-2'), { batches: other });
    const la = (await dump(dirSource(a.metadataLogDir), { recordsOnly: true })).lines;
    const lb = (await dump(dirSource(b.metadataLogDir), { recordsOnly: true })).lines;
    const differing = la.map((l, i) => (l === lb[i] ? null : i)).filter((i) => i !== null);
    expect(differing).toEqual([10]);
  });

  it('a record that does not decode is printed with its error, the rest is still printed, and it counts as an error', async () => {
    const packr = new Packr({ useRecords: false });
    const batches: LogBatch[] = [
      {
        baseOffset: 0,
        epoch: 1,
        appendTimeMs: 5,
        records: [encodeRecord(RECORDS.get(0)!), packr.pack([0, 120, 0, {}]), Uint8Array.of(0x94, 0x00), encodeRecord(RECORDS.get(3)!)],
      },
    ];
    await writeNodeDir(root, { batches });
    const { lines, errors, records } = await dump(dirSource(root), { recordsOnly: true });
    expect(records).toBe(4);
    expect(errors).toBe(2);
    expect(lines[0]).toMatch(/^\| offset: 0 type: FeatureLevel /);
    expect(lines[1]).toMatch(/^\| offset: 1 error: cannot decode metadata record: unknown record type 120.* typeId: 120 version: 0 bytes: [0-9a-f]+$/);
    expect(lines[2]).toMatch(/^\| offset: 2 error: cannot decode metadata record: not msgpack .* typeId: \? version: \? bytes: 9400$/);
    expect(lines[3]).toMatch(/^\| offset: 3 type: Topic /);
    const json = recordsOf((await dump(dirSource(root), { json: true })).lines);
    expect(json[1]).toMatchObject({ kind: 'error', offset: 1, typeId: 120, version: 0 });
    expect(json[2]).toMatchObject({ kind: 'error', offset: 2, typeId: null, bytes: '9400' });
  });

  it('no quorum-state, no snapshots and no log directory are said as such', async () => {
    const partition = metadataPartitionDir(root);
    await FileSnapshotStore.open(join(partition, 'snapshots'), silentLogger);
    const { lines, errors } = await dump(dirSource(root));
    expect(errors).toBe(0);
    expect(lines).toEqual([`Dumping metadata partition ${partition}`, 'quorum-state: none (this node never wrote one)', 'log: none (no log/ directory)']);
  });

  it('a damaged snapshot and a damaged quorum-state are error lines; the log is still dumped', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const bytes = await readFile(node.snapshot!.file);
    bytes[30] = bytes[30]! ^ 0xff;
    await writeFile(node.snapshot!.file, bytes);
    await writeFile(join(node.partitionDir, 'quorum-state'), '{"version":1,"epoch":2,"leaderId":1,"votedId":1,"crc":1}\n');
    const { lines, errors, records } = await dump(dirSource(root));
    expect(errors).toBe(2);
    expect(records).toBe(LOG_END_OFFSET);
    expect(lines).toContainEqual(expect.stringMatching(/^error: quorum-state: crc32c mismatch/));
    expect(lines).toContainEqual(expect.stringMatching(/^error: snapshot: 00000000000000000009-0000000002\.checkpoint snapshot 9-2 is corrupt: crc32c mismatch/));
  });

  it('a corrupt log tail is an error line after the reads taken again (each said on the note channel); the node directory keeps it', async () => {
    const node = await writeNodeDir(root);
    const logDir = join(node.partitionDir, 'log');
    const last = (await segmentFiles(logDir)).at(-1)!.file;
    const frame = encodeBatch({ baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 1, records: [encodeRecord(RECORDS.get(0)!)] });
    frame[frame.length - 1] = frame[frame.length - 1]! ^ 0xff;
    await writeAtDataEnd(join(logDir, last), frame);

    const before = await fingerprint(node.partitionDir);
    const { lines, notes, errors, records } = await dump(dirSource(root));
    expect(records).toBe(LOG_END_OFFSET);
    expect(errors).toBe(1);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^error: the log ends at offset ${LOG_END_OFFSET} as a node loads it: segment ${last} at byte \\d+: crc32c mismatch.* \\(the newest segment's torn tail: a write a crash cut short\\)$`));
    expect(notes.filter((n) => /^read \d+ of .* is not consistent \(.*crc32c mismatch/.test(n))).toHaveLength(READ_ATTEMPTS_MAX - 1);
    expect(await fingerprint(node.partitionDir)).toEqual(before);
  });

  it('a bad frame inside the log (not its tail) ends the log there, and every good frame past it is still shown, under a line saying where it was found', async () => {
    const node = await writeNodeDir(root, { segmentBytes: 1 }); // one batch per segment
    const logDir = join(node.partitionDir, 'log');
    const files = (await segmentFiles(logDir)).map((f) => f.file);
    expect(files).toHaveLength(4); // batches at 0, 4, 5 and 9
    const damaged = files[2]!; // the batch at offset 5
    const bytes = await readFile(join(logDir, damaged));
    const lost = 4; // records 5..8
    bytes[12] = bytes[12]! ^ 0xff; // in the payload: the CRC fails
    await writeFile(join(logDir, damaged), bytes);

    const { lines, errors, records } = await dump(dirSource(root));
    expect(errors).toBe(1);
    expect(records).toBe(LOG_END_OFFSET - lost);
    const fault = lines.findIndex((l) => l.startsWith('error: '));
    expect(lines[fault]).toMatch(new RegExp(`^error: the log ends at offset 5 as a node loads it: segment ${damaged} at byte 0: crc32c mismatch`));
    expect(lines[fault]).not.toMatch(/torn tail/);
    expect(lines[fault + 1]).toBe(`past the damage (not in the log a node loads): segment ${files[3]} from byte 0: 1 batch(es), offsets 9..11`);
    expect(lines.slice(fault + 2).filter((l) => /^\| offset: (9|10|11) /.test(l))).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('skipped:'))).toBe(false);

    // A bad length: nothing of that segment can be trusted past it; the later segments still are.
    bytes[12] = bytes[12]! ^ 0xff;
    bytes.writeUInt32BE(0x7fff_ffff, 0);
    await writeFile(join(logDir, damaged), bytes);
    const json = await dump(dirSource(root), { json: true });
    const parsed = json.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toContainEqual({ kind: 'skipped', file: damaged, position: 0, reason: "the bad frame's length does not fit the file: the rest of the segment is skipped" });
    expect(parsed).toContainEqual(expect.objectContaining({ kind: 'pastDamage', file: files[3], position: 0, baseOffset: 9, endOffset: 12 }));
    expect(json.records).toBe(LOG_END_OFFSET - lost);
  });

  it('a bad frame in the newest (here the only) segment with good frames after it is not a torn tail: they are shown', async () => {
    const node = await writeNodeDir(root); // one segment
    const logDir = join(node.partitionDir, 'log');
    const [only] = (await segmentFiles(logDir)).map((f) => f.file);
    const bytes = await readFile(join(logDir, only!));
    bytes[12] = bytes[12]! ^ 0xff; // the first batch (records 0..3)
    await writeFile(join(logDir, only!), bytes);
    const { lines, records, errors } = await dump(dirSource(root));
    expect(errors).toBe(1);
    expect(records).toBe(LOG_END_OFFSET - 4);
    expect(lines.find((l) => l.startsWith('error: '))).toMatch(/^error: the log ends at offset 0 as a node loads it: segment .* crc32c mismatch[^(]*$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^past the damage \\(not in the log a node loads\\): segment ${only} from byte \\d+: 3 batch\\(es\\), offsets 4\\.\\.11$`)));
  });

  it('a log directory in the LevelDB format of metaquorum 0.1 is refused with LOG_FORMAT_UNSUPPORTED, saying what to do', async () => {
    const node = await writeNodeDir(root);
    await writeFile(join(node.partitionDir, 'log', 'CURRENT'), 'MANIFEST-000004\n');
    const e = await dumpLog(dirSource(root), {}, () => {}).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'LOG_FORMAT_UNSUPPORTED', retriable: false, message: expect.stringMatching(/LevelDB format .* Remove the directory/) });
  });

  it("never writes to the node's directory (a leftover .part snapshot that the store would delete is still there)", async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    await writeFile(join(node.partitionDir, 'snapshots', '00000000000000000011-0000000002.checkpoint.part'), 'half a snapshot');
    const before = await fingerprint(node.partitionDir);
    await dump(dirSource(root));
    await dump(dirSource(root), { json: true, recordsOnly: true });
    expect(await fingerprint(node.partitionDir)).toEqual(before);
  });

  it('(running node) a log whose node holds its lock is read in place, with nothing to say on the note channel, and the node keeps appending', async () => {
    const node = await writeNodeDir(root, { keepOpen: true });
    const log = node.log!;
    try {
      await expect(SegmentLogStorage.open(join(node.partitionDir, 'log'), silentLogger)).rejects.toBeInstanceOf(LogDirLockedError);
      const first = await dump(dirSource(root), { recordsOnly: true });
      expect(first.errors).toBe(0);
      expect(first.lines).toHaveLength(LOG_END_OFFSET);
      expect(first.notes).toEqual([]);

      await log.append([{ baseOffset: LOG_END_OFFSET, epoch: 2, appendTimeMs: 3000, records: [encodeRecord({ type: 'FeatureLevel', name: 'kraft.version', featureLevel: 1 })] }], true);
      const second = await dump(dirSource(root), { recordsOnly: true });
      expect(second.lines.slice(0, LOG_END_OFFSET)).toEqual(first.lines);
      expect(second.lines[LOG_END_OFFSET]).toBe(`| offset: ${LOG_END_OFFSET} type: FeatureLevel version: 0 payload: {"name":"kraft.version","featureLevel":1}`);
    } finally {
      await log.close();
    }
  });
});

describe('dump-log while the node writes', () => {
  it('(running node) dumps taken while the node appends and rolls segments are each a contiguous, error-free prefix of the log', async () => {
    const node = await writeNodeDir(root, { keepOpen: true, segmentBytes: 1024 * 1024 });
    const log = node.log!;
    const big = 'x'.repeat(200 * 1024);
    const appended = (async () => {
      // 60 batches of ~200 KiB in segments of 1 MiB: a dozen rolls while the dumps read
      for (let i = 0; i < 60; i++) {
        const record = encodeRecord({ type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: i, leaderEpoch: 1, metadata: big, commitTimestampMs: i });
        await log.append([{ baseOffset: LOG_END_OFFSET + i, epoch: 2, appendTimeMs: i, records: [record] }], i % 10 === 9);
        await new Promise((r) => setTimeout(r, 5)); // appends are quick: leave the dumps room to interleave
      }
    })();
    let done = false;
    void appended.finally(() => (done = true));
    const seen: number[] = [];
    const dumpPrefix = async (): Promise<void> => {
      const { lines, errors } = await dump(dirSource(root), { json: true, recordsOnly: true });
      expect(errors).toBe(0);
      const offsets = lines.map((l) => (JSON.parse(l) as { offset: number }).offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
      seen.push(offsets.length);
    };
    try {
      while (!done) await dumpPrefix();
      await appended;
      await dumpPrefix();
      expect(seen.length).toBeGreaterThan(2);
      expect(seen[seen.length - 1]).toBe(LOG_END_OFFSET + 60);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    } finally {
      await appended.catch(() => {});
      await log.close();
    }
  });
});

describe('dump-log --snapshot', () => {
  it('a snapshot file decodes: header with its id and counts, frames, and every record in snapshot order', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const loader = new MetadataLoader();
    loader.applyBatches(fixtureBatches().slice(0, 3));
    const expected = [...snapshotRecords(loader.image)];

    const { lines, errors, records } = await dump({ kind: 'snapshot', file: node.snapshot!.file }, { json: true });
    expect(errors).toBe(0);
    expect(records).toBe(expected.length);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects[0]).toEqual({ kind: 'snapshot', file: node.snapshot!.file, endOffset: 9, epoch: 2, recordCount: expected.length, frameCount: 1 });
    expect(objects[1]).toMatchObject({ kind: 'frame', frame: 0, recordCount: expected.length });
    const recs = objects.filter((o) => o['kind'] === 'record');
    expect(recs.map((o) => o['index'])).toEqual(expected.map((_, i) => i));
    expect(recs.map((o) => ({ type: o['type'], ...(o['fields'] as object) }))).toEqual(expected);

    const text = await dump({ kind: 'snapshot', file: node.snapshot!.file }, { fromOffset: 2, limit: 2 });
    expect(text.lines[0]).toBe(`Dumping snapshot ${node.snapshot!.file} endOffset: 9 epoch: 2 records: ${expected.length} frames: 1`);
    expect(text.lines.slice(2).map((l) => /^\| index: (\d+) type: (\w+)/.exec(l)?.slice(1).join(' '))).toEqual(['2 RegisterBroker', '3 Topic']);
  });

  // A damaged snapshot may hold the only copy of records an operator needs: it used to print
  // nothing but the refusal. Now the file's failed check is the first (error) line, then whatever
  // its frames still give, each frame under its own checksum.
  it('a snapshot file that fails its own CRC: an error line first, then every record its frames still hold', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const good = await dump({ kind: 'snapshot', file: node.snapshot!.file });
    expect(good.errors).toBe(0);
    const bytes = await readFile(node.snapshot!.file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01; // the trailer's CRC
    const damaged = join(root, '00000000000000000009-0000000002.checkpoint');
    await writeFile(damaged, bytes);
    const r = await dump({ kind: 'snapshot', file: damaged });
    expect(r.lines[0]).toMatch(/^error: snapshot: 00000000000000000009-0000000002\.checkpoint snapshot 9-2 is corrupt: crc32c mismatch: .*; what follows is read without the file's own check$/);
    expect(r.lines.slice(1)).toEqual(good.lines.map((l) => l.replace(node.snapshot!.file, damaged)));
    expect(r.records).toBe(good.records);
    expect(r.errors).toBe(1);
  });

  it('a truncated snapshot file (its trailer gone): the frames before the cut print, the cut one is an error line', async () => {
    const record = encodeRecord(RECORDS.get(0)!);
    const header = snapshotHeader(2, 2);
    const second = snapshotFrame([record]);
    const cut = join(root, '00000000000000000002-0000000001.checkpoint');
    await writeFile(cut, Buffer.concat([header, snapshotFrame([record]), second.subarray(0, second.length - 3)]));
    const r = await dump({ kind: 'snapshot', file: cut });
    expect(r.lines[0]).toMatch(/^error: snapshot: 00000000000000000002-0000000001\.checkpoint snapshot 2-1 is corrupt: trailer magic missing/);
    expect(r.lines[1]).toMatch(/^Dumping snapshot /);
    expect(r.records).toBe(1);
    expect(r.lines.filter((l) => l.startsWith('| index: 0 type: FeatureLevel '))).toHaveLength(1);
    expect(r.lines[r.lines.length - 1]).toMatch(/^error: frame: 1 truncated: /);
    expect(r.errors).toBe(2);
  });

  it('a badly named snapshot file is a UsageError; a missing one says so', async () => {
    const node = await writeNodeDir(root, { snapshotAfterBatches: 3 });
    const renamed = join(root, 'snap.bin');
    await writeFile(renamed, await readFile(node.snapshot!.file));
    await expect(dump({ kind: 'snapshot', file: renamed })).rejects.toBeInstanceOf(UsageError);
    await expect(dump({ kind: 'snapshot', file: join(root, 'nope.checkpoint') })).rejects.toThrow(/no such file/);
  });

  it('inside a snapshot: a frame that fails its checksum and a record that does not decode are error lines, the other records print', async () => {
    const good = encodeRecord(RECORDS.get(0)!);
    const bad = new Packr({ useRecords: false }).pack([0, 120, 0, {}]);
    const damagedFrame = snapshotFrame([good]);
    damagedFrame[damagedFrame.length - 1] = damagedFrame[damagedFrame.length - 1]! ^ 0xff;
    const header = snapshotHeader(3, 2);
    const content = Buffer.concat([header, snapshotFrame([good, bad]), damagedFrame]);
    const dir = join(root, 'snaps');
    const store = await FileSnapshotStore.open(dir, silentLogger);
    const writer = store.create({ endOffset: 3, epoch: 1 });
    await writer.write(content);
    await writer.commit();

    const { lines, errors, records } = await dump({ kind: 'snapshot', file: join(dir, '00000000000000000003-0000000001.checkpoint') });
    expect(records).toBe(2);
    expect(errors).toBe(3); // the record, the frame, the record count
    expect(lines[2]).toMatch(/^\| index: 0 type: FeatureLevel /);
    expect(lines[3]).toMatch(/^\| index: 1 error: cannot decode metadata record: unknown record type 120/);
    expect(lines[4]).toMatch(/^error: frame: 1 checksum mismatch/);
    expect(lines[5]).toBe('error: header says 3 records, the frames hold 2');
  });
});

describe('dump-log command', () => {
  it('is registered on a program: --records-only prints to stdout; neither --dir nor --snapshot exits 2; an undecodable record exits 1', async () => {
    await writeNodeDir(root);
    await withCapturedCommand(registerDumpLog, 'dump-log', async (run, out, err) => {
      expect(await run('--dir', root, '--records-only', '--limit', '2')).toBeUndefined();
      expect(out.join('')).toBe(
        '| offset: 0 type: FeatureLevel version: 0 payload: {"name":"metadata.version","featureLevel":1}\n' +
          `${(await dump(dirSource(root), { recordsOnly: true })).lines[1]}\n`,
      );
      expect(err.join('')).toBe(''); // a log at rest reads at the first attempt: nothing to note
      expect(await run()).toBe(2);
      expect(err.join('')).toMatch(/error: give --dir <metadata.log.dir>/);

      const bad = join(root, 'bad');
      await writeNodeDir(bad, { batches: [{ baseOffset: 0, epoch: 1, appendTimeMs: 0, records: [Uint8Array.of(0xc1)] }] });
      expect(await run('--dir', bad)).toBe(1);
      expect(err.join('')).toContain('dump-log: 1 error line(s) above: part of the data does not decode\n');
      // --json: the summary on stderr is a JSON object with the exit code, as other commands' errors are.
      err.length = 0;
      expect(await run('--dir', bad, '--json')).toBe(1);
      expect(err.join('').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ error: '1 error line(s) above: part of the data does not decode', exitCode: 1 }]);
    });
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

describe('dump-log into a reader that stops early (`| head`)', () => {
  it('exits 0 without a stack trace when its stdout pipe is closed', async () => {
    const node = await writeNodeDir(join(root, 'metadata'));
    const child = spawn(process.execPath, [CLI, 'dump-log', '--dir', node.metadataLogDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first line: every write meets EPIPE
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(err).not.toContain('EPIPE');
    expect(code, err).toBe(0);
  });
});
