// Text helpers the admin commands share: aligned tables, Kafka error-code labels, host:port text.
// Kept apart from common.ts (flags, exit codes) so each command file is only its own mapping.

import { ErrorCode, errorName } from '../../quorum/controller/errors.js';

/** Columns padded to their widest cell, two spaces apart, no trailing blanks; a header row first. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** "TOPIC_ALREADY_EXISTS" for 36; "ERROR_n" for codes this build does not name. */
export function errorLabel(code: number): string {
  return errorName(code);
}

export function isErrorCode(code: number, name: keyof typeof ErrorCode): boolean {
  return code === ErrorCode[name];
}

/** "TOPIC_ALREADY_EXISTS: Topic 't' already exists." (the name alone when there is no message). */
export function errorText(code: number, message: string | null): string {
  const label = errorLabel(code);
  return message === null || message === '' ? label : `${label}: ${message}`;
}

/** "host:port", with IPv6 hosts in brackets as parseHostPort accepts them (the transport's own). */
export { hostPortText } from '../../quorum/net/types.js';

/** Writes each line followed by a newline; nothing at all for no lines. */
export function writeLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}
