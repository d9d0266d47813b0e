import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateProducerIds } from '../../quorum/controller/configs/producer-ids.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord, OpHarness } from './controller-configs-fixture.js';

describe('AllocateProducerIds', () => {
  it('(first two blocks) [0, 1000) then [1000, 2000); the record holds the next free id', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10)]);
    const first = allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 });
    expect(first.response).toEqual({ errorCode: 0, errorMessage: null, producerIdStart: 0, producerIdLen: 1000 });
    expect(first.records).toEqual([{ type: 'ProducerIds', brokerId: 1, brokerEpoch: 10, nextProducerId: 1000 }]);
    h.apply(first);
    expect(h.image.nextProducerId).toBe(1000);
    const second = h.apply(allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 }));
    expect(second).toMatchObject({ producerIdStart: 1000, producerIdLen: 1000 });
  });

  it('(block size from config) producerIdBlockSize is honoured', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10)], { producerIdBlockSize: 7 });
    expect(h.apply(allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 }))).toMatchObject({ producerIdStart: 0, producerIdLen: 7 });
    expect(h.apply(allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 }))).toMatchObject({ producerIdStart: 7, producerIdLen: 7 });
  });

  it('(unregistered broker) BROKER_ID_NOT_REGISTERED, no record', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10)]);
    const r = allocateProducerIds(h.ctx(), { brokerId: 2, brokerEpoch: 10 });
    expect(r.response).toMatchObject({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, producerIdStart: 0, producerIdLen: 0 });
    expect(r.records).toEqual([]);
  });

  it('(another broker epoch) STALE_BROKER_EPOCH, no record', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10)]);
    const r = allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 9 });
    expect(r.response.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(r.response.errorMessage).toBe('Expected broker epoch 10, but got broker epoch 9.');
    expect(r.records).toEqual([]);
  });

  it('(fenced broker) may allocate', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10, { fenced: true })]);
    expect(allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 }).response.errorCode).toBe(ErrorCode.NONE);
  });

  it('(ids nearly exhausted) UNKNOWN_SERVER_ERROR instead of a block past 2^53', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10), { type: 'ProducerIds', brokerId: 1, brokerEpoch: 10, nextProducerId: Number.MAX_SAFE_INTEGER - 1000 }]);
    const last = h.apply(allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 }));
    expect(last).toMatchObject({ errorCode: 0, producerIdStart: Number.MAX_SAFE_INTEGER - 1000, producerIdLen: 1000 });
    const r = allocateProducerIds(h.ctx(), { brokerId: 1, brokerEpoch: 10 });
    expect(r.response.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(r.records).toEqual([]);
  });

  it('(property) blocks never overlap across many allocations from many brokers, valid or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ brokerId: fc.integer({ min: 0, max: 4 }), staleEpoch: fc.boolean() }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 5000 }),
        (calls, blockSize) => {
          // brokers 1..3 registered with epochs 100+id; 0 and 4 are not
          const h = new OpHarness([mvRecord(), brokerRecord(1, 101), brokerRecord(2, 102), brokerRecord(3, 103, { fenced: true })], { producerIdBlockSize: blockSize });
          const blocks: [number, number][] = [];
          for (const c of calls) {
            const epoch = 100 + c.brokerId + (c.staleEpoch ? 1 : 0);
            const r = h.apply(allocateProducerIds(h.ctx(), { brokerId: c.brokerId, brokerEpoch: epoch }));
            const valid = c.brokerId >= 1 && c.brokerId <= 3 && !c.staleEpoch;
            expect(r.errorCode === ErrorCode.NONE).toBe(valid);
            if (valid) blocks.push([r.producerIdStart, r.producerIdStart + r.producerIdLen]);
          }
          // handed out in order, back to back from 0, and the image knows the end
          let expected = 0;
          for (const [start, end] of blocks) {
            expect(start).toBe(expected);
            expect(end - start).toBe(blockSize);
            expected = end;
          }
          expect(h.image.nextProducerId).toBe(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
