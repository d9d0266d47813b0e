// What every command shares: exit codes, --json output, host:port parsing, and the wrapper that
// turns an error into a message on stderr and the right exit code.
//
// Exit codes (README): 0 ok, 1 runtime error (a node unreachable, a request refused), 2 usage or
// configuration error (a bad flag, an invalid config value, an unformatted directory).

import { InvalidArgumentError } from 'commander';
import { TIMER_DELAY_MAX_MS } from '../../quorum/node/real-env.js';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** A mistake in what the user asked for (flags, config, directories): exit 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}

/** Prints `value` as one JSON line, or the text `render` makes of it. */
export function print<T>(json: boolean, value: T, render: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${render(value)}\n`);
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** "host:port" (IPv6 as "[::1]:9093"); throws UsageError naming `what`. */
export function parseHostPort(value: string, what: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined || host === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`${what}: expected host:port, got ${JSON.stringify(value)}`);
  }
  return { host, port };
}

/** A commander argParser for host:port lists ("a:1,b:2"). */
export function hostPortListArg(what: string) {
  return (value: string): HostPort[] => {
    try {
      return value.split(',').filter((s) => s.trim() !== '').map((s) => parseHostPort(s, what));
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

/** A commander argParser for positive integers. */
export function positiveIntArg(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}"`);
    if (n > max) throw new InvalidArgumentError(`${what} must be at most ${max}, got "${value}"`);
    return n;
  };
}

/** A timeout option in milliseconds: a positive integer up to what one timer waits (about 24.8 days). */
export function timeoutMsArg(what: string) {
  return positiveIntArg(what, TIMER_DELAY_MAX_MS);
}

/** The command line asks for machine output: errors too go out as JSON. */
export function jsonRequested(): boolean {
  return process.argv.includes('--json');
}

/** The JSON form of an error on stderr, one object: {error, exitCode} (exitCode left out where none applies). */
export function errorJson(message: string, exitCode?: number): string {
  return JSON.stringify(exitCode === undefined ? { error: message } : { error: message, exitCode });
}

/** An error on stderr: `error: …`, or one JSON object {error, exitCode} under --json. */
export function errorText(message: string, exitCode: number): string {
  return jsonRequested() ? `${errorJson(message, exitCode)}\n` : `error: ${message}\n`;
}

/** A warning on stderr: `warning: …`, or one JSON object {warning} under --json (no free text among JSON lines). */
export function warningText(message: string): string {
  return jsonRequested() ? `${JSON.stringify({ warning: message })}\n` : `warning: ${message}\n`;
}

/** A progress or information line on stderr: `<line>`, or one JSON object {note} under --json. */
export function noteText(line: string): string {
  return jsonRequested() ? `${JSON.stringify({ note: line })}\n` : `${line}\n`;
}

/**
 * Runs a command's action: an error prints its message on stderr (JSON when --json) and sets the
 * exit code: 2 for UsageError (or any error with exitCode 2), 1 otherwise.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (e) {
      const code = (e as { exitCode?: unknown }).exitCode === EXIT_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
      process.stderr.write(errorText(e instanceof Error ? e.message : String(e), code));
      process.exitCode = code;
    }
  };
}
