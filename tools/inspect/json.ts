// JSON for inspection output that never throws on what msgpack can hand back: bigints (msgpackr
// decodes 64-bit integers as bigint) become numbers when safe and strings otherwise, byte arrays
// become lowercase hex strings, Maps become objects and Sets arrays. Key order is the object's own,
// so the same decoded record prints the same text on every replica.

/** A JSON.stringify replacer for the cases above. */
export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // A Buffer's toJSON runs before the replacer; the holder still has the Buffer itself.
  const raw: unknown = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return toHex(raw);
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

/** One line of JSON (no trailing newline). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, jsonReplacer) ?? 'null';
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Indented JSON for people: objects one key per line, arrays of scalars kept on one line
 * (`"isr": [1, 2]`), other arrays one element per line.
 */
export function prettyJson(value: unknown, indent = '  ', at = ''): string {
  const plain: unknown = JSON.parse(jsonText(value));
  return pretty(plain, indent, at);
}

function pretty(value: unknown, indent: string, at: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = at + indent;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + pretty(v, indent, inner)).join(',\n')}\n${at}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, indent, inner)}`).join(',\n')}\n${at}}`;
}
