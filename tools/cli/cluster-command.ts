// `metaquorum cluster describe`: the cluster id, the active controller and the registered brokers
// with their state, from DescribeCluster (answered by the active controller, whose heartbeat
// sessions know each broker's last reported metadata offset; "-" when it has none yet).
// Endpoints lists every listener a broker registered, as Kafka writes them (`NAME://host:port`,
// comma-separated): a broker with an internal and an external listener shows both.

import type { Command } from 'commander';
import type { DescribeClusterResponse } from '../../quorum/controller/cluster/describe-cluster.js';
import { action, print } from './common.js';
import { addAdminOptions, withAdmin, type ReadOptions } from './admin-options.js';
import { hostPortText, renderTable } from './format.js';

export function renderCluster(c: DescribeClusterResponse): string {
  const head = [`ClusterId: ${c.clusterId}`, `ActiveControllerId: ${c.controllerId ?? 'none'}`];
  if (c.brokers.length === 0) return [...head, 'No registered brokers.'].join('\n');
  const table = renderTable(
    ['BrokerId', 'Endpoints', 'Rack', 'Fenced', 'InControlledShutdown', 'Epoch', 'MetadataOffset'],
    c.brokers.map((b) => [
      String(b.brokerId),
      b.endpoints.map((e) => `${e.name}://${hostPortText(e.host, e.port)}`).join(','),
      b.rack ?? '-',
      String(b.fenced),
      String(b.inControlledShutdown),
      String(b.brokerEpoch),
      b.metadataOffset === null ? '-' : String(b.metadataOffset),
    ]),
  );
  return [...head, table].join('\n');
}

async function describe(opts: ReadOptions): Promise<void> {
  await withAdmin(opts, async (rpc, callOptions) => {
    const c = await rpc.call('describeCluster', {}, callOptions);
    print(opts.json, c, renderCluster);
  });
}

export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('Inspect the cluster: its id, the active controller, the registered brokers.');
  const cmd = cluster.command('describe').description('Print the cluster id, the active controller and every registered broker with its state.');
  addAdminOptions(cmd, { json: true }).action(action(describe));
}
