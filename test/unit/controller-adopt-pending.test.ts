// The active controller takes its pending image as the committed one when its own plain operations
// commit (QuorumController.adoptPending, MetadataLoader.adopt), instead of decoding and replaying
// the same records a second time; and it leaves the loader to apply what it cannot vouch for (an
// operation written as a transaction) or when a listener needs the delta (a combined node's
// broker). Either way the committed image is the state every other node builds from the log.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { writeSnapshot } from '../../metadata-log/snapshot.js';
import type { QuorumController } from '../../quorum/controller/quorum-controller.js';
import { activeController, type InstantRaft } from '../support/instant-raft.js';

const retention = (value: string): MetadataRecord => ({ type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value });
const configOp = (c: QuorumController, records: readonly MetadataRecord[]) => c.runOp('configs', () => ({ records: [...records], response: 'ok' }));

/** The committed image's state, as snapshot bytes, against the one a fresh loader builds from the whole log. */
function expectSameAsReplayed(c: QuorumController, raft: InstantRaft): void {
  const replayed = new MetadataLoader();
  replayed.applyBatches(raft.log);
  expect(c.image.provenance).toEqual(replayed.image.provenance);
  expect(Buffer.concat(writeSnapshot(c.image)).equals(Buffer.concat(writeSnapshot(replayed.image)))).toBe(true);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the active controller adopts its pending image at commit', () => {
  it('a plain operation commits without the loader decoding it, into the same state the log replays to', async () => {
    const { c, raft } = await activeController('adopt');
    const applied = vi.spyOn(MetadataLoader.prototype, 'applyBatches');
    expect(await configOp(c, [retention('1'), { type: 'NoOp' }])).toBe('ok');
    expect(await configOp(c, [retention('2')])).toBe('ok');
    expect(applied).not.toHaveBeenCalled();
    expect(c.image.configs('broker', '').get('log.retention.ms')).toBe('2');
    expectSameAsReplayed(c, raft);
  });

  it('a commit that leaves a later operation pending goes through the loader (no image is kept per operation); the last one is adopted', async () => {
    const { c, raft } = await activeController('adopt');
    const applied = vi.spyOn(MetadataLoader.prototype, 'applyBatches');
    raft.held = []; // two operations appended before either commits
    const first = configOp(c, [retention('1')]);
    const second = configOp(c, [retention('2')]);
    await new Promise((r) => setImmediate(r));
    const firstOffset = raft.log.at(-2)!.baseOffset;
    raft.release();
    expect(await Promise.all([first, second])).toEqual(['ok', 'ok']);
    expect(applied).toHaveBeenCalledTimes(1);
    expect(applied.mock.calls[0]![0].map((b) => b.baseOffset)).toEqual([firstOffset]);
    expect(c.image.configs('broker', '').get('log.retention.ms')).toBe('2');
    expectSameAsReplayed(c, raft);
  });

  it('an operation written as a metadata transaction is applied by the loader, and so are the commits that follow it in the same batches', async () => {
    const { c, raft } = await activeController('adopt', [], { maxRecordsPerOperation: 2 });
    const applied = vi.spyOn(MetadataLoader.prototype, 'applyBatches');
    await configOp(c, [retention('1'), retention('2'), retention('3')]); // Begin, 3 records, End: three proposals
    expect(raft.types().slice(-5)).toEqual(['BeginTransaction', 'Config', 'Config', 'Config', 'EndTransaction']);
    expect(applied).toHaveBeenCalled();
    expect(c.image.configs('broker', '').get('log.retention.ms')).toBe('3');
    applied.mockClear();
    await configOp(c, [retention('4')]); // plain again: adopted
    expect(applied).not.toHaveBeenCalled();
    expectSameAsReplayed(c, raft);
  });

  it('with a listener (a combined node\'s broker) every commit goes through the loader, which hands it the delta', async () => {
    const { c, raft } = await activeController('adopt');
    const seen: string[] = [];
    c.addMetadataListener((delta, image) => {
      if (delta.hasChanges) seen.push(image.configs('broker', '').get('log.retention.ms') ?? '-');
    });
    const applied = vi.spyOn(MetadataLoader.prototype, 'applyBatches');
    await configOp(c, [retention('7')]);
    await configOp(c, [retention('8')]);
    expect(applied).toHaveBeenCalledTimes(2);
    expect(seen).toEqual(['7', '8']);
    expectSameAsReplayed(c, raft);
  });

  it('the loader adopts only batches that continue its log; a gap stops it, as applyBatches does', () => {
    const loader = new MetadataLoader();
    loader.applyBatches([{ baseOffset: 0, epoch: 1, records: [encodeRecord(retention('1'))] }]);
    const next = loader.image; // any image: the gap is refused before it is looked at
    expect(() => loader.adopt([{ baseOffset: 5, epoch: 1, records: [encodeRecord(retention('2'))] }], next)).toThrow(/batch at offset 5, expected 1/);
    expect(() => loader.applyBatches([{ baseOffset: 1, epoch: 1, records: [encodeRecord(retention('2'))] }])).toThrow(/stopped after a fatal error/);
  });

  it('the loader declines (and changes nothing) with a control batch among the batches', () => {
    const loader = new MetadataLoader();
    const before = loader.image;
    expect(loader.adopt([{ baseOffset: 0, epoch: 1, records: [], control: { type: 'LeaderChange' } }], before)).toBe(false);
    expect(loader.appliedEndOffset).toBe(0);
    expect(loader.image).toBe(before);
  });
});
