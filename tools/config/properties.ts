// Java .properties files (java.util.Properties#load), the format of Kafka's server.properties and
// meta.properties, so that an operator's existing file reads here exactly as Kafka reads it.
//
// The rules, as Properties#load applies them:
// - a natural line ends at \n, \r or \r\n; leading whitespace (space, tab, form feed) is skipped;
// - a line that is blank, or whose first non-whitespace character is '#' or '!', is ignored
//   (a comment never continues onto the next line, whatever it ends with);
// - a line ending in an odd number of backslashes continues on the next natural line, whose
//   leading whitespace is dropped (even a continuation that starts with '#' is not a comment);
// - the key runs to the first unescaped '=', ':' or whitespace; then whitespace, at most one '='
//   or ':', and whitespace again are skipped; the rest of the line is the value, trailing
//   whitespace included (server-config.ts trims values the way Kafka's ConfigDef does);
// - escapes in keys and values: \t \n \r \f, \uXXXX, and a backslash before any other character
//   stands for that character (so \\ \= \: \# \! and "\ " for a space);
// - a key set twice keeps its last value; we also report the duplicates, since a repeated key in
//   a hand-edited file is usually a mistake the operator wants to hear about.
//
// One deliberate difference: Properties#load(InputStream) reads ISO-8859-1; callers here hand us
// a string they read as UTF-8, which is what people actually write. \uXXXX works either way.

import { ConfigError } from './errors.js';

/** A key that was set more than once: the 1-based line of every setting, in order; the last wins. */
export interface DuplicateKey {
  readonly key: string;
  readonly lines: readonly number[];
}

export interface ParsedProperties {
  readonly properties: Map<string, string>;
  readonly duplicates: readonly DuplicateKey[];
}

/** Parses .properties text; a later setting of a key wins. Throws ConfigError on a bad \u escape. */
export function parseProperties(text: string): Map<string, string> {
  return parsePropertiesDetailed(text).properties;
}

/** As parseProperties, and also reports the keys set more than once. */
export function parsePropertiesDetailed(text: string): ParsedProperties {
  const properties = new Map<string, string>();
  const linesOf = new Map<string, number[]>();
  for (const { line, raw } of logicalLines(text)) {
    const { key, value } = splitKeyValue(raw, line);
    properties.set(key, value);
    const seen = linesOf.get(key);
    if (seen === undefined) linesOf.set(key, [line]);
    else seen.push(line);
  }
  const duplicates: DuplicateKey[] = [];
  for (const [key, lines] of linesOf) if (lines.length > 1) duplicates.push({ key, lines });
  return { properties, duplicates };
}

/**
 * Writes a .properties file that parseProperties reads back to the same map: `key=value` lines in
 * the map's order, after an optional header written as '#' comment lines.
 */
export function formatProperties(map: ReadonlyMap<string, string>, headerComment?: string): string {
  const out: string[] = [];
  if (headerComment !== undefined) {
    for (const line of headerComment.split(/\r\n|\r|\n/)) out.push(line === '' ? '#' : `# ${line}`);
  }
  for (const [key, value] of map) out.push(`${escape(key, true)}=${escape(value, false)}`);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

const isWhitespace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f';

function skipWhitespace(s: string, from: number): number {
  let i = from;
  while (i < s.length && isWhitespace(s[i])) i++;
  return i;
}

/** True when `s` ends in an odd number of backslashes (the last one continues the line). */
function continues(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Logical lines (continuations joined, escapes still raw), each with the line it starts on. */
function* logicalLines(text: string): Generator<{ line: number; raw: string }> {
  const natural = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r\n|\r|\n/);
  let i = 0;
  while (i < natural.length) {
    const start = i + 1;
    let s = natural[i]!.slice(skipWhitespace(natural[i]!, 0));
    i++;
    if (s === '' || s[0] === '#' || s[0] === '!') continue;
    let raw = '';
    while (continues(s)) {
      raw += s.slice(0, -1);
      if (i >= natural.length) {
        s = ''; // a continuation at the end of the file continues onto nothing
        break;
      }
      s = natural[i]!.slice(skipWhitespace(natural[i]!, 0));
      i++;
    }
    yield { line: start, raw: raw + s };
  }
}

function splitKeyValue(raw: string, line: number): { key: string; value: string } {
  let keyEnd = 0;
  let valueStart = raw.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < raw.length; keyEnd++) {
    const c = raw[keyEnd];
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isWhitespace(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  while (valueStart < raw.length) {
    const c = raw[valueStart];
    if (!isWhitespace(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { key: unescape(raw.slice(0, keyEnd), line), value: unescape(raw.slice(valueStart), line) };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break; // cannot happen: an odd trailing backslash is a continuation
    if (next === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        // The text is not quoted: the line may hold a password (ssl.key.password, sasl.jaas.config).
        throw new ConfigError(`line ${line}: malformed \\uXXXX escape (expected four hex digits after \\u)`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}

function escape(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if (c === '\\') out += '\\\\';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (c === ' ') out += isKey || i === 0 ? '\\ ' : ' ';
    else if (isKey && (c === '=' || c === ':' || c === '#' || c === '!')) out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}
