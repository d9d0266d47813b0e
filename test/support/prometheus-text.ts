// A strict reader of Prometheus's text exposition format (0.0.4) for tests: every line must be a
// HELP, a TYPE or a sample of the family whose TYPE came last, so a malformed scrape fails the
// test instead of being half read. Returns the samples by family, with their labels.

export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: ParsedSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

export function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  let current: ParsedFamily | undefined;
  let help = new Map<string, string>();
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.startsWith('# HELP ')) {
      const [, name, ...rest] = line.split(' ').slice(1);
      help = new Map([[name!, rest.join(' ')]]);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!['gauge', 'counter', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`bad TYPE line: ${line}`);
      if (families.has(name!)) throw new Error(`family ${name} appears twice`);
      if (!help.has(name!)) throw new Error(`TYPE ${name} without its HELP line just before`);
      current = { name: name!, type: type!, help: help.get(name!)!, samples: [] };
      families.set(name!, current);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    if (current === undefined) throw new Error(`sample before any TYPE: ${line}`);
    const name = m[1]!;
    const suffixes = current.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    if (!suffixes.some((s) => name === current!.name + s)) throw new Error(`sample ${name} does not belong to family ${current.name}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (l === null) throw new Error(`bad labels in ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const raw = m[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value in ${line}`);
    current.samples.push({ name, labels, value });
  }
  return families;
}

/** The one sample of `family` whose labels include `labels`; throws when there is not exactly one. */
export function sampleValue(families: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}, name = family): number {
  const f = families.get(family);
  if (f === undefined) throw new Error(`no family ${family}`);
  const hits = f.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name} with ${JSON.stringify(labels)}`);
  return hits[0]!.value;
}
