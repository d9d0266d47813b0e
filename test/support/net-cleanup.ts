// What an internal-protocol test opens (raw sockets, NetClients, NetServers), closed after each
// test in that order, so a failed test does not leave a listener or a dial behind for the next.
import type * as net from 'node:net';
import { afterEach } from 'vitest';
import type { NetClient } from '../../quorum/net/client.js';
import type { NetServer } from '../../quorum/net/server.js';

export function closedAfterEach(): { readonly servers: NetServer[]; readonly clients: NetClient[]; readonly sockets: net.Socket[] } {
  const servers: NetServer[] = [];
  const clients: NetClient[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return { servers, clients, sockets };
}
