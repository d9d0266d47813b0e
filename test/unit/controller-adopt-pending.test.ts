// The active controller takes its pending image as the committed one when its own plain operations
// commit (QuorumController.adoptPending, MetadataLoader.adopt), instead of decoding and replaying
// the same records a second time; and it leaves the loader to apply what it cannot vouch for (an
// operation written as a transaction) or when a listener needs the delta (a combined node's
// broker). Either way the committed image is the state every other node builds from the log.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetadataLoader } from '../../metadata-log/loader.js';
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
  it('plain operations commit without the loader decoding them, into the same state the log replays to', async () => {
    const { c, raft } = await activeController('adopt');
    const applied = vi.spyOn(MetadataLoader.prototype, 'applyBatches');
    raft.held = []; // two operations appended before either commits, then both commit
    const first = configOp(c, [retention('1')]);
    const second = configOp(c, [retention('2'), { type: 'NoOp' }]);
    await new Promise((r) => setImmediate(r));
    raft.release();
    expect(await Promise.all([first, second])).toEqual(['ok', 'ok']);
    await configOp(c, [retention('3')]);
    expect(applied).not.toHaveBeenCalled();
    expect(c.image.configs('broker', '').get('log.retention.ms')).toBe('3');
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
});
