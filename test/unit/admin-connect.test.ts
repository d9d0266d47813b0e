// connectAdmin's failure when no target answers: each address is named once, with the reason in
// a few words (Node's "connect ECONNREFUSED host:port" used to repeat it up to four times).

import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../quorum/net/types.js';
import { connectAdmin } from '../../tools/admin/admin-client.js';
import { adminErrorMessage } from '../../tools/cli/admin-errors.js';
import type { AdminTarget } from '../../tools/cli/connect.js';

/** A loopback port that was just free: nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function failure(targets: AdminTarget[]): Promise<string> {
  const error = await connectAdmin(targets, { timeoutMs: 2_000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  const line = adminErrorMessage(error, { targets, timeoutMs: 2_000 });
  expect(line).not.toBeNull();
  return line!;
}

describe('connectAdmin when nothing answers', () => {
  it('one target: its address once, then the reason', async () => {
    const port = await closedPort();
    const line = await failure([{ kind: 'controller', host: '127.0.0.1', port }]);
    expect(line).toBe(`cannot reach controller 127.0.0.1:${port}: connection refused, nothing listens on that port (ECONNREFUSED)`);
  });

  it('several targets: the list, then each address with its own reason', async () => {
    const a = await closedPort();
    const b = await closedPort();
    const line = await failure([
      { kind: 'server', host: '127.0.0.1', port: a },
      { kind: 'server', host: '127.0.0.1', port: b },
    ]);
    expect(line.startsWith(`cannot reach server 127.0.0.1:${a}, 127.0.0.1:${b}: 127.0.0.1:${a}: connection refused`)).toBe(true);
    expect(occurrences(line, `:${a}`)).toBe(2);
    expect(occurrences(line, `:${b}`)).toBe(2);
    expect(occurrences(line, 'ECONNREFUSED')).toBe(2);
  });
});
