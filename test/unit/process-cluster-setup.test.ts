// ProcessCluster's set-up of a data directory (tools/server/process-cluster.ts, what `metaquorum
// dev` runs), without starting any process. From a review: an interrupted first set-up left node
// directories of one cluster id that a second run completed under another (a cluster that can
// never start); a second run without shape options did not take the shape the directory holds;
// and an exit was explained without the node's `fatal:` line.

import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFormatted } from '../../tools/config/meta-properties.js';
import { loadServerConfig } from '../../tools/config/server-config.js';
import { existingShape, ProcessCluster } from '../../tools/server/process-cluster.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mq-process-cluster-'));
  dirs.push(d);
  return d;
}
const SPLIT = { controllers: 3, brokers: 2, combined: false, basePort: 0 };

describe('ProcessCluster set-up', () => {
  it('node directories formatted without cluster.json (an interrupted first run) are refused, saying what to remove', async () => {
    const dir = await dataDir();
    await ProcessCluster.create({ dataDir: dir, shape: SPLIT });
    await unlink(join(dir, 'cluster.json')); // as if stopped before the set-up finished
    const err = await ProcessCluster.create({ dataDir: dir, shape: SPLIT }).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/holds node directories from a setup that did not finish \(10 formatted, no cluster.json\).*rm -rf .*node-\*/);
  });

  it('existingShape reads the shape back from cluster.json, so a second run can restart any shape', async () => {
    const dir = await dataDir();
    expect(await existingShape(dir)).toBeUndefined();
    const shapes = [SPLIT, { controllers: 1, brokers: 2, combined: true, basePort: 0 }];
    for (const shape of shapes) {
      const d = await dataDir();
      const first = await ProcessCluster.create({ dataDir: d, shape });
      const { basePort: _ignored, ...want } = shape;
      expect(await existingShape(d)).toEqual(want);
      const again = await ProcessCluster.create({ dataDir: d, shape: { ...(await existingShape(d))!, basePort: 0 } });
      expect(again.clusterId).toBe(first.clusterId);
    }
  });

  it('a data directory with a comma in its path gives nodes configs that read back to the directories formatted (log.dirs would split it)', async () => {
    const dir = join(await dataDir(), 'a,b');
    const cluster = await ProcessCluster.create({ dataDir: dir, shape: { controllers: 1, brokers: 1, combined: false, basePort: 0 } });
    for (const n of cluster.nodes) {
      const config = await loadServerConfig(n.configPath, [], () => undefined);
      expect(config.logDirs).toEqual([join(n.dir, 'logs')]);
      expect((await checkFormatted(config)).clusterId).toBe(cluster.clusterId);
    }
  });

  it("an exit is explained with the node's last fatal line, or the error of its last error entry", async () => {
    const dir = await dataDir();
    const cluster = await ProcessCluster.create({ dataDir: dir, shape: SPLIT });
    const log = cluster.node(4).logPath;
    await writeFile(log, `${JSON.stringify({ level: 30, msg: 'broker starting' })}\nfatal: registration refused: cluster id mismatch\n`);
    expect(await cluster.lastLoggedError(4)).toBe('registration refused: cluster id mismatch');
    await writeFile(log, `${JSON.stringify({ level: 50, msg: 'broker lifecycle failed', error: 'registration refused: INCONSISTENT_CLUSTER_ID' })}\n`);
    expect(await cluster.lastLoggedError(4)).toBe('broker lifecycle failed: registration refused: INCONSISTENT_CLUSTER_ID');
    // start's error of several lines (every unusable directory) is quoted whole (it was cut to "2 data directories cannot be used:").
    await writeFile(log, `${JSON.stringify({ level: 30, msg: 'starting' })}\nerror: 2 data directories cannot be used:\n  - log.dir /x is not formatted\n  - log.dir /y is not formatted\n`);
    expect(await cluster.lastLoggedError(4)).toBe('2 data directories cannot be used: - log.dir /x is not formatted - log.dir /y is not formatted');
  });
});
