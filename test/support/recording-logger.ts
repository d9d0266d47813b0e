// A Logger that keeps every line, so tests can check what a component said and at which level.
import type { Logger } from '../../quorum/env/index.js';

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

export function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (fields: object, msg: string) => lines.push({ level, fields: { ...fields } as Record<string, unknown>, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A Logger that keeps its own lines (for tests that only look at one component's log). */
export function capturingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, ...recordingLogger(lines) };
}

/** Polls `predicate` every 10 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
