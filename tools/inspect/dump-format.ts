// The lines dump-log prints, in text (after kafka-dump-log) and as one JSON object per line
// (`kind` says which line it is). Pure.
//
// Record lines hold only replicated values (offset, type, version, fields), never anything local
// to one node's files, so two replicas with the same log print the same record lines; batch lines
// add the batch's epoch and appendTimeMs, which are replicated too.
//
//   baseOffset: 0 lastOffset: 3 count: 4 epoch: 1 appendTimeMs: 1000 isControl: false
//   | offset: 0 type: RegisterBroker version: 0 payload: {"brokerId":1,...}
//   | offset: 4 control: LeaderChange payload: {"leaderId":1,"voters":[1,2,3],"grantingVoters":[1,2]}
//   | offset: 9 control: VoterDirectory payload: {"voterId":2,"directoryId":"hN1o3v0aQpWm1fCz2bKx4g"}
//   | offset: 5 error: cannot decode metadata record: ... typeId: 999 version: 0 bytes: 94...
//   error: <a fault outside one record: a corrupt tail, a bad snapshot frame, a damaged file>

import type { ControlRecord, LogBatch, QuorumStateData, SnapshotId } from '../../quorum/raft/types.js';
import { jsonText, toHex } from './json.js';
import type { RecordView } from './record-view.js';

/** Where a record is: its log offset, or its position in a snapshot. */
export type RecordPosition = { readonly offset: number } | { readonly index: number };

export function batchLine(batch: LogBatch, json: boolean): string {
  const count = batch.control === undefined ? batch.records.length : 1;
  const lastOffset = batch.baseOffset + count - 1;
  if (json) {
    const control = batch.control === undefined ? {} : { control: controlTypeName(batch.control) };
    return jsonText({ kind: 'batch', baseOffset: batch.baseOffset, lastOffset, count, epoch: batch.epoch, appendTimeMs: batch.appendTimeMs, ...control });
  }
  return `baseOffset: ${batch.baseOffset} lastOffset: ${lastOffset} count: ${count} epoch: ${batch.epoch} appendTimeMs: ${batch.appendTimeMs} isControl: ${batch.control !== undefined}`;
}

export function recordLine(at: RecordPosition, view: RecordView, json: boolean): string {
  if (view.ok) {
    if (json) return jsonText({ kind: 'record', ...at, type: view.type, version: view.version, fields: view.fields });
    return `| ${positionText(at)} type: ${view.type} version: ${view.version} payload: ${jsonText(view.fields)}`;
  }
  if (json) return jsonText({ kind: 'error', ...at, typeId: view.typeId, version: view.version, error: view.error, bytes: toHex(view.bytes) });
  return `| ${positionText(at)} error: ${view.error} typeId: ${view.typeId ?? '?'} version: ${view.version ?? '?'} bytes: ${toHex(view.bytes)}`;
}

export function controlLine(offset: number, control: ControlRecord, json: boolean): string {
  const { type: _type, ...fields } = control;
  if (json) return jsonText({ kind: 'control', offset, type: controlTypeName(control), fields });
  return `| offset: ${offset} control: ${controlTypeName(control)} payload: ${jsonText(fields)}`;
}

/** A fault that is not one record's: `where` adds context fields (e.g. the frame). */
export function faultLine(reason: string, where: Readonly<Record<string, unknown>>, json: boolean): string {
  if (json) return jsonText({ kind: 'error', ...where, error: reason });
  const context = Object.entries(where).map(([k, v]) => `${k}: ${String(v)} `).join('');
  return `error: ${context}${reason}`;
}

/** Heads frames read past a bad one: not part of the log a node loads. */
export function pastCutLine(file: string, position: number, batches: readonly LogBatch[], json: boolean): string {
  const first = batches[0]?.baseOffset;
  const last = batches[batches.length - 1];
  const end = last === undefined ? undefined : last.baseOffset + (last.control === undefined ? last.records.length : 1);
  if (json) return jsonText({ kind: 'pastDamage', file, position, batches: batches.length, baseOffset: first ?? null, endOffset: end ?? null });
  return `past the damage (not in the log a node loads): segment ${file} from byte ${position}: ${batches.length} batch(es), offsets ${first}..${end === undefined ? '' : end - 1}`;
}

/** Bytes past a bad frame that could not be read as frames. */
export function skippedLine(file: string, position: number, reason: string, json: boolean): string {
  return json ? jsonText({ kind: 'skipped', file, position, reason }) : `skipped: segment ${file} from byte ${position}: ${reason}`;
}

export function partitionLine(dir: string, json: boolean): string {
  return json ? jsonText({ kind: 'partition', dir }) : `Dumping metadata partition ${dir}`;
}

export function quorumStateLine(state: QuorumStateData | undefined, json: boolean): string {
  if (state === undefined) return json ? jsonText({ kind: 'quorumState', state: null }) : 'quorum-state: none (this node never wrote one)';
  if (json) return jsonText({ kind: 'quorumState', epoch: state.epoch, leaderId: state.leaderId, votedId: state.votedId });
  return `quorum-state: epoch: ${state.epoch} leaderId: ${state.leaderId ?? 'none'} votedId: ${state.votedId ?? 'none'}`;
}

export function snapshotFileLine(name: string, id: SnapshotId, bytes: number, json: boolean): string {
  if (json) return jsonText({ kind: 'snapshot', file: name, endOffset: id.endOffset, epoch: id.epoch, bytes });
  return `snapshot: ${name} endOffset: ${id.endOffset} epoch: ${id.epoch} bytes: ${bytes}`;
}

export function logLine(log: { readonly logStartOffset: number; readonly logEndOffset: number; readonly batches: number } | undefined, json: boolean): string {
  if (log === undefined) return json ? jsonText({ kind: 'log', log: null }) : 'log: none (no log/ directory)';
  if (json) return jsonText({ kind: 'log', ...log });
  return `log: logStartOffset: ${log.logStartOffset} logEndOffset: ${log.logEndOffset} batches: ${log.batches}`;
}

export function snapshotHeaderLine(
  file: string,
  id: SnapshotId,
  header: { readonly recordCount: number; readonly frameCount: number } | undefined,
  json: boolean,
): string {
  const counts = header === undefined ? {} : { recordCount: header.recordCount, frameCount: header.frameCount };
  if (json) return jsonText({ kind: 'snapshot', file, endOffset: id.endOffset, epoch: id.epoch, ...counts });
  const tail = header === undefined ? '' : ` records: ${header.recordCount} frames: ${header.frameCount}`;
  return `Dumping snapshot ${file} endOffset: ${id.endOffset} epoch: ${id.epoch}${tail}`;
}

export function frameLine(frame: number, recordCount: number, payloadBytes: number, json: boolean): string {
  if (json) return jsonText({ kind: 'frame', frame, recordCount, payloadBytes });
  return `frame: ${frame} records: ${recordCount} bytes: ${payloadBytes}`;
}

function positionText(at: RecordPosition): string {
  return 'offset' in at ? `offset: ${at.offset}` : `index: ${at.index}`;
}

/** 'leaderChange' -> 'LeaderChange' (Kafka's ControlRecordType name), 'voterDirectory' -> 'VoterDirectory'. */
function controlTypeName(control: ControlRecord): string {
  return control.type.charAt(0).toUpperCase() + control.type.slice(1);
}
