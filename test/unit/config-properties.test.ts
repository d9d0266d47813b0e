// The .properties parser reads what java.util.Properties#load reads (separators, comments,
// continuations, escapes), reports duplicate keys, and formatProperties writes files it reads back.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError } from '../../tools/config/errors.js';
import { formatProperties, parseProperties, parsePropertiesDetailed } from '../../tools/config/properties.js';

const parse = (text: string) => Object.fromEntries(parseProperties(text));

describe('parseProperties', () => {
  it('key=value, key: value and key value separators, whitespace around them skipped', () => {
    expect(parse('a=1\nb: 2\nc 3\n  d  =  4\ne\t:\t5\nf\f6')).toEqual({ a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' });
  });

  it('only the first separator splits; the value keeps later ones', () => {
    expect(parse('url=http://x:1/a=b\nk = = v\nm : : v')).toEqual({ url: 'http://x:1/a=b', k: '= v', m: ': v' });
  });

  it('a key alone has an empty value; a line "=v" has an empty key', () => {
    expect(parse('lonely\nspaced   \n=v')).toEqual({ lonely: '', spaced: '', '': 'v' });
  });

  it('# and ! comments and blank lines are ignored, also when indented', () => {
    expect(parse('# c\n! c\n   # indented\n\n   \n\t\na=1 # not a comment\n')).toEqual({ a: '1 # not a comment' });
  });

  it('the value keeps trailing whitespace, as Properties#load does', () => {
    expect(parse('a=1  \t')).toEqual({ a: '1  \t' });
  });

  it('a trailing backslash continues the line and drops the next line\'s leading whitespace', () => {
    expect(parse('list=a,\\\n    b,\\\n\t  c\nnext=1')).toEqual({ list: 'a,b,c', next: '1' });
  });

  it('a continuation line starting with # is value, not a comment', () => {
    expect(parse('k=a\\\n  # b')).toEqual({ k: 'a# b' });
  });

  it('a comment ending in a backslash does not continue', () => {
    expect(parse('# comment \\\nk=v')).toEqual({ k: 'v' });
  });

  it('an even number of trailing backslashes is an escaped backslash, not a continuation', () => {
    expect(parse('a=x\\\\\nb=y')).toEqual({ a: 'x\\', b: 'y' });
    expect(parse('a=x\\\\\\\n  y')).toEqual({ a: 'x\\y' });
  });

  it('a continuation onto a blank line ends the value; one at the end of the file is dropped', () => {
    expect(parse('a=x\\\n\nb=y')).toEqual({ a: 'x', b: 'y' });
    expect(parse('a=x\\')).toEqual({ a: 'x' });
  });

  it('\\r\\n and \\r line endings; a UTF-8 byte order mark is skipped', () => {
    expect(parse('\uFEFFa=1\r\nb=2\rc=3')).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('escapes: \\t \\n \\r \\f \\\\ \\= \\: \\uXXXX, and \\x for any other x is x', () => {
    expect(parse('k=\\t\\n\\r\\f\\\\\\=\\:\\u0041\\u00e9\\q')).toEqual({ k: '\t\n\r\f\\=:Aéq' });
  });

  it('escaped separators and spaces belong to the key', () => {
    expect(parse('a\\=b=c\nx\\:y:z\nsp\\ ace = v\n\\#hash=1')).toEqual({ 'a=b': 'c', 'x:y': 'z', 'sp ace': 'v', '#hash': '1' });
  });

  it('a malformed \\u escape is a ConfigError naming the line, not quoting it (the line may hold a password)', () => {
    expect(() => parseProperties('a=1\nb=\\u12G4')).toThrow(ConfigError);
    expect(() => parseProperties('a=1\nb=\\u12G4')).toThrow(/line 2: malformed \\uXXXX/);
    expect(() => parseProperties('b=\\u12')).toThrow(/line 1/);
    expect(() => parseProperties('ssl.key.password=\\uPASSWORD')).toThrow(/^(?!.*PASS)/);
  });

  it('a later duplicate wins and every duplicate is reported with its lines', () => {
    const r = parsePropertiesDetailed('a=1\nb=2\n# x\na=3\nc=4\na = 5\nb=6');
    expect(Object.fromEntries(r.properties)).toEqual({ a: '5', b: '6', c: '4' });
    expect(r.duplicates).toEqual([
      { key: 'a', lines: [1, 4, 6] },
      { key: 'b', lines: [2, 7] },
    ]);
  });

  it('a duplicate reported on a continued line carries the line it starts on', () => {
    const r = parsePropertiesDetailed('a=1\nb=x\\\n y\na=2');
    expect(r.duplicates).toEqual([{ key: 'a', lines: [1, 4] }]);
  });
});

describe('formatProperties', () => {
  it('writes the header as comments and key=value lines in map order', () => {
    const text = formatProperties(new Map([['b', '1'], ['a', 'x y']]), 'first line\n\nthird');
    expect(text).toBe('# first line\n#\n# third\nb=1\na=x y\n');
  });

  it('escapes what would otherwise change meaning', () => {
    const text = formatProperties(new Map([['#k ey:=!', ' lead\\\ttab\nnl']]));
    expect(text).toBe('\\#k\\ ey\\:\\=\\!=\\ lead\\\\\\ttab\\nnl\n');
    expect(Object.fromEntries(parseProperties(text))).toEqual({ '#k ey:=!': ' lead\\\ttab\nnl' });
  });

  it('round trip: parseProperties(formatProperties(m)) gives back m, for any keys and values', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { selector: ([k]) => k, maxLength: 8 }), fc.option(fc.string(), { nil: undefined }), (entries, header) => {
        const map = new Map(entries);
        expect(parseProperties(formatProperties(map, header))).toEqual(map);
      }),
      { numRuns: 500 },
    );
  });

  it('round trip with the troublesome characters on purpose', () => {
    const chars = fc.constantFrom(' ', '\t', '\n', '\r', '\f', '\\', '=', ':', '#', '!', 'a', 'é', '\u0000', '\u007f');
    const text = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(text, text), { selector: ([k]) => k, maxLength: 5 }), (entries) => {
        const map = new Map(entries);
        expect(parseProperties(formatProperties(map))).toEqual(map);
      }),
      { numRuns: 1000 },
    );
  });
});
