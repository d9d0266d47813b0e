// MetadataLoader: committed batches -> published images. One publication per applyBatches call;
// control batches only move the offset; transactions are never partly visible (also across a batch
// boundary and through an abort), and snapshots are only ever allowed at their edges; a corrupt
// record stops the loader with an error naming the offset; bytes since the last snapshot are counted.

import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import type { MetadataDelta } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { CommittedBatch } from '../../metadata-log/loader.js';
import { MetadataLoader, MetadataLogCorruptError } from '../../metadata-log/loader.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { writeSnapshot } from '../../metadata-log/snapshot.js';

function uuid(n: number): string {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(12, n + 100);
  return uuidFromBytes(b);
}

const topicRec = (name: string, n: number): MetadataRecord => ({ type: 'Topic', name, topicId: uuid(n) });
const begin: MetadataRecord = { type: 'BeginTransaction', name: 'migration' };
const end: MetadataRecord = { type: 'EndTransaction' };
const abort: MetadataRecord = { type: 'AbortTransaction', reason: 'test' };

function batch(baseOffset: number, records: (MetadataRecord | Uint8Array)[], epoch = 1): CommittedBatch {
  return { baseOffset, epoch, records: records.map((r) => (r instanceof Uint8Array ? r : encodeRecord(r))) };
}

function control(baseOffset: number, epoch = 1): CommittedBatch {
  return { baseOffset, epoch, records: [], control: { type: 'LeaderChange' } };
}

function recording(loader: MetadataLoader): { delta: MetadataDelta; image: MetadataImage }[] {
  const seen: { delta: MetadataDelta; image: MetadataImage }[] = [];
  loader.addListener((delta, image) => seen.push({ delta, image }));
  return seen;
}

function names(img: MetadataImage): string[] {
  return [...img.topics()].map((t) => t.name).sort();
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('MetadataLoader publishing', () => {
  it('publishes once per applyBatches call, with provenance at the last record and its epoch', () => {
    const loader = new MetadataLoader();
    const seen = recording(loader);
    loader.applyBatches([batch(0, [topicRec('a', 1), topicRec('b', 2)]), batch(2, [topicRec('c', 3)], 2)]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.image).toBe(loader.image);
    expect(seen[0]!.delta.recordCount).toBe(3);
    expect(loader.image.provenance).toEqual({ endOffset: 3, epoch: 2 });
    expect(names(loader.image)).toEqual(['a', 'b', 'c']);
    loader.applyBatches([]);
    expect(seen).toHaveLength(1);
  });

  it('control batches and NoOps move the provenance (one offset per control batch) without changing state', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [topicRec('a', 1)])]);
    const before = loader.image;
    const seen = recording(loader);
    loader.applyBatches([control(1, 2), batch(2, [{ type: 'NoOp' }], 2)]);
    expect(loader.image.provenance).toEqual({ endOffset: 3, epoch: 2 });
    expect(loader.image.parts.topicsById).toBe(before.parts.topicsById);
    expect(seen[0]!.delta.hasChanges).toBe(false);
    loader.applyBatches([control(3, 3)]);
    expect(loader.image.provenance).toEqual({ endOffset: 4, epoch: 3 });
    expect(loader.appliedEndOffset).toBe(4);
  });

  it('a gap or a repeated batch is refused (batches must be contiguous)', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [topicRec('a', 1)])]);
    expect(() => loader.applyBatches([batch(5, [topicRec('b', 2)])])).toThrow(/expected 1/);
  });

  it('loadSnapshot replaces the image, publishes it whole, and batches continue from its end offset', () => {
    const source = new MetadataLoader();
    source.applyBatches([batch(0, [topicRec('a', 1), topicRec('b', 2)], 4)]);
    const bytes = Buffer.concat(writeSnapshot(source.image));

    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [topicRec('old', 9)])]);
    const seen = recording(loader);
    loader.loadSnapshot({ endOffset: 2, epoch: 4 }, bytes);
    expect(names(loader.image)).toEqual(['a', 'b']);
    expect(loader.image.provenance).toEqual({ endOffset: 2, epoch: 4 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.delta.changedTopicIds()).toHaveLength(2);
    loader.applyBatches([batch(2, [topicRec('c', 3)], 5)]);
    expect(names(loader.image)).toEqual(['a', 'b', 'c']);
  });

  it('a corrupt snapshot leaves the loader as it was', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [topicRec('a', 1)])]);
    const before = loader.image;
    expect(() => loader.loadSnapshot({ endOffset: 9, epoch: 1 }, new Uint8Array(30))).toThrow(/corrupt metadata snapshot/);
    expect(loader.image).toBe(before);
    loader.applyBatches([batch(1, [topicRec('b', 2)])]);
    expect(names(loader.image)).toEqual(['a', 'b']);
  });
});

describe('MetadataLoader transactions (KIP-868)', () => {
  it('(batch boundary inside a transaction) nothing of it is visible until End; the image stops just before Begin', () => {
    const loader = new MetadataLoader();
    const seen = recording(loader);
    // offsets: 0 a | 1 Begin, 2 b | 3 c | 4 End, 5 d
    loader.applyBatches([batch(0, [topicRec('a', 1), begin, topicRec('b', 2)])]);
    expect(loader.inTransaction).toBe(true);
    expect(names(loader.image)).toEqual(['a']);
    expect(loader.image.provenance.endOffset).toBe(1);
    expect(loader.snapshotableOffset).toBe(1);
    expect(loader.appliedEndOffset).toBe(3);

    loader.applyBatches([batch(3, [topicRec('c', 3)], 2), control(4, 2)]);
    expect(names(loader.image)).toEqual(['a']);
    expect(loader.snapshotableOffset).toBe(1);
    expect(seen).toHaveLength(1); // nothing new became visible, so nothing was published

    loader.applyBatches([batch(5, [end, topicRec('d', 4)], 3)]);
    expect(loader.inTransaction).toBe(false);
    expect(names(loader.image)).toEqual(['a', 'b', 'c', 'd']);
    expect(loader.image.provenance).toEqual({ endOffset: 7, epoch: 3 });
    expect(seen).toHaveLength(2);
    for (const { image } of seen) {
      const n = names(image);
      expect(n.includes('b') === n.includes('c')).toBe(true);
    }
  });

  it('an aborted transaction is dropped; the offset moves past the Abort', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [begin, topicRec('x', 1)]), batch(2, [topicRec('y', 2), abort, topicRec('z', 3)])]);
    expect(loader.inTransaction).toBe(false);
    expect(names(loader.image)).toEqual(['z']);
    expect(loader.image.provenance.endOffset).toBe(5);
  });

  it('an abort after a batch boundary publishes a state equal to before the transaction', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [topicRec('a', 1), begin, { type: 'RemoveTopic', topicId: uuid(1) }])]);
    const mid = loader.image;
    loader.applyBatches([batch(3, [abort])]);
    expect(names(loader.image)).toEqual(['a']);
    expect(loader.image.parts.topicsById).toBe(mid.parts.topicsById);
    expect(loader.image.provenance.endOffset).toBe(4);
  });

  it('Begin inside a transaction, or End/Abort outside one, is a corrupt log naming the offset', () => {
    const cases: [MetadataRecord[], number, RegExp][] = [
      [[begin, topicRec('a', 1), begin], 2, /BeginTransaction inside the transaction begun at offset 0/],
      [[topicRec('a', 1), end], 1, /EndTransaction with no transaction open/],
      [[abort], 0, /AbortTransaction with no transaction open/],
    ];
    for (const [records, offset, reason] of cases) {
      const err = thrown(() => new MetadataLoader().applyBatches([batch(0, records)]));
      expect(err).toBeInstanceOf(MetadataLogCorruptError);
      expect((err as MetadataLogCorruptError).offset).toBe(offset);
      expect((err as Error).message).toMatch(reason);
    }
  });

  it('a record inside a transaction that does not apply is reported at its own offset when the transaction ends', () => {
    const loader = new MetadataLoader();
    const err = thrown(() =>
      loader.applyBatches([batch(0, [begin, topicRec('a', 1)]), batch(2, [{ type: 'PartitionChange', topicId: uuid(7), partitionId: 0, leader: 1 }, end])]),
    );
    expect((err as MetadataLogCorruptError).offset).toBe(2);
    expect((err as Error).message).toMatch(/offset 2: record type 5 \(PartitionChange\) v0: unknown topic id/);
  });

  it('markSnapshot and bytesSinceSnapshot: bytes of a still-open transaction stay counted after a mark', () => {
    const loader = new MetadataLoader();
    const a = encodeRecord(topicRec('a', 1));
    const b = encodeRecord(begin);
    const c = encodeRecord(topicRec('c', 3));
    loader.applyBatches([batch(0, [a, b, c])]);
    expect(loader.bytesSinceSnapshot).toBe(a.length + b.length + c.length);
    loader.markSnapshot(loader.snapshotableOffset, loader.publishedBytes);
    expect(loader.bytesSinceSnapshot).toBe(b.length + c.length);
    expect(() => loader.markSnapshot(3, loader.publishedBytes)).toThrow(/past the published/);
    const e = encodeRecord(end);
    loader.applyBatches([batch(3, [e])]);
    loader.markSnapshot(loader.snapshotableOffset, loader.publishedBytes);
    expect(loader.bytesSinceSnapshot).toBe(0);
  });
});

describe('MetadataLoader corrupt records are fatal and name the offset', () => {
  it('bytes that are not a record: the error names the absolute offset', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([batch(0, [topicRec('a', 1)])]);
    const err = thrown(() => loader.applyBatches([batch(1, [topicRec('b', 2), new Uint8Array([0x94, 0x00])])]));
    expect(err).toBeInstanceOf(MetadataLogCorruptError);
    expect((err as MetadataLogCorruptError).offset).toBe(2);
    expect((err as Error).message).toMatch(/metadata log corrupt at offset 2: record: .*not msgpack/);
    // Nothing of the failed call was published, and the loader refuses to go on.
    expect(names(loader.image)).toEqual(['a']);
    expect(() => loader.applyBatches([batch(3, [topicRec('c', 3)])])).toThrow(/stopped after a fatal error/);
  });

  it('an unknown record version: the error names the offset, type and version', () => {
    const bogus = new Packr({ useRecords: false }).pack([0, 3, 99, []]);
    const err = thrown(() => new MetadataLoader().applyBatches([control(0), batch(1, [topicRec('a', 1), bogus])]));
    expect(err).toBeInstanceOf(MetadataLogCorruptError);
    const e = err as MetadataLogCorruptError;
    expect([e.offset, e.recordType, e.version]).toEqual([2, '3 (Partition)', 99]);
    expect(e.message).toMatch(/offset 2: record type 3 \(Partition\) v99: unknown version 99/);
  });

  it('a record that does not apply (PartitionChange for an unknown partition) names offset and type', () => {
    const loader = new MetadataLoader();
    const err = thrown(() => loader.applyBatches([batch(0, [topicRec('a', 1), { type: 'PartitionChange', topicId: uuid(1), partitionId: 3, isr: [1] }])]));
    expect((err as MetadataLogCorruptError).offset).toBe(1);
    expect((err as Error).message).toMatch(/PartitionChange.*unknown partition 3/);
    expect(loader.image.provenance.endOffset).toBe(0);
  });
});
