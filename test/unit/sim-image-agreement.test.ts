// The simulator's cross-node check of committed images (quorum/sim/image-agreement.ts), through
// the controller state machine every simulated voter runs: the same records give the same state
// whether replayed in one batch, in several or loaded from a snapshot; different states at one end
// offset are a violation naming both nodes.

import { describe, expect, it } from 'vitest';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { writeSnapshot } from '../../metadata-log/snapshot.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import { silentLogger, type NodeEnv } from '../../quorum/env/index.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { ControllerStateMachine } from '../../quorum/sim/controller-state-machine.js';
import { ImageAgreement, imageDigest } from '../../quorum/sim/image-agreement.js';
import { Prng } from '../../quorum/sim/prng.js';

const env = { clock: { nowMs: () => 0, setTimer: () => () => undefined }, random: new Prng(1), logger: silentLogger } as unknown as NodeEnv;

function node(id: number, agreement: ImageAgreement) {
  const violations: string[] = [];
  const hooks = { onApply: () => undefined, onLoadSnapshot: () => undefined, onViolation: (m: string) => violations.push(m), defer: () => undefined };
  return { sm: new ControllerStateMachine(id, env, hooks, controllerConfig('c'), agreement), violations };
}

const config = (value: string): MetadataRecord => ({ type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value });
const mv: MetadataRecord = { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 7 };
const batch = (baseOffset: number, records: readonly MetadataRecord[]): LogBatch => ({ baseOffset, epoch: 1, appendTimeMs: 0, records: records.map(encodeRecord) });

describe('simulator: committed images agree across nodes', () => {
  it('the same records in one batch or in two make the same state: no violation', () => {
    const agreement = new ImageAgreement();
    const a = node(1, agreement);
    const b = node(2, agreement);
    a.sm.apply([batch(0, [mv, config('1'), config('2')])]);
    b.sm.apply([batch(0, [mv]), batch(1, [config('1'), config('2')])]);
    expect(a.violations).toEqual([]);
    expect(b.violations).toEqual([]);
    expect(imageDigest(a.sm.controller.image)).toBe(imageDigest(b.sm.controller.image));
  });

  it('another state at the same end offset is a violation naming both nodes', () => {
    const agreement = new ImageAgreement();
    const a = node(1, agreement);
    const b = node(2, agreement);
    a.sm.apply([batch(0, [mv, config('1')])]);
    b.sm.apply([batch(0, [mv, config('9')])]);
    expect(a.violations).toEqual([]);
    expect(b.violations).toHaveLength(1);
    expect(b.violations[0]).toMatch(/^node 2: committed images differ at end offset 2: node 1 made state 0x[0-9a-f]{8}, node 2 made 0x[0-9a-f]{8}/);
  });

  it('a node that loads a snapshot is held to the state the others replayed at that offset', () => {
    const agreement = new ImageAgreement();
    const a = node(1, agreement);
    a.sm.apply([batch(0, [mv, config('1'), config('2')])]);
    const snapshotOf = (records: readonly MetadataRecord[]) => {
      const donor = node(9, new ImageAgreement());
      donor.sm.apply([batch(0, records)]);
      return Buffer.concat(writeSnapshot(donor.sm.controller.image));
    };
    const same = node(2, agreement);
    same.sm.loadSnapshot({ endOffset: 3, epoch: 1 }, snapshotOf([mv, config('1'), config('2')]));
    expect(same.violations).toEqual([]);
    const other = node(3, agreement);
    other.sm.loadSnapshot({ endOffset: 3, epoch: 1 }, snapshotOf([mv, config('1'), config('3')]));
    expect(other.violations.join('\n')).toMatch(/committed images differ at end offset 3: node 1 made state/);
  });
});
