// The two typed errors of configuration and storage, kept in one small file so that the parser,
// the key table, meta.properties and format can all throw them without importing each other.
//
// Both are edge errors (DESIGN §10): the operator's file or directory is wrong, nothing is
// retriable, and the message says what is wrong and what to do. Both carry exitCode 2, which
// tools/cli/common.ts's `action` maps to exit status 2 (usage or configuration error).

import { EXIT_USAGE } from '../cli/common.js';

/** A bad configuration value, key, override or file. `key` is the property at fault, when there is one. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR';
  readonly retriable = false;
  readonly exitCode = EXIT_USAGE;
  constructor(
    message: string,
    readonly key: string | null = null,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A data directory that is unformatted, formatted for another cluster or node, or damaged. */
export class StorageError extends Error {
  readonly code = 'STORAGE_ERROR';
  readonly retriable = false;
  readonly exitCode = EXIT_USAGE;
  constructor(
    message: string,
    /** The directory (or file) at fault, when there is one. */
    readonly path: string | null = null,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}
