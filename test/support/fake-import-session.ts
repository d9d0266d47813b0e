// The active controller's side of an import session (quorum/controller/migration/import-metadata.ts)
// as the migrate tool's tests need it: steps in order are answered as the controller answers them,
// and a test can make any step fail (`interrupt`) to see how the writer recovers. The real session
// is tested on the simulated quorum (test/sim/controller-import.test.ts).

import { ErrorCode } from '../../quorum/controller/errors.js';
import type { ImportMetadataRequest, ImportMetadataResponse } from '../../quorum/controller/migration/import-metadata.js';

export class FakeImportSession {
  /** Every step received: 'begin', 'part 0', 'end', 'abort'. */
  readonly steps: string[] = [];
  /** Records carried by each part received, in order. */
  readonly partSizes: number[] = [];
  partRecordsMax = 10_000;
  /** Set once an end was answered. */
  imported = false;
  private open: { id: string; nextPart: number; written: number } | null = null;

  /** Return an error to throw, or an answer to give, instead of the normal one. */
  interrupt: (step: string, request: ImportMetadataRequest) => Error | ImportMetadataResponse | undefined = () => undefined;

  answer(request: ImportMetadataRequest): ImportMetadataResponse {
    const step = request.step === 'part' ? `part ${request.part}` : request.step;
    this.steps.push(step);
    const interrupted = this.interrupt(step, request);
    if (interrupted instanceof Error) throw interrupted;
    if (interrupted !== undefined) return interrupted;
    const ok = (written: number, extra: Partial<ImportMetadataResponse> = {}): ImportMetadataResponse => ({ errorCode: 0, errorMessage: null, alreadyImported: false, recordsWritten: written, brokersSkipped: 0, ...extra });
    const noSession: ImportMetadataResponse = { errorCode: ErrorCode.INVALID_TXN_STATE, errorMessage: `no import ${request.importId} is open`, alreadyImported: false, recordsWritten: 0, brokersSkipped: 0 };
    switch (request.step) {
      case 'begin':
        if (this.imported) return ok(0, { alreadyImported: true });
        this.open = { id: request.importId, nextPart: 0, written: 1 };
        return ok(1, { partRecordsMax: this.partRecordsMax });
      case 'part':
        if (this.open?.id !== request.importId || this.open.nextPart !== request.part) return noSession;
        this.partSizes.push(request.records.length);
        this.open.nextPart++;
        this.open.written += request.records.length;
        return ok(this.open.written);
      case 'end': {
        if (this.open?.id !== request.importId) return noSession;
        const written = this.open.written + 2;
        this.open = null;
        this.imported = true;
        return ok(written);
      }
      case 'abort':
        if (this.open?.id === request.importId) this.open = null;
        return ok(0);
    }
  }
}
