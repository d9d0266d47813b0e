// Kafka's topic name rules and '.'/'_' collisions.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { collidingTopic, topicNameError } from '../../quorum/controller/replication/topic-names.js';
import { unifyCollisionChars } from '../../metadata-log/topic-collisions.js';
import { image, topic } from './controller-replication-fixtures.js';
import { replayAll } from '../../metadata-log/delta.js';

describe('topic names', () => {
  it('legal names pass: alphanumerics, dot, underscore, dash, 249 characters', () => {
    for (const name of ['a', 'orders', 'a.b_c-d', 'A9', '...', '_', 'x'.repeat(249)]) expect(topicNameError(name)).toBeNull();
  });

  it('empty name is refused with INVALID_TOPIC_EXCEPTION saying so', () => {
    expect(topicNameError('')).toEqual({ code: ErrorCode.INVALID_TOPIC_EXCEPTION, message: expect.stringContaining("can't be empty") });
  });

  it('"." and ".." are refused', () => {
    for (const name of ['.', '..']) expect(topicNameError(name)?.message).toContain('cannot be "." or ".."');
  });

  it('250 characters is refused naming the limit', () => {
    const err = topicNameError('x'.repeat(250));
    expect(err?.code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(err?.message).toContain('longer than 249 characters');
  });

  it('illegal characters are refused naming the allowed set', () => {
    for (const name of ['a b', 'a/b', 'é', 'a:b', 'topic*']) {
      const err = topicNameError(name);
      expect(err?.code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect(err?.message).toContain("ASCII alphanumerics, '.', '_' and '-'");
    }
  });

  it('collisions: a.b collides with existing a_b and the other way round; the same name is not a collision', () => {
    const img = image([...topic('a_b', [{ replicas: [1] }]), ...topic('x.y.z', [{ replicas: [1] }])]);
    expect(unifyCollisionChars('a.b.c')).toBe('a_b_c');
    expect(collidingTopic(img, 'a.b')).toBe('a_b');
    expect(collidingTopic(img, 'x_y.z')).toBe('x.y.z');
    expect(collidingTopic(img, 'x.y.z')).toBeNull();
    expect(collidingTopic(img, 'ab')).toBeNull();
    expect(collidingTopic(img, 'a-b')).toBeNull();
  });

  it('a name with many collision characters is found through the image index by its unified form', () => {
    const name = 'a.b.c.d.e.f.g.h.i.j.k.l';
    const img = image(topic(name.replaceAll('.', '_'), [{ replicas: [1] }]));
    expect(img.topicNamesUnifiedAs(unifyCollisionChars(name))).toEqual([name.replaceAll('.', '_')]);
    expect(collidingTopic(img, name)).toBe(name.replaceAll('.', '_'));
    expect(collidingTopic(img, 'a.b.c.d.e.f.g.h.i.j.k.m')).toBeNull();
  });

  it('the index follows deletions and re-creations (a deleted topic collides with nothing; a name reused in one delta is kept)', () => {
    const created = image([...topic('a_b', [{ replicas: [1] }]), ...topic('c.d', [{ replicas: [1] }])]);
    const removed = replayAll(created, [{ type: 'RemoveTopic', topicId: created.topicByName('a_b')!.topicId }], { endOffset: created.provenance.endOffset + 1, epoch: 1 });
    expect(collidingTopic(removed, 'a.b')).toBeNull();
    expect(removed.topicNamesUnifiedAs('a_b')).toEqual([]);
    expect(collidingTopic(removed, 'c_d')).toBe('c.d');
    const old = removed.topicByName('c.d')!.topicId;
    const reused = replayAll(removed, [{ type: 'RemoveTopic', topicId: old }, { type: 'Topic', name: 'c.d', topicId: 'AAAAAAAAAAAAAAAAAAAAcQ' }], { endOffset: removed.provenance.endOffset + 2, epoch: 1 });
    expect(reused.topicNamesUnifiedAs('c_d')).toEqual(['c.d']);
    expect(collidingTopic(reused, 'c_d')).toBe('c.d');
  });

  it('collisions with a topic pending in the same request', () => {
    const img = image([]);
    expect(collidingTopic(img, 'a.b', new Map([['a_b', 'a_b']]))).toBe('a_b');
  });
});
