// Reads typed values out of a property map through the key table, so that every failure is the
// same ConfigError: `key = "value as written": what is expected`. Values are trimmed first, as
// Kafka's ConfigDef trims them. Used by server-config.ts, topology.ts and tls-settings.ts.

import { ConfigError } from './errors.js';
import type { KeySpec } from './server-keys.js';
import { BadValue, badValueError } from './values.js';

export class KeyReader {
  constructor(readonly props: ReadonlyMap<string, string>) {}

  /** The trimmed value of `name`, undefined when the key is absent. */
  raw(name: string): string | undefined {
    return this.props.get(name)?.trim();
  }

  has(name: string): boolean {
    return this.props.has(name);
  }

  /** Parses `raw` with `spec`; a bad value is a ConfigError naming `keyName` (the key as written). */
  parseAs<T>(spec: KeySpec<T>, keyName: string, raw: string): T {
    try {
      return spec.parse(raw);
    } catch (e) {
      if (e instanceof BadValue) throw badValueError(keyName, raw, e.reason === '' ? spec.expected : e.reason);
      throw e;
    }
  }

  /** The key's value, or its default; undefined when it has neither. */
  optional<T>(spec: KeySpec<T>): T | undefined {
    const raw = this.raw(spec.name) ?? spec.default;
    return raw === undefined ? undefined : this.parseAs(spec, spec.name, raw);
  }

  /** The key's value, or its default; a ConfigError when it has neither. */
  required<T>(spec: KeySpec<T>): T {
    const value = this.optional(spec);
    if (value === undefined) throw new ConfigError(`${spec.name} is required; it ${spec.expected}`, spec.name);
    return value;
  }

  /** A ConfigError about a value that parsed but breaks a rule spanning keys. */
  fail(spec: KeySpec<unknown>, why: string): never {
    throw new ConfigError(`${spec.name} = ${JSON.stringify(this.raw(spec.name) ?? spec.default ?? '')}: ${why}`, spec.name);
  }
}
