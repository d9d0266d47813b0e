// `metaquorum dev` warns when the nodes' ports lie in the kernel's ephemeral port range: there an
// outgoing connection between nodes can take a port before its node listens on it.
import { describe, expect, it } from 'vitest';
import { ephemeralPortWarning } from '../../tools/cli/dev-command.js';

const LINUX_DEFAULT = [32768, 60999] as const;

describe('dev: ports in the ephemeral range', () => {
  it('warns for ports inside the range, naming them and the range', () => {
    const w = ephemeralPortWarning([34092, 34093, 34192, 34292, 19092], LINUX_DEFAULT);
    expect(w).toContain("the nodes' ports (4 ports, 34092-34292) lie in the kernel's ephemeral port range 32768-60999");
    expect(w).toContain('address already in use');
    expect(ephemeralPortWarning([60999], LINUX_DEFAULT)).toContain('(60999)');
    expect(ephemeralPortWarning([32768], LINUX_DEFAULT)).toContain('(32768)');
  });

  it('is silent below or above the range, and when the range is unknown', () => {
    expect(ephemeralPortWarning([19092, 19192, 19292], LINUX_DEFAULT)).toBeNull();
    expect(ephemeralPortWarning([32767, 61000], LINUX_DEFAULT)).toBeNull();
    expect(ephemeralPortWarning([34092], null)).toBeNull();
  });
});
