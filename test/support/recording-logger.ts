// A Logger that keeps every line, so tests can check what a component said and at which level.
import type { Logger } from '../../quorum/env/index.js';

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

export function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (fields: object, msg: string) => lines.push({ level, fields: fields as Record<string, unknown>, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
