import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOAD_GENERATOR_NODE_FLAGS, loadGeneratorHeapNote } from '../../tools/bench/load-generator-heap.js';

describe('the load generator heap flags', () => {
  it('says nothing when the flags were given, whatever value', () => {
    expect(loadGeneratorHeapNote(['--max-semi-space-size=64'])).toBeUndefined();
    expect(loadGeneratorHeapNote(['--expose-gc', '--max-semi-space-size=128'])).toBeUndefined();
  });

  it('names the missing flag and how to get it', () => {
    const note = loadGeneratorHeapNote(['--expose-gc']);
    expect(note).toContain('--max-semi-space-size=64');
    expect(note).toContain('npm run');
    expect(loadGeneratorHeapNote([])).toBe(note);
  });

  it('is what the npm scripts of the closed-loop benchmarks pass', () => {
    const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['bench:cluster', 'bench:vs-zk']) {
      const flags = scripts[name]!.split(/\s+/).filter((w) => w.startsWith('--'));
      expect(loadGeneratorHeapNote(flags), name).toBeUndefined();
      for (const f of LOAD_GENERATOR_NODE_FLAGS) expect(scripts[name], name).toContain(f);
    }
  });
});
