// sasl.jaas.config, as a Kafka client's properties carry it: one JAAS login module entry,
//
//   <login module class> <control flag> [<option>=<value> ...];
//
// e.g. org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";
//
// read with the tokenizer rules of Kafka's JaasConfig (a java.io.StreamTokenizer), so a file that
// works with Kafka's tools works here (a review found single quotes, comments and \t escapes read
// differently, a password then silently not the one written):
// - characters 0-32 are white space; ';' and '=' are tokens of their own;
// - '"' and '\'' quote a value (or a name); inside, a backslash escape is Java's: \a \b \f \n \r \t
//   \v, octal \0-\377, any other character as itself; a quote not closed ends at the end of the line;
// - '/' starts a comment: "/* ... */", or to the end of the line ("//", or a lone '/');
// - a word is any run of other characters.
// An option named twice keeps the last value (Kafka's HashMap). Only one entry is taken, as Kafka's
// client takes one. Errors never quote a value or an unknown token: a password may be one.

export interface JaasEntry {
  readonly loginModule: string;
  readonly controlFlag: string;
  readonly options: ReadonlyMap<string, string>;
}

export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const CONTROL_FLAGS = ['required', 'requisite', 'sufficient', 'optional'];
/** Option names an error may quote: those the SCRAM login module knows. */
const NAMES_QUOTED = new Set(['username', 'password', 'tokenauth']);
/** A Java class name: what an error may quote of the first token. */
const CLASS_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;

/** A login module's name as an error may quote it: a Java class name, else not at all (it may be a misplaced password). */
export function loginModuleText(name: string): string {
  return CLASS_NAME.test(name) && name.length <= 200 ? name : 'the login module';
}

/** Parses one entry; throws an Error saying what is wrong (without quoting any value). */
export function parseJaasEntry(text: string): JaasEntry {
  const tokens = tokenize(text);
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  const module = next();
  if (module === undefined || module.kind === 'semicolon' || module.kind === 'equals') throw new Error('expected a login module class name first');
  const moduleName = loginModuleText(module.text);
  const flag = next();
  if (flag === undefined || flag.kind !== 'word' || !CONTROL_FLAGS.includes(flag.text.toLowerCase())) {
    throw new Error(`expected a control flag (${CONTROL_FLAGS.join(', ')}) after ${moduleName}`);
  }
  const options = new Map<string, string>();
  for (;;) {
    const t = next();
    if (t === undefined) throw new Error("the entry does not end with ';'");
    if (t.kind === 'semicolon') break;
    const name = t.kind === 'equals' ? "'='" : NAMES_QUOTED.has(t.text) ? `option ${t.text}` : 'an option';
    const eq = next();
    if (t.kind === 'equals' || eq === undefined || eq.kind !== 'equals') throw new Error(`${name}: expected a name, then '=', then a value (is a value with spaces or ';' not quoted?)`);
    const value = next();
    if (value === undefined || (value.kind !== 'word' && value.kind !== 'quoted')) throw new Error(`${name}: expected a value after '='`);
    options.set(t.text, value.text);
  }
  if (i < tokens.length) throw new Error("more than one login module entry (a client takes one), or text after ';'");
  return { loginModule: module.text, controlFlag: flag.text.toLowerCase(), options };
}

type Token = { readonly kind: 'word' | 'quoted'; readonly text: string } | { readonly kind: 'equals' | 'semicolon'; readonly text: string };

/** Java's escapes in a quoted string (StreamTokenizer). */
const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const WORD_END = new Set([';', '=', '/', '"', "'"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const atEol = () => i >= text.length || text[i] === '\n' || text[i] === '\r';
  while (i < text.length) {
    const c = text[i]!;
    if (c.charCodeAt(0) <= 32) {
      i++;
    } else if (c === '=' || c === ';') {
      tokens.push({ kind: c === '=' ? 'equals' : 'semicolon', text: c });
      i++;
    } else if (c === '/') {
      if (text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        i = end < 0 ? text.length : end + 2;
      } else {
        while (!atEol()) i++;
      }
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (!atEol() && text[i] !== c) {
        if (text[i] !== '\\' || i + 1 >= text.length) {
          value += text[i++]!;
          continue;
        }
        const e = text[i + 1]!;
        i += 2;
        if (e >= '0' && e <= '7') {
          // Octal: up to three digits, the first of three at most 3 (a byte).
          let digits = e;
          while (digits.length < (digits[0]! <= '3' ? 3 : 2) && i < text.length && text[i]! >= '0' && text[i]! <= '7') digits += text[i++]!;
          value += String.fromCharCode(parseInt(digits, 8));
        } else {
          value += ESCAPES[e] ?? e;
        }
      }
      if (text[i] === c) i++;
      tokens.push({ kind: 'quoted', text: value });
    } else {
      let word = '';
      while (i < text.length && text.charCodeAt(i) > 32 && !WORD_END.has(text[i]!)) word += text[i++]!;
      tokens.push({ kind: 'word', text: word });
    }
  }
  return tokens;
}
