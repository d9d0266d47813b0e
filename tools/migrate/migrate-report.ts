// The text a person reads after migrate-from-zk (--json prints the MigrateReport itself): where the
// tree came from, the plan's counts per kind, every anomaly with its path (a dry run shows them all;
// an import shows the first few and says how to see the rest), what was skipped and not imported,
// and the outcome.

import type { MigrateReport } from './migrate.js';
import { renderDifferences } from './verify.js';

/** Anomalies shown by an import or verify run before "… and N more" (a dry run shows all). */
const ANOMALIES_SHOWN = 20;

export function renderMigrateReport(r: MigrateReport): string {
  const lines: string[] = [];
  const z = r.zookeeper;
  lines.push(`ZooKeeper: ${z.connect} (${z.summary})`);
  lines.push(`  read ${z.nodesRead} znodes in ${z.readMs} ms${z.readErrors > 0 ? `, ${z.readErrors} unreadable` : ''}`);
  if (r.quorum !== null) {
    lines.push(`Quorum: cluster ${r.quorum.clusterId}, active controller ${r.quorum.activeControllerId ?? 'none'}, ${r.quorum.topics} topic(s)${r.quorum.alreadyImported ? ', holds a completed import' : ''}`);
  }
  const p = r.plan;
  const c = p.counts;
  lines.push(`Plan: cluster id ${p.clusterId ?? '(none)'}, controller epoch ${p.controllerEpoch ?? '(none)'}`);
  lines.push(
    `  ${c.records} records: ${c.brokers} broker registrations (fenced until each broker registers), ${c.topics} topics, ${c.partitions} partitions, ` +
      `${c.topicConfigs} topic configs, ${c.brokerConfigs} broker configs, ${c.producerIds} producer-id block, ${c.offsetCommits} legacy consumer offsets, ${c.acls} ACLs, ${c.clientQuotas} client quotas, ${c.scramCredentials} SCRAM credentials`,
  );
  if (p.mintedTopicIds.length > 0) lines.push(`  ${p.mintedTopicIds.length} topic(s) had no topic id in ZooKeeper; new ids are minted for them (drawn afresh on each run: the ids a dry run shows are not the ones an import writes)`);
  if (p.brokersOnlyInAssignments.length > 0) lines.push(`  brokers named by replicas but not registered in ZooKeeper (down?): ${p.brokersOnlyInAssignments.join(', ')}`);

  const errors = p.anomalies.filter((a) => a.severity === 'error').length;
  lines.push(`Anomalies: ${p.anomalies.length} (${errors} error(s), ${p.anomalies.length - errors} warning(s))`);
  const shown = r.mode === 'dry-run' ? p.anomalies.length : Math.min(ANOMALIES_SHOWN, p.anomalies.length);
  for (const a of p.anomalies.slice(0, shown)) lines.push(`  ${a.severity.padEnd(7)} ${a.kind.padEnd(28)} ${a.path}: ${a.message}`);
  if (shown < p.anomalies.length) lines.push(`  … and ${p.anomalies.length - shown} more (--dry-run lists them all; --json gives them as data)`);

  if (p.skipped.length > 0) {
    lines.push(`Skipped: ${p.skipped.length}`);
    const skippedShown = r.mode === 'dry-run' ? p.skipped.length : Math.min(ANOMALIES_SHOWN, p.skipped.length);
    for (const s of p.skipped.slice(0, skippedShown)) lines.push(`  ${s.path}: ${s.reason}`);
    if (skippedShown < p.skipped.length) lines.push(`  … and ${p.skipped.length - skippedShown} more`);
  }
  const notImported = p.notImported.filter((n) => n.count > 0);
  if (notImported.length > 0) {
    lines.push('Not imported:');
    for (const n of notImported) lines.push(`  ${n.count} ${n.reason}`);
  }
  if (r.refusals.length > 0) {
    lines.push(r.mode === 'dry-run' ? 'The import would be refused:' : 'Refused:');
    for (const reason of r.refusals) lines.push(`  - ${reason}`);
  }
  if (r.imported !== null && !r.imported.alreadyImported) {
    lines.push(`Written: ${r.imported.recordsWritten} records in ${r.imported.writeMs} ms${r.imported.brokersSkipped > 0 ? ` (${r.imported.brokersSkipped} broker(s) already registered kept their registration)` : ''}`);
  }
  if (r.verify !== null) lines.push(renderDifferences(r.verify));
  lines.push(r.summary);
  return lines.join('\n');
}
