// sasl.jaas.config, as a Kafka client's properties carry it: one JAAS login module entry,
//
//   <login module class> <control flag> [<option>=<value> ...];
//
// e.g. org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";
//
// parsed as Kafka's JaasConfig reads it (java.io.StreamTokenizer): tokens separated by white
// space; a value is a bare word or a double-quoted string in which a backslash takes the next
// character as it is; the entry ends with ';' and nothing follows it. Only the SCRAM login module
// is taken here. Errors never quote a value: the password is one.

export interface JaasEntry {
  readonly loginModule: string;
  readonly controlFlag: string;
  readonly options: ReadonlyMap<string, string>;
}

export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const CONTROL_FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

/** Parses one entry; throws an Error saying what is wrong (without quoting any value). */
export function parseJaasEntry(text: string): JaasEntry {
  const tokens = tokenize(text);
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  const module = next();
  if (module === undefined || module.kind !== 'word') throw new Error('expected a login module class name first');
  const flag = next();
  if (flag === undefined || flag.kind !== 'word' || !CONTROL_FLAGS.includes(flag.text.toLowerCase())) {
    throw new Error(`expected a control flag (${CONTROL_FLAGS.join(', ')}) after ${module.text}`);
  }
  const options = new Map<string, string>();
  for (;;) {
    const t = next();
    if (t === undefined) throw new Error("the entry does not end with ';'");
    if (t.kind === 'semicolon') break;
    if (t.kind !== 'word') throw new Error('expected an option name, got a quoted string');
    const eq = next();
    if (eq === undefined || eq.kind !== 'equals') throw new Error(`option ${t.text}: expected '=' after its name`);
    const value = next();
    if (value === undefined || (value.kind !== 'word' && value.kind !== 'quoted')) throw new Error(`option ${t.text}: expected a value after '='`);
    if (options.has(t.text)) throw new Error(`option ${t.text} is given twice`);
    options.set(t.text, value.text);
  }
  if (i < tokens.length) throw new Error("more than one login module entry (only one is taken), or text after ';'");
  return { loginModule: module.text, controlFlag: flag.text.toLowerCase(), options };
}

type Token = { readonly kind: 'word' | 'quoted'; readonly text: string } | { readonly kind: 'equals' | 'semicolon'; readonly text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === ';') {
      tokens.push({ kind: c === '=' ? 'equals' : 'semicolon', text: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('a quoted value is not closed');
        const q = text[i]!;
        if (q === '\\') {
          if (i + 1 >= text.length) throw new Error('a quoted value ends with a lone backslash');
          value += text[i + 1]!;
          i += 2;
        } else if (q === '"') {
          i++;
          break;
        } else {
          value += q;
          i++;
        }
      }
      tokens.push({ kind: 'quoted', text: value });
    } else {
      let word = '';
      while (i < text.length && !/[\s=;"]/.test(text[i]!)) word += text[i++]!;
      tokens.push({ kind: 'word', text: word });
    }
  }
  return tokens;
}
