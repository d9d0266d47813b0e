// ImageWatch (read-your-writes on a broker): resolves true at once or when a later image passes
// the test, false at its deadline or on close; the topic handlers wait for their own write.

import { describe, expect, it } from 'vitest';
import { ImageWatch } from '../../broker/image-watch.js';
import type { MetadataSource } from '../../broker/metadata-follower.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { imageOf } from '../../metadata-log/delta.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics, READ_YOUR_WRITES_WAIT_MS } from '../../broker/kafka/handlers/topics.js';
import { ManualClock } from '../support/manual-clock.js';
import { mvRecord, testbed, topicRecords } from './kafka-handlers-fixture.js';
import { topicIdOf } from './controller-configs-fixture.js';

class FakeSource implements MetadataSource {
  private readonly listeners: MetadataListener[] = [];
  constructor(public image: MetadataImage) {}
  addMetadataListener(listener: MetadataListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  publish(image: MetadataImage): void {
    this.image = image;
    for (const l of this.listeners) l(undefined as never, image);
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ImageWatch', () => {
  it('true at once when the image already passes; true when a later image does; false at the deadline; false on close', async () => {
    const clock = new ManualClock();
    const source = new FakeSource(imageOf([mvRecord()]));
    const watch = new ImageWatch(source, clock);
    const hasT1 = (image: MetadataImageView) => image.topicByName('t1') !== undefined;

    expect(await watch.until(() => true, 10)).toBe(true);
    const waiting = watch.until(hasT1, 1_000);
    const lost = watch.until((image) => image.topicByName('never') !== undefined, 1_000);
    source.publish(imageOf([mvRecord(), ...topicRecords('t1', 1, 1)]));
    expect(await waiting).toBe(true);
    clock.advance(999);
    await settle();
    let settled = false;
    void lost.then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await lost).toBe(false);

    const closing = watch.until((image) => image.topicByName('never') !== undefined, 1_000);
    watch.close();
    expect(await closing).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('after close, a wait is answered at once from the image, with no timer left running (from a review)', async () => {
    // A topic write forwarded just before the broker stopped reaches its read-your-writes wait
    // after the watch closed: it waited out its whole deadline on a timer that outlived the broker.
    const clock = new ManualClock();
    const source = new FakeSource(imageOf([mvRecord()]));
    const watch = new ImageWatch(source, clock);
    watch.close();
    let answer: boolean | undefined;
    void watch.until((image) => image.topicByName('never') !== undefined, 5_000).then((met) => (answer = met));
    await settle();
    expect(answer).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    expect(await watch.until(() => true, 5_000)).toBe(true);
  });
});

describe('topic writes wait until this broker\'s image shows them (read-your-writes)', () => {
  /** A testbed whose awaitImage records the condition, and what it says of the image before and after the write. */
  function recording() {
    const t = testbed();
    const asked: { before: boolean; after: boolean; timeoutMs: number }[] = [];
    const before = t.harness.image;
    const ctx = {
      ...t.ctx,
      awaitImage: async (test: (image: MetadataImageView) => boolean, timeoutMs: number) => {
        asked.push({ before: test(before), after: test(t.harness.image), timeoutMs });
        return true;
      },
    };
    return { t, ctx, asked };
  }

  it('CreateTopics waits for the new topic (by id); validate-only and refused topics do not wait', async () => {
    const { t, ctx, asked } = recording();
    // The controller commits the topic (the broker's image in this testbed is the controller's).
    t.controller.canned.createTopics = (req) => {
      if (!req.validateOnly) t.harness.apply({ records: topicRecords('new', 77, 2), response: null });
      return { topics: req.topics.map((tp) => ({ name: tp.name, topicId: topicIdOf(77), errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1, configs: [] })) };
    };
    await handleCreateTopics(ctx, { topics: [{ name: 'new', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 60_000, validateOnly: false }, 3);
    expect(asked).toEqual([{ before: false, after: true, timeoutMs: READ_YOUR_WRITES_WAIT_MS }]);
    asked.length = 0;
    await handleCreateTopics(ctx, { topics: [{ name: 'other', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: true }, 3);
    expect(asked).toEqual([]);
  });

  it('DeleteTopics waits for the topic to be gone; CreatePartitions for the new count', async () => {
    const del = recording();
    del.t.controller.canned.deleteTopics = () => {
      const topicId = del.t.harness.image.topicByName('t2')!.topicId;
      del.t.harness.apply({ records: [{ type: 'RemoveTopic', topicId }], response: null });
      return { responses: [{ name: 't2', topicId, errorCode: 0, errorMessage: null }] };
    };
    await handleDeleteTopics(del.ctx, { topicNames: ['t2'], timeoutMs: 60_000 }, 1);
    expect(del.asked).toEqual([{ before: false, after: true, timeoutMs: READ_YOUR_WRITES_WAIT_MS }]);
    const grow = recording();
    grow.t.controller.canned.createPartitions = () => {
      const grown = topicRecords('t1', 1, 5).filter((r) => r.type === 'Partition' && r.partitionId >= 3);
      grow.t.harness.apply({ records: grown, response: null });
      return { results: [{ name: 't1', errorCode: 0, errorMessage: null }] };
    };
    await handleCreatePartitions(grow.ctx, { topics: [{ name: 't1', count: 5, assignments: null }], timeoutMs: 60_000, validateOnly: false }, 1);
    expect(grow.asked).toEqual([{ before: false, after: true, timeoutMs: READ_YOUR_WRITES_WAIT_MS }]);
  });

  it("the request's timeout_ms bounds the forward and the wait; 0 forwards and answers without waiting", async () => {
    const topic = (name: string) => ({ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] });
    const { t, ctx, asked } = recording();
    let id = 80;
    t.controller.canned.createTopics = (req) => {
      id += 1;
      t.harness.apply({ records: topicRecords(req.topics[0]!.name, id, 2), response: null });
      return { topics: req.topics.map((tp) => ({ name: tp.name, topicId: topicIdOf(id), errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1, configs: [] })) };
    };
    // Shorter than the broker's own bound on a forward: the forward keeps the broker's bound (the
    // controller does not know the client's deadline: a forward cut short may still be applied),
    // and the image wait gets what is left of timeout_ms.
    await handleCreateTopics(ctx, { topics: [topic('short')], timeoutMs: 1_000, validateOnly: false }, 3);
    expect(t.controller.calls.at(-1)!.timeoutMs).toBe(ctx.controllerTimeoutMs);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.timeoutMs).toBeGreaterThan(0);
    expect(asked[0]!.timeoutMs).toBeLessThanOrEqual(1_000);
    // Longer: the broker's own bound on a forward stays, and the image wait is the usual one.
    asked.length = 0;
    await handleCreateTopics(ctx, { topics: [topic('long')], timeoutMs: 60_000, validateOnly: false }, 3);
    expect(t.controller.calls.at(-1)!.timeoutMs).toBe(ctx.controllerTimeoutMs);
    expect(asked.map((a) => a.timeoutMs)).toEqual([READ_YOUR_WRITES_WAIT_MS]);
    // 0 (and below): forwarded, answered with its outcome, the image not awaited.
    asked.length = 0;
    const r = await handleCreateTopics(ctx, { topics: [topic('now')], timeoutMs: 0, validateOnly: false }, 3);
    expect(r.topics.map((x) => x.errorCode)).toEqual([0]);
    expect(t.controller.calls.at(-1)!.timeoutMs).toBe(ctx.controllerTimeoutMs);
    expect(asked).toEqual([]);
    t.controller.canned.deleteTopics = (req) => {
      const topicId = t.harness.image.topicByName(req.topics[0]!.name!)!.topicId;
      t.harness.apply({ records: [{ type: 'RemoveTopic', topicId }], response: null });
      return { responses: [{ name: req.topics[0]!.name, topicId, errorCode: 0, errorMessage: null }] };
    };
    await handleDeleteTopics(ctx, { topicNames: ['now'], timeoutMs: -1 }, 1);
    expect(t.controller.calls.at(-1)).toMatchObject({ method: 'deleteTopics', timeoutMs: ctx.controllerTimeoutMs });
    expect(asked).toEqual([]);
  });
});
