// tools/migrate/import-writer.ts against a fake active controller (test/support/fake-import-session.ts):
// the parts it sends, and how it recovers from each interruption without ever leaving half an
// import or writing one twice.

import { describe, expect, it } from 'vitest';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { ImportMetadataRequest, ImportMetadataResponse } from '../../quorum/controller/migration/import-metadata.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { ImportCancelledError, ImportNotWrittenError, writeImport, type ImportWriteOptions } from '../../tools/migrate/import-writer.js';
import { FakeImportSession } from '../support/fake-import-session.js';

const records = (n: number): MetadataRecord[] => Array.from({ length: n }, () => ({ type: 'NoOp' }) as MetadataRecord);

function writer(session: FakeImportSession, o: Partial<ImportWriteOptions> = {}, signal?: AbortSignal) {
  let now = 0;
  let ids = 0;
  const sleeps: number[] = [];
  const progress: string[] = [];
  const quorum: RpcCaller = {
    call: (async (method: string, request: ImportMetadataRequest) => {
      expect(method).toBe('importMetadata');
      now += 10; // each step takes a while
      return session.answer(request);
    }) as RpcCaller['call'],
  };
  const run = (n: number) =>
    writeImport(records(n), { clusterId: 'c', allowExisting: false, partRecords: 100, deadlineMs: 60_000, stepTimeoutMs: 5_000, ...o }, {
      quorum,
      progress: (l) => progress.push(l),
      nowMs: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      newImportId: () => `id-${++ids}`,
      ...(signal !== undefined ? { signal } : {}),
    });
  return { run, sleeps, progress };
}

/** An interrupt for FakeImportSession: `outcome` the first time `step` arrives, the normal answer after. */
function firstTime(step: string, outcome: () => Error | ImportMetadataResponse): FakeImportSession['interrupt'] {
  let done = false;
  return (s) => {
    if (s !== step || done) return undefined;
    done = true;
    return outcome();
  };
}

const refusal = (errorCode: number, errorMessage: string): ImportMetadataResponse => ({ errorCode, errorMessage, alreadyImported: false, recordsWritten: 0, brokersSkipped: 0 });

describe('writeImport', () => {
  it('sends begin, parts of at most partRecords in order, then end; fewer per part when the controller takes fewer', async () => {
    const s = new FakeImportSession();
    const r = await writer(s).run(250);
    expect(s.steps).toEqual(['begin', 'part 0', 'part 1', 'part 2', 'end']);
    expect(s.partSizes).toEqual([100, 100, 50]);
    expect(r).toMatchObject({ errorCode: 0, alreadyImported: false, recordsWritten: 253 });

    const small = new FakeImportSession();
    small.partRecordsMax = 40;
    await writer(small).run(100);
    expect(small.partSizes).toEqual([40, 40, 20]);
  });

  it('a part that finds no session (a controller change aborted it) aborts and starts again from the first part under a new id', async () => {
    const s = new FakeImportSession();
    s.interrupt = firstTime('part 1', () => refusal(ErrorCode.INVALID_TXN_STATE, 'no import is open'));
    const w = writer(s);
    const r = await w.run(250);
    expect(s.steps).toEqual(['begin', 'part 0', 'part 1', 'abort', 'begin', 'part 0', 'part 1', 'part 2', 'end']);
    expect(r.errorCode).toBe(0);
    expect(w.progress.some((l) => /attempt 1 interrupted \(no import is open\)/.test(l))).toBe(true);
  });

  it('a step that fails in transport is handled the same way', async () => {
    const s = new FakeImportSession();
    s.interrupt = firstTime('part 0', () => Object.assign(new Error('connection reset'), { code: 'CONNECTION_ERROR' }));
    expect((await writer(s).run(150)).errorCode).toBe(0);
    expect(s.steps).toEqual(['begin', 'part 0', 'abort', 'begin', 'part 0', 'part 1', 'end']);
  });

  it('another import in progress: waits, then begins again', async () => {
    const s = new FakeImportSession();
    let busy = 2;
    s.interrupt = (step) => (step === 'begin' && busy-- > 0 ? refusal(ErrorCode.CONCURRENT_TRANSACTIONS, 'another import is being written') : undefined);
    const w = writer(s);
    expect((await w.run(50)).errorCode).toBe(0);
    expect(s.steps.filter((x) => x === 'begin')).toHaveLength(3);
    expect(w.sleeps).toEqual([2_000, 2_000]);
    expect(w.progress.filter((l) => /waiting: another import is being written/.test(l))).toHaveLength(1);
  });

  it('a part the quorum refuses (its records do not apply) ends the write with that answer, without starting again', async () => {
    const s = new FakeImportSession();
    s.interrupt = (step) => (step === 'part 1' ? refusal(ErrorCode.INVALID_REQUEST, 'do not apply') : undefined);
    const r = await writer(s).run(250);
    expect(r).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'do not apply' });
    expect(s.steps).toEqual(['begin', 'part 0', 'part 1']);
  });

  it('an end whose answer is lost after it committed: the next attempt finds the import done (never written twice)', async () => {
    const s = new FakeImportSession();
    let once = true;
    const realAnswer = s.answer.bind(s);
    s.answer = (request) => {
      const answer = realAnswer(request);
      if (request.step === 'end' && once) {
        once = false;
        throw Object.assign(new Error('no answer within 5000 ms'), { code: 'REQUEST_TIMEOUT' });
      }
      return answer;
    };
    const r = await writer(s).run(50);
    expect(r).toMatchObject({ errorCode: 0, alreadyImported: true });
    expect(s.steps).toEqual(['begin', 'part 0', 'end', 'abort', 'begin']);
  });

  it('past the deadline: says whether the import may have committed (only when an end went unanswered)', async () => {
    const never = new FakeImportSession();
    never.interrupt = (step) => (step === 'begin' ? Object.assign(new Error('no active controller'), { code: 'NO_CONTROLLER' }) : undefined);
    const e1 = await writer(never, { deadlineMs: 3_000 }).run(50).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ImportNotWrittenError);
    expect((e1 as ImportNotWrittenError).mayHaveCommitted).toBe(false);
    expect((e1 as Error).message).toMatch(/nothing of it became visible/);

    const endLost = new FakeImportSession();
    endLost.interrupt = (step) => (step === 'end' ? Object.assign(new Error('no answer'), { code: 'REQUEST_TIMEOUT' }) : undefined);
    const e2 = await writer(endLost, { deadlineMs: 3_000 }).run(50).catch((e: unknown) => e);
    expect((e2 as ImportNotWrittenError).mayHaveCommitted).toBe(true);
    expect((e2 as Error).message).toMatch(/may have been written/);
  });

  it('cancelled (Ctrl-C): the step in flight finishes, then the session is aborted and the write ends', async () => {
    const s = new FakeImportSession();
    const cancel = new AbortController();
    s.interrupt = (step) => {
      if (step === 'part 0') cancel.abort();
      return undefined;
    };
    const e = await writer(s, {}, cancel.signal).run(250).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ImportCancelledError);
    expect(s.steps).toEqual(['begin', 'part 0', 'abort']);
  });
  it('(review) cancelled while an end is in flight whose answer is lost: not told "nothing became visible", since the end may have committed', async () => {
    const s = new FakeImportSession();
    const cancel = new AbortController();
    const realAnswer = s.answer.bind(s);
    s.answer = (request) => {
      const answer = realAnswer(request);
      if (request.step === 'end') {
        // Ctrl-C while the end is in flight; it commits, but its answer is lost.
        cancel.abort();
        throw Object.assign(new Error('no answer within 5000 ms'), { code: 'REQUEST_TIMEOUT' });
      }
      return answer;
    };
    const e = await writer(s, {}, cancel.signal).run(50).catch((err: unknown) => err);
    expect(s.imported).toBe(true);
    expect(e).toBeInstanceOf(ImportNotWrittenError);
    expect((e as ImportNotWrittenError).mayHaveCommitted).toBe(true);
    expect((e as Error).message).not.toMatch(/nothing of it became visible/);
  });

  it('(review) cancelled or past the deadline before the end was sent: the end was not sent, so the import did not commit', async () => {
    const s = new FakeImportSession();
    let now = 0;
    const quorum: RpcCaller = {
      call: (async (_m: string, request: ImportMetadataRequest) => {
        now += request.step === 'part' ? 2_000 : 10; // the last part uses up the time left
        return s.answer(request);
      }) as RpcCaller['call'],
    };
    const e = await writeImport(records(50), { clusterId: 'c', allowExisting: false, partRecords: 100, deadlineMs: 1_000, stepTimeoutMs: 5_000 }, {
      quorum,
      progress: () => undefined,
      nowMs: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      newImportId: () => 'id',
    }).catch((err: unknown) => err);
    expect(s.steps).toEqual(['begin', 'part 0', 'abort']);
    expect(e).toBeInstanceOf(ImportNotWrittenError);
    expect((e as ImportNotWrittenError).mayHaveCommitted).toBe(false);
  });
});
