// A few promises over node-zookeeper-client for the tools that write to or time a ZooKeeper (the
// tree populator, bench:vs-zk): connect with a deadline, close without hanging on a dead server,
// and the requests they send. (migrate-from-zk's reader has its own session with reconnect
// handling: tools/migrate/zk-reader.ts.)

import zookeeper from 'node-zookeeper-client';
import type { Client, Stat, Transaction } from 'node-zookeeper-client';

export interface ZkConnectOptions {
  readonly timeoutMs: number;
  /** Requested session timeout (the server clamps it to 2..20 ticks). Default 30 s. */
  readonly sessionTimeoutMs?: number;
  /** The client's pause between rounds of connection attempts (its default is 1 s). Default 200 ms. */
  readonly spinDelayMs?: number;
}

/** A connected client for `hosts` (`h:p[,h:p…]`, no chroot). */
export async function connectZooKeeper(hosts: string, o: ZkConnectOptions): Promise<Client> {
  const client = zookeeper.createClient(hosts, { sessionTimeout: o.sessionTimeoutMs ?? 30_000, spinDelay: o.spinDelayMs ?? 200, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        client.close();
      } catch {
        /* never connected */
      }
      reject(new Error(`cannot connect to ZooKeeper ${hosts} within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return client;
}

/** Closes the session if connected (its ephemeral nodes go), waiting at most 2 s. */
export function closeZooKeeper(client: Client): Promise<void> {
  return new Promise((resolve) => {
    // close() on a client that is not connected may throw or keep dialling (zk-reader.ts).
    if (client.getState() !== zookeeper.State.SYNC_CONNECTED) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, 2_000);
    client.once('disconnected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.close();
  });
}

export function zkSetData(client: Client, path: string, data: Buffer): Promise<Stat> {
  return new Promise((resolve, reject) => client.setData(path, data, -1, (e, stat) => (e ? reject(e) : resolve(stat))));
}

export function zkGetData(client: Client, path: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => client.getData(path, (e, data) => (e ? reject(e) : resolve(data ?? undefined))));
}

export function zkGetChildren(client: Client, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => client.getChildren(path, (e, children) => (e ? reject(e) : resolve(children))));
}

/** Commits a multi; rejects with the first failing operation's error. */
export function zkCommit<R = unknown>(tx: Transaction): Promise<R[]> {
  return new Promise((resolve, reject) => tx.commit((e, results: R[]) => (e ? reject(e) : resolve(results))));
}
