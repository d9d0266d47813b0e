// Command-line values shared by the benchmarks: counts with a full and a --quick default, and
// comma-separated lists of phases or workloads checked against the known ones; --help and usage
// errors (benchCommandLine).

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The options every benchmark that writes a report takes: --quick, --json (to stdout), --out file. */
export const reportOptions = {
  quick: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
} as const;

/** A reader of positive integer options: the given value, else `full` (or `small` under --quick). */
export function positiveInts(quick: boolean): (name: string, v: string | undefined, full: number, small: number) => number {
  return (name, v, full, small) => {
    const n = v === undefined ? (quick ? small : full) : Number(v);
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: "${v}" is not a positive integer`);
    return n;
  };
}

/** `a,b,c` as a set of known names; an unknown one is an error naming the known ones. */
export function nameList<T extends string>(option: string, raw: string, known: readonly T[]): Set<T> {
  return new Set(
    raw.split(',').map((p) => {
      if (!(known as readonly string[]).includes(p)) throw new Error(`--${option}: unknown "${p}" (one of ${known.join(', ')})`);
      return p as T;
    }),
  );
}

/**
 * The command line of a benchmark, read by `read` (parseArgs and the checks above): `--help` or
 * `-h` prints the bench's header comment (its documentation: what it measures, the phases, the
 * options with their defaults) and exits 0; a usage error (an unknown option, a bad value) prints
 * its message and exits 2, as the CLI does, instead of a stack trace.
 */
export function benchCommandLine<R>(moduleUrl: string, read: () => R): R {
  const file = fileURLToPath(moduleUrl);
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${headerComment(file)}\n`);
    process.exit(0);
  }
  try {
    return read();
  } catch (e) {
    process.stderr.write(`${basename(file, '.js')}: ${(e as Error).message}\n(--help lists the options)\n`);
    process.exit(2);
  }
}

/** The leading `//` comment block of a (compiled) source file, without the slashes. */
export function headerComment(file: string): string {
  const lines: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.replace(/^\/\/ ?/, ''));
  }
  return lines.join('\n');
}
