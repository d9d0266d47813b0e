// Walks the content of a metadata snapshot (metadata-log/snapshot.ts, "Layout") frame by frame and
// record by record, for dump-log. readSnapshotDelta replays and stops at the first fault; a dump
// must instead show every record and name each fault where it is, so this walker reports faults as
// entries and goes on wherever the framing still says where the next frame starts.
//
//   header  "MQSN" | u16 formatVersion | u16 flags | u32 recordCount | u32 frameCount | u32 crc32c
//   frame   u32 payloadLength | u32 crc32c(payload) | payload
//   payload u32 recordCount | (u32 recordLength | record bytes)*

import { crc32c } from '../../quorum/node/crc32c.js';
import { snapshotLimits } from '../../metadata-log/snapshot.js';

const MAGIC = 0x4d51534e; // "MQSN"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 20;
const FRAME_HEADER_BYTES = 8;

export type SnapshotEntry =
  | { readonly kind: 'header'; readonly formatVersion: number; readonly recordCount: number; readonly frameCount: number }
  | { readonly kind: 'frame'; readonly frame: number; readonly recordCount: number; readonly payloadBytes: number }
  /** `index` counts records from the start of the snapshot. */
  | { readonly kind: 'record'; readonly frame: number; readonly index: number; readonly bytes: Uint8Array }
  | { readonly kind: 'fault'; readonly frame: number | null; readonly reason: string };

/** The snapshot's header, frames, records and faults in file order. Never throws on bad bytes. */
export function* snapshotEntries(content: Uint8Array): Generator<SnapshotEntry, void, undefined> {
  const view = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (view.length < HEADER_BYTES) return yield fault(null, `${view.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (view.readUInt32BE(0) !== MAGIC) return yield fault(null, 'bad magic: not a metaquorum metadata snapshot');
  if (crc32c(view.subarray(0, 16)) !== view.readUInt32BE(16)) yield fault(null, 'header checksum mismatch');
  const formatVersion = view.readUInt16BE(4);
  const recordCount = view.readUInt32BE(8);
  const frameCount = view.readUInt32BE(12);
  yield { kind: 'header', formatVersion, recordCount, frameCount };
  if (formatVersion !== FORMAT_VERSION) return yield fault(null, `unknown snapshot format version ${formatVersion}; this tool reads ${FORMAT_VERSION}`);

  let pos = HEADER_BYTES;
  let index = 0;
  let frame = 0;
  for (; pos < view.length; frame++) {
    if (pos + FRAME_HEADER_BYTES > view.length) return yield fault(frame, `truncated: frame header at byte ${pos} runs past the end`);
    const payloadBytes = view.readUInt32BE(pos);
    if (payloadBytes < 4 || payloadBytes > snapshotLimits.frameBytesMax) {
      return yield fault(frame, `frame length ${payloadBytes} at byte ${pos} is outside 4..${snapshotLimits.frameBytesMax}`);
    }
    const start = pos + FRAME_HEADER_BYTES;
    const end = start + payloadBytes;
    if (end > view.length) return yield fault(frame, `truncated: frame at byte ${pos} needs ${payloadBytes} bytes, ${view.length - start} remain`);
    pos = end;
    if (crc32c(view.subarray(start, end)) !== view.readUInt32BE(start - 4)) {
      yield fault(frame, `checksum mismatch (frame at byte ${start - FRAME_HEADER_BYTES}, ${payloadBytes} bytes); its records are skipped`);
      continue;
    }
    const n = view.readUInt32BE(start);
    yield { kind: 'frame', frame, recordCount: n, payloadBytes };
    let p = start + 4;
    for (let i = 0; i < n; i++, index++) {
      const len = p + 4 <= end ? view.readUInt32BE(p) : -1;
      if (len < 0 || p + 4 + len > end) {
        yield fault(frame, `record ${i} of ${n}: its length runs past the frame`);
        break;
      }
      yield { kind: 'record', frame, index, bytes: view.subarray(p + 4, p + 4 + len) };
      p += 4 + len;
    }
    if (p < end) yield fault(frame, `${end - p} stray bytes after the frame's records`);
  }
  if (frame !== frameCount) yield fault(null, `header says ${frameCount} frames, the file holds ${frame}`);
  if (index !== recordCount) yield fault(null, `header says ${recordCount} records, the frames hold ${index}`);
}

function fault(frame: number | null, reason: string): SnapshotEntry {
  return { kind: 'fault', frame, reason };
}
