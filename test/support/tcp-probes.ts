// What a load balancer's TCP health check does to a listener: connect, then hang up without a
// byte, by a FIN ('end') or a reset ('reset'). Resolves once the socket is closed on this side.

import * as net from 'node:net';

export async function connectAndHangUp(port: number, how: 'end' | 'reset'): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', () => r()));
  if (how === 'end') socket.end();
  else socket.resetAndDestroy();
  await new Promise<void>((r) => socket.once('close', () => r()));
}
