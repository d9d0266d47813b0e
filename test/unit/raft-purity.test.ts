// The Raft core must stay pure (DESIGN §3): no clocks, randomness, timers or node:* modules, so
// the simulator can drive it deterministically. This scans the source instead of trusting memory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../quorum/raft');
const forbidden: [RegExp, string][] = [
  [/from\s+['"]node:/, 'a node:* import'],
  [/from\s+['"](fs|path|os|net|crypto|timers|child_process|worker_threads)['"]/, 'a Node built-in import'],
  [/\brequire\s*\(/, 'require()'],
  [/\bimport\s*\(/, 'a dynamic import'],
  [/\bDate\b/, 'Date'],
  [/\bMath\.random\b/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask|clearTimeout|clearInterval)\b/, 'a timer'],
  [/\bperformance\b/, 'performance (a clock)'],
  [/\bprocess\./, 'process'],
  [/\bcrypto\./, 'crypto'],
];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

export function findViolations(src: string): string[] {
  const code = stripComments(src);
  return forbidden.filter(([re]) => re.test(code)).map(([, what]) => what);
}

describe('quorum/raft stays pure', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('finds the core sources', () => {
    expect(files).toContain('core.ts');
  });

  for (const file of files) {
    it(`${file} touches no clock, randomness, timer or node:* module`, () => {
      expect(findViolations(readFileSync(join(dir, file), 'utf8'))).toEqual([]);
    });
  }

  it('the scanner itself catches each forbidden thing', () => {
    expect(findViolations("import { readFile } from 'node:fs';")).toContain('a node:* import');
    expect(findViolations('const t = Date.now();')).toContain('Date');
    expect(findViolations('const r = Math.random();')).toContain('Math.random');
    expect(findViolations('setTimeout(() => {}, 1);')).toContain('a timer');
    expect(findViolations('// Date.now() in a comment is fine\nconst x = 1;')).toEqual([]);
  });
});
