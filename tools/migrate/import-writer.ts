// Writes a planned import into the quorum as one import session
// (quorum/controller/migration/import-metadata.ts): begin, then parts of at most `partRecords`
// records, each answered once committed, then end. Each step is a bounded controller operation,
// so an import of any size lands. The session's transaction makes an attempt all or nothing.
//
// An attempt that is interrupted is aborted (best effort) and started again from the first part,
// under a new import id, until the deadline. Interruptions: a leader change (the new active
// controller aborts the open transaction, so the next step finds no session), a lost answer, or
// another import being written. A restart never leaves half an import behind, and it never writes
// one twice: a second begin after a committed end answers `alreadyImported`.
//
// Refusals (the cluster id, existing topics, a record that does not apply) end the write with
// the quorum's answer; nothing of the import became visible.

import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { ImportMetadataRequest, ImportMetadataResponse } from '../../quorum/controller/migration/import-metadata.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';

export interface ImportWriteOptions {
  readonly clusterId: string;
  readonly allowExisting: boolean;
  /** Records per part; fewer when the controller's answer to begin says it takes fewer. */
  readonly partRecords: number;
  /** Absolute time (deps.nowMs) by which the import must have committed. */
  readonly deadlineMs: number;
  /** Bounds one try of one step. */
  readonly stepTimeoutMs: number;
}

export interface ImportWriteDeps {
  readonly quorum: RpcCaller;
  readonly progress: (line: string) => void;
  readonly nowMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A fresh import id per attempt. */
  readonly newImportId: () => string;
  /** Aborted (Ctrl-C): the session is aborted after the step in flight, and the write ends. */
  readonly signal?: AbortSignal;
}

/** The write was cancelled through ImportWriteDeps.signal; the session was aborted. */
export class ImportCancelledError extends Error {
  constructor() {
    super('the import was cancelled and aborted: nothing of it became visible');
    this.name = 'ImportCancelledError';
  }
}

/** The deadline passed before an attempt got through. */
export class ImportNotWrittenError extends Error {
  constructor(
    message: string,
    /** The last attempt's end was sent and not answered: the import may have committed. */
    readonly mayHaveCommitted: boolean,
  ) {
    super(message);
    this.name = 'ImportNotWrittenError';
  }
}

/** Before starting again after another import was found in progress (it ends, or is aborted after its idle timeout). */
const CONCURRENT_RETRY_MS = 2_000;
/** Before starting again after any other interruption (an election is usually over by then). */
const RESTART_BACKOFF_MS = 500;
const PROGRESS_EVERY_MS = 5_000;

const cancelled = (deps: ImportWriteDeps): boolean => deps.signal?.aborted === true;

type Attempt =
  | { readonly done: ImportMetadataResponse }
  | { readonly restart: string; readonly waitMs: number; readonly endSent: boolean; /** Another import holds the quorum. */ readonly concurrent: boolean };

export async function writeImport(records: readonly MetadataRecord[], o: ImportWriteOptions, deps: ImportWriteDeps): Promise<ImportMetadataResponse> {
  let waitSaid = false;
  for (let attempt = 1; ; attempt++) {
    const importId = deps.newImportId();
    const outcome = await attemptImport(importId, records, o, deps);
    if ('done' in outcome) return outcome.done;
    await abortQuietly(importId, outcome.restart, o, deps);
    if (cancelled(deps)) throw cancelledError(outcome);
    const remaining = o.deadlineMs - deps.nowMs();
    if (remaining <= outcome.waitMs) {
      throw new ImportNotWrittenError(
        outcome.endSent
          ? `the import's last step was sent but not answered before the deadline (${outcome.restart}): it may have been written, or may still be. ` +
              'Run the same command again: it says "already imported" if it was (then --verify), or imports it otherwise'
          : `the import did not get through before the deadline; the last attempt was interrupted (${outcome.restart}) and aborted, so nothing of it became visible. ` +
              'Run the same command again, with a longer --import-timeout if the quorum is slow',
        outcome.endSent,
      );
    }
    if (!outcome.concurrent) {
      waitSaid = false;
      deps.progress(`quorum: import attempt ${attempt} interrupted (${outcome.restart}); starting again from the first part`);
    } else if (!waitSaid) {
      // Said once: another import (often this command's own, killed earlier) holds the quorum
      // until it ends or its idle timeout aborts it.
      waitSaid = true;
      deps.progress(`quorum: waiting: ${outcome.restart}`);
    }
    await deps.sleep(outcome.waitMs);
    if (cancelled(deps)) throw cancelledError(outcome);
  }
}

/**
 * The error for a write cancelled after `outcome`: an end sent and not answered may have committed
 * (an abort cannot undo it), so the import is not said to be invisible then (found by a review).
 */
function cancelledError(outcome: { readonly restart: string; readonly endSent: boolean }): Error {
  if (!outcome.endSent) return new ImportCancelledError();
  return new ImportNotWrittenError(
    `the import was cancelled after its last step was sent but not answered (${outcome.restart}): it may have been written. ` +
      'Run the same command again: it says "already imported" if it was (then --verify), or imports it otherwise',
    true,
  );
}

async function attemptImport(importId: string, records: readonly MetadataRecord[], o: ImportWriteOptions, deps: ImportWriteDeps): Promise<Attempt> {
  // `sent`: whether the request may have reached the controller (an end not sent cannot have committed).
  const step = async (request: ImportMetadataRequest): Promise<ImportMetadataResponse | { readonly failed: string; readonly sent: boolean }> => {
    if (cancelled(deps)) return { failed: 'cancelled', sent: false };
    const remaining = o.deadlineMs - deps.nowMs();
    if (remaining <= 0) return { failed: 'the deadline passed', sent: false };
    try {
      // Never re-sent by the channel after an ambiguous try: a part sent twice would be refused
      // as out of order anyway, and a restart is how this writer recovers.
      return await deps.quorum.call('importMetadata', request, { timeoutMs: remaining, attemptTimeoutMs: Math.min(remaining, o.stepTimeoutMs), retryAmbiguous: false });
    } catch (e) {
      return { failed: e instanceof Error ? e.message : String(e), sent: true };
    }
  };
  const restart = (reason: string, endSent = false): Attempt => ({ restart: reason, waitMs: RESTART_BACKOFF_MS, endSent, concurrent: false });

  const begun = await step({ step: 'begin', importId, clusterId: o.clusterId, allowExisting: o.allowExisting, totalRecords: records.length });
  if ('failed' in begun) return restart(begun.failed);
  if (begun.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS) {
    return { restart: begun.errorMessage ?? 'another import is being written', waitMs: CONCURRENT_RETRY_MS, endSent: false, concurrent: true };
  }
  if (begun.errorCode !== ErrorCode.NONE || begun.alreadyImported) return { done: begun };

  const perPart = Math.max(1, Math.min(o.partRecords, begun.partRecordsMax ?? o.partRecords));
  const parts = Math.ceil(records.length / perPart);
  let lastProgressMs = deps.nowMs();
  for (let part = 0; part < parts; part++) {
    const answer = await step({ step: 'part', importId, part, records: records.slice(part * perPart, (part + 1) * perPart) });
    if ('failed' in answer) return restart(answer.failed);
    if (answer.errorCode === ErrorCode.INVALID_TXN_STATE) return restart(answer.errorMessage ?? 'the import session ended');
    if (answer.errorCode !== ErrorCode.NONE) return { done: answer };
    if (deps.nowMs() - lastProgressMs >= PROGRESS_EVERY_MS) {
      lastProgressMs = deps.nowMs();
      deps.progress(`quorum: ${Math.min((part + 1) * perPart, records.length)} of ${records.length} records written (part ${part + 1} of ${parts}); nothing is visible until the last`);
    }
  }
  const ended = await step({ step: 'end', importId });
  if ('failed' in ended) return restart(ended.failed, ended.sent);
  if (ended.errorCode === ErrorCode.INVALID_TXN_STATE) return restart(ended.errorMessage ?? 'the import session ended');
  return { done: ended };
}

/** Tells the controller to drop the attempt now rather than after its idle timeout; failures are ignored. */
async function abortQuietly(importId: string, reason: string, o: ImportWriteOptions, deps: ImportWriteDeps): Promise<void> {
  try {
    await deps.quorum.call('importMetadata', { step: 'abort', importId, reason }, { timeoutMs: Math.min(o.stepTimeoutMs, 5_000), retryAmbiguous: false });
  } catch {
    // The controller aborts a quiet session by itself, and a new one aborts any it finds open.
  }
}
