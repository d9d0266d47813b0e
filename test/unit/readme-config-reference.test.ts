// The README's configuration reference is generated from the key table; this keeps it true.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown } from '../../tools/config/server-keys.js';

describe('README configuration reference', () => {
  it('matches the keys start understands (regenerate it from configReferenceMarkdown())', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const m = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(readme);
    expect(m, 'README lacks the config-reference markers').not.toBeNull();
    expect(m![1]!.trim()).toBe(configReferenceMarkdown().trim());
  });
});
