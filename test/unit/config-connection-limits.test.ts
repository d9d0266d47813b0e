// max.connections.per.ip, max.connections.per.ip.overrides and max.connections in server.properties:
// the values Kafka takes reach NodeConfig (defaults: no limit), a malformed override entry or a
// negative count is a ConfigError naming the key (exit 2; config-server.test.ts runs every bad
// value of its table the same way), 0 per address only with overrides, and host names in the
// overrides are resolved once at start to one address (IPv4 first, as Kafka), a name that does not
// resolve or two entries on one address being a ConfigError too.

import { describe, expect, it } from 'vitest';
import { resolveConnectionLimits, type AddressLookup } from '../../tools/config/connection-overrides.js';
import { ConfigError, parseServerConfig, type NodeConfig } from '../../tools/config/server-config.js';
import { ONE_NODE_PROPERTIES } from '../support/server-properties.js';

const BASE = ONE_NODE_PROPERTIES;

function parse(changes: Record<string, string> = {}): NodeConfig {
  return parseServerConfig(new Map(Object.entries({ ...BASE, ...changes })), () => {}, { hostname: () => 'node1.example' });
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

async function asyncConfigError(run: () => Promise<unknown>): Promise<ConfigError> {
  const e = await run().then(
    () => new Error('expected a ConfigError'),
    (err: unknown) => err,
  );
  if (e instanceof ConfigError) return e;
  throw e;
}

describe('parsing', () => {
  it("defaults to Kafka's: no limit, no overrides", () => {
    expect(parse().connectionLimits).toEqual({ perIpMax: 2147483647, perIpOverrides: [], totalMax: 2147483647, perListenerMax: new Map() });
  });

  it('the values set reach NodeConfig; overrides take IPs (v4, v6 bare or in brackets, v4-mapped) and host names', () => {
    const c = parse({
      'max.connections.per.ip': '10',
      'max.connections.per.ip.overrides': ' 127.0.0.1:200 , 10.0.0.5:5,[::1]:7, fd00::2:3,::ffff:10.0.0.6:4, Kafka-1.example:0, db_host:9',
      'max.connections': '1000',
    });
    expect(c.connectionLimits).toEqual({
      perIpMax: 10,
      perIpOverrides: [
        { host: '127.0.0.1', max: 200 },
        { host: '10.0.0.5', max: 5 },
        { host: '::1', max: 7 },
        { host: 'fd00::2', max: 3 },
        { host: '10.0.0.6', max: 4 },
        { host: 'kafka-1.example', max: 0 },
        { host: 'db_host', max: 9 },
      ],
      totalMax: 1000,
      perListenerMax: new Map(),
    });
  });

  it('listener.name.<listener>.max.connections reaches NodeConfig by listener name; one for no broker client listener is warned about and ignored', () => {
    const warnings: string[] = [];
    const two = { ...BASE, listeners: 'PLAINTEXT://127.0.0.1:9092,INTERNAL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT' };
    const c = parseServerConfig(
      new Map(Object.entries({ ...two, 'listener.name.internal.max.connections': ' 20 ', 'listener.name.controller.max.connections': '5', 'listener.name.nope.max.connections': '5' })),
      (w) => warnings.push(w),
      { hostname: () => 'node1.example' },
    );
    expect(c.connectionLimits.perListenerMax).toEqual(new Map([['INTERNAL', 20]]));
    expect(warnings.filter((w) => /max\.connections/.test(w))).toEqual([
      'listener.name.controller.max.connections: this node has no broker client listener named CONTROLLER (the limit applies to those only); ignored',
      'listener.name.nope.max.connections: this node has no broker client listener named NOPE (the limit applies to those only); ignored',
    ]);
  });

  it('a bad per-listener value is a ConfigError naming the key as written; an upper-case listener name is an unknown key', () => {
    const e = configError(() => parse({ 'listener.name.plaintext.max.connections': '-1' }));
    expect(e.key).toBe('listener.name.plaintext.max.connections');
    const warnings: string[] = [];
    parseServerConfig(new Map(Object.entries({ ...BASE, 'listener.name.PLAINTEXT.max.connections': '3' })), (w) => warnings.push(w), { hostname: () => 'node1.example' });
    expect(warnings.some((w) => /listener name in listener\.name\.<name>\.\* must be lower case/.test(w))).toBe(true);
  });

  it('0 is a valid limit: max.connections 0, and max.connections.per.ip 0 when overrides name who may connect', () => {
    expect(parse({ 'max.connections': '0' }).connectionLimits.totalMax).toBe(0);
    expect(parse({ 'max.connections.per.ip': '0', 'max.connections.per.ip.overrides': '127.0.0.1:5' }).connectionLimits).toMatchObject({ perIpMax: 0 });
  });

  it('each kind of bad value names the key and says what is wrong (exit 2)', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'max.connections.per.ip': '-1' }, 'max.connections.per.ip', /must be a non-negative integer/],
      [{ 'max.connections.per.ip': 'many' }, 'max.connections.per.ip', /must be a non-negative integer/],
      [{ 'max.connections.per.ip': '0' }, 'max.connections.per.ip', /may be 0 only when max\.connections\.per\.ip\.overrides/],
      [{ 'max.connections': '-5' }, 'max.connections', /must be a non-negative integer/],
      [{ 'max.connections': '2147483648' }, 'max.connections', /must be a non-negative integer/],
      [{ 'max.connections.per.ip.overrides': '127.0.0.1' }, 'max.connections.per.ip.overrides', /"127\.0\.0\.1" has no count/],
      [{ 'max.connections.per.ip.overrides': '127.0.0.1:-1' }, 'max.connections.per.ip.overrides', /the count "-1" in "127\.0\.0\.1:-1" is not a number of connections/],
      [{ 'max.connections.per.ip.overrides': ':5' }, 'max.connections.per.ip.overrides', /":5" has no host/],
      [{ 'max.connections.per.ip.overrides': 'bad host:1' }, 'max.connections.per.ip.overrides', /"bad host" in "bad host:1" is neither an IP address nor a host name/],
      [{ 'max.connections.per.ip.overrides': '127.0.0.1:1,127.0.0.1:2' }, 'max.connections.per.ip.overrides', /127\.0\.0\.1 is listed more than once/],
      [{ 'max.connections.per.ip.overrides': '::ffff:127.0.0.1:1,127.0.0.1:2' }, 'max.connections.per.ip.overrides', /127\.0\.0\.1 is listed more than once/],
    ];
    for (const [changes, key, why] of cases) {
      const e = configError(() => parse(changes));
      expect(e.key, JSON.stringify(changes)).toBe(key);
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(new RegExp(`^${key.replace(/\./g, '\\.')} = `));
      expect(e.message).toMatch(why);
    }
  });
});

describe('resolving the overrides at start', () => {
  const fakeDns = (table: Record<string, { address: string; family: number }[]>): AddressLookup => async (host) => {
    const found = table[host];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

  it('IPs are kept (canonical), a host name becomes its first IPv4 address, else its first', async () => {
    const c = parse({ 'max.connections.per.ip': '3', 'max.connections.per.ip.overrides': '10.0.0.5:5,dual.example:6,v6only.example:7,0:0:0:0:0:0:0:1:8', 'max.connections': '50' });
    const dns = fakeDns({
      'dual.example': [
        { address: 'fd00::9', family: 6 },
        { address: '10.0.0.9', family: 4 },
      ],
      'v6only.example': [{ address: 'FD00::10', family: 6 }],
    });
    const limits = await resolveConnectionLimits(c.connectionLimits, dns);
    expect(limits.perAddressMax).toBe(3);
    expect(limits.totalMax).toBe(50);
    expect([...limits.perAddressOverrides]).toEqual([
      ['10.0.0.5', 5],
      ['10.0.0.9', 6],
      ['fd00::10', 7],
      ['::1', 8],
    ]);
  });

  it('localhost resolves through the system resolver, to the loopback address', async () => {
    const limits = await resolveConnectionLimits(parse({ 'max.connections.per.ip.overrides': 'localhost:4' }).connectionLimits);
    const [address] = [...limits.perAddressOverrides.keys()];
    expect(['127.0.0.1', '::1']).toContain(address);
  });

  it('a name that does not resolve is a ConfigError naming the key and the host (exit 2)', async () => {
    const c = parse({ 'max.connections.per.ip.overrides': 'nowhere.invalid:5' });
    const e = await asyncConfigError(() => resolveConnectionLimits(c.connectionLimits, fakeDns({})));
    expect(e).toMatchObject({ key: 'max.connections.per.ip.overrides', exitCode: 2 });
    expect(e.message).toMatch(/^max\.connections\.per\.ip\.overrides: cannot resolve host "nowhere\.invalid" \(ENOTFOUND\)/);
  });

  it('two entries on one address are a ConfigError naming both', async () => {
    const c = parse({ 'max.connections.per.ip.overrides': '10.0.0.9:1,db.example:2' });
    const e = await asyncConfigError(() => resolveConnectionLimits(c.connectionLimits, fakeDns({ 'db.example': [{ address: '10.0.0.9', family: 4 }] })));
    expect(e).toMatchObject({ key: 'max.connections.per.ip.overrides', exitCode: 2 });
    expect(e.message).toContain('10.0.0.9 and db.example are the same address (10.0.0.9)');
  });
});
