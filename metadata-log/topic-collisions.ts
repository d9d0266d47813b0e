// Kafka's topic-name collision rule: '.' and '_' may not be told apart in metric names, so two
// topics whose names differ only there collide (Topic.hasCollisionChars, unifyCollisionChars).
// Here because the image indexes names by their unified form (image.ts) and CreateTopics checks it.

export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

/** Kafka's Topic.unifyCollisionChars: '.' -> '_'. */
export function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_');
}
