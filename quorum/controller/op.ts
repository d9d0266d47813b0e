// The shape of every controller operation (DESIGN §7): a pure function from the current image and a
// request to the records it would append and the answer its caller gets once they commit. An
// operation changes nothing itself; the controller appends its records, replays them into its
// pending image, and completes the caller when the high watermark passes the last one.

import type { MetadataImageView } from '../../metadata-log/image-types.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import type { ControllerConfig } from './config.js';

export interface OpContext {
  /** The pending image: everything committed plus this controller's records not yet committed. */
  readonly image: MetadataImageView;
  readonly nowMs: number;
  /** The log offset the operation's first record will be written at (a broker epoch, for one). */
  readonly nextWriteOffset: number;
  readonly config: ControllerConfig;
  /**
   * Brokers the controller is draining for a controlled shutdown in steps (cluster/heartbeat.ts),
   * not yet in controlled shutdown in the image: no leadership, new replica or ISR place goes to
   * them, as if they were. Absent: none.
   */
  readonly draining?: (brokerId: number) => boolean;
}

export interface OpResult<R> {
  readonly records: readonly MetadataRecord[];
  readonly response: R;
}

/** An operation that appends nothing. */
export function answer<R>(response: R): OpResult<R> {
  return { records: [], response };
}
