// Assertions stay on in production (DESIGN §10): a broken invariant crashes the node, which then
// restarts from disk, rather than letting it go on with a state nobody reasoned about.

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
