// The process collector's event-loop delay sampler (quorum/metrics/process-metrics.ts): a timer
// every 10 ms, so it must not run in a node nobody scrapes, and once running it must see a stall.

import { describe, expect, it } from 'vitest';
import { processCollector, type LoopDelaySampler } from '../../quorum/metrics/process-metrics.js';
import { renderExposition } from '../../quorum/metrics/registry.js';
import { parseExposition, sampleValue } from '../support/prometheus-text.js';

const node = { nodeId: 7, roles: ['controller'], clusterId: 'c1', version: 'test' };

/** A sampler that only counts what is done to it. */
function countingSampler() {
  const calls = { created: 0, enable: 0, disable: 0, reset: 0 };
  const make = (): LoopDelaySampler => {
    calls.created++;
    return {
      enable: () => ((calls.enable++, true)),
      disable: () => ((calls.disable++, true)),
      reset: () => void calls.reset++,
      percentile: () => NaN,
      max: NaN,
    } as unknown as LoopDelaySampler;
  };
  return { calls, make };
}

const scrape = (collector: () => Iterable<unknown>) => parseExposition(renderExposition([...(collector() as Iterable<never>)]));

describe('process metrics: the event-loop delay sampler', () => {
  it('starts at the first scrape, not before, and stops for good with the node', () => {
    const { calls, make } = countingSampler();
    const p = processCollector(node, make);
    expect(calls).toEqual({ created: 0, enable: 0, disable: 0, reset: 0 });

    const first = scrape(p.collector);
    expect(calls.created).toBe(1);
    expect(calls.enable).toBe(1);
    expect(sampleValue(first, 'nodejs_eventloop_delay_seconds', { quantile: '1' })).toBe(0);
    expect(sampleValue(first, 'metaquorum_node_info', { node_id: '7', roles: 'controller', cluster_id: 'c1', version: 'test' })).toBe(1);

    scrape(p.collector);
    expect(calls.created).toBe(1); // one sampler for the life of the node
    expect(calls.reset).toBe(2); // each scrape reports the delay since the previous one

    p.stop();
    expect(calls.disable).toBe(1);
    scrape(p.collector); // a scrape during the shutdown still answers, without sampling again
    expect(calls).toMatchObject({ created: 1, enable: 1 });
  });

  it('a node stopped before any scrape never starts sampling', () => {
    const { calls, make } = countingSampler();
    const p = processCollector(node, make);
    p.stop();
    const m = scrape(p.collector);
    expect(calls.created).toBe(0);
    expect(sampleValue(m, 'nodejs_eventloop_delay_seconds', { quantile: '0.99' })).toBe(0);
  });

  it('once sampling, a 120 ms stall of the loop shows in the next scrape', async () => {
    const p = processCollector(node);
    try {
      scrape(p.collector);
      await new Promise((r) => setTimeout(r, 30)); // a few samples of an idle loop
      const busyUntil = performance.now() + 120;
      while (performance.now() < busyUntil) {
        // the stall: no timer can run
      }
      await new Promise((r) => setTimeout(r, 30));
      const worst = sampleValue(scrape(p.collector), 'nodejs_eventloop_delay_seconds', { quantile: '1' });
      // 120 ms blocked, less the 10 ms the sampler's own interval accounts for.
      expect(worst).toBeGreaterThanOrEqual(0.1);
    } finally {
      p.stop();
    }
  });
});
