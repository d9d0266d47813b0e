// `metaquorum dev`'s banner suggests a topic to create: its replication factor must be one the
// cluster can place (3, or every broker when there are fewer), or the newcomer's first command fails.
import { describe, expect, it } from 'vitest';
import { suggestedReplicationFactor } from '../../tools/cli/dev-command.js';

const nodes = (...roles: string[][]) => roles.map((r) => ({ roles: r }));

describe('dev banner: the suggested replication factor', () => {
  it('is 3 with 3 brokers or more, and every broker with fewer (combined nodes count as brokers)', () => {
    expect(suggestedReplicationFactor(nodes(['controller'], ['broker'], ['broker'], ['broker'], ['broker']))).toBe(3);
    expect(suggestedReplicationFactor(nodes(['controller'], ['broker']))).toBe(1);
    expect(suggestedReplicationFactor(nodes(['controller'], ['controller'], ['broker'], ['broker']))).toBe(2);
    expect(suggestedReplicationFactor(nodes(['broker', 'controller'], ['broker', 'controller']))).toBe(2);
  });
});
