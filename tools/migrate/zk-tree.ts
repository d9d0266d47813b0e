// The contract between reading ZooKeeper and planning the import: a snapshot of the part of a
// Kafka ZooKeeper tree the importer reads, as plain data. The reader (zk-reader.ts) fills it from a
// live ensemble; the planner (plan.ts) turns it into metadata records without any I/O; tests build
// it by hand. Paths are relative to the chroot ("/brokers/ids/1"), never under /zookeeper.

export interface ZkStat {
  /** The znode's data version (`dataVersion`): Kafka uses it as the partition epoch of a state node. */
  readonly version: number;
  /** Creation and last-modification times, ms since the epoch. */
  readonly ctime: number;
  readonly mtime: number;
  /** Non-zero for an EPHEMERAL node (its owner's session id, as a decimal string). */
  readonly ephemeralOwner: string;
}

export interface ZkNode {
  /** null for a node with no data (Kafka writes null; an empty array reads back as zero bytes: both are null here). */
  readonly data: Buffer | null;
  readonly stat: ZkStat;
  /** Child names, sorted. */
  readonly children: readonly string[];
}

export interface ZkReadError {
  readonly path: string;
  /** e.g. "NO_NODE (deleted while reading)", "NOT_AUTHORIZED". */
  readonly reason: string;
}

export interface ZkTree {
  /** Every node read, keyed by path relative to the chroot ("/" is the chroot itself). */
  readonly nodes: ReadonlyMap<string, ZkNode>;
  /** Nodes that were listed but could not be read. */
  readonly errors: readonly ZkReadError[];
}
