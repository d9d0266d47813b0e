// `metaquorum configs describe|alter` against a fake connector: which resources are asked for,
// explicit-only vs --all listings in kafka-configs' format, and the IncrementalAlterConfigs ops.

import { describe, expect, it } from 'vitest';
import { RequestTimeoutError } from '../../quorum/net/types.js';
import { BROKER_CONFIGS, ConfigSource, type ConfigSourceValue } from '../../quorum/controller/configs/config-schema.js';
import type { DescribeConfigsEntry, DescribeConfigsRequest, DescribeConfigsResult } from '../../quorum/controller/configs/describe-configs.js';
import type { IncrementalAlterConfigsRequest } from '../../quorum/controller/configs/incremental-alter-configs.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { DescribeTopicsResponse } from '../../quorum/server/rpc-methods.js';
import { BROKER_1_REGISTERED, CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';
import { unknownConfigHint } from '../../tools/cli/configs-command.js';

function entry(name: string, value: string | null, source: ConfigSourceValue, synonyms: [string, string | null, ConfigSourceValue][], isSensitive = false): DescribeConfigsEntry {
  return {
    name,
    value,
    readOnly: false,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    source,
    isSensitive,
    configType: 1,
    synonyms: synonyms.map(([n, v, s]) => ({ name: n, value: v, source: s })),
    documentation: null,
  };
}

const TOPIC_ENTRIES = [
  entry('cleanup.policy', 'compact', ConfigSource.DYNAMIC_TOPIC_CONFIG, [
    ['cleanup.policy', 'compact', ConfigSource.DYNAMIC_TOPIC_CONFIG],
    ['log.cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG],
  ]),
  entry('retention.ms', '604800000', ConfigSource.DEFAULT_CONFIG, [['log.retention.ms', '604800000', ConfigSource.DEFAULT_CONFIG]]),
];

const BROKER_ENTRIES = [
  entry('log.retention.ms', '1000', ConfigSource.DYNAMIC_BROKER_CONFIG, [
    ['log.retention.ms', '1000', ConfigSource.DYNAMIC_BROKER_CONFIG],
    ['log.retention.ms', '2000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
  ]),
  entry('ssl.keystore.password', null, ConfigSource.DYNAMIC_BROKER_CONFIG, [['ssl.keystore.password', null, ConfigSource.DYNAMIC_BROKER_CONFIG]], true),
  entry('log.cleaner.threads', '2', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, [['log.cleaner.threads', '2', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]]),
];

const TOPICS: DescribeTopicsResponse = {
  metadataOffset: 1,
  topics: [
    { name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [], configs: {} },
    { name: 'b', topicId: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: [], configs: {} },
  ],
  unknown: [],
};

function ok(resourceType: 'topic' | 'broker', resourceName: string, configs: readonly DescribeConfigsEntry[]): DescribeConfigsResult {
  return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName, configs };
}


function describeFake(unknownTopics: readonly string[] = []) {
  return installFake({
    describeTopics: () => TOPICS,
    describeCluster: () => BROKER_1_REGISTERED,
    describeConfigs: (req: DescribeConfigsRequest) => ({
      results: req.resources.map((r) =>
        unknownTopics.includes(r.resourceName)
          ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `The topic '${r.resourceName}' does not exist.`, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] }
          : ok(r.resourceType, r.resourceName, r.resourceType === 'topic' ? TOPIC_ENTRIES : r.resourceName === '' ? BROKER_ENTRIES.slice(2) : BROKER_ENTRIES),
      ),
    }),
  });
}

describe('configs describe', () => {
  it('a topic: asks for every key with synonyms, prints only those set on the topic', async () => {
    const f = describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'topics', '--entity-name', 'a', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls.map((c) => [c.method, c.request])).toEqual([
      ['describeConfigs', { resources: [{ resourceType: 'topic', resourceName: 'a', configurationKeys: null }], includeSynonyms: true, includeDocumentation: false }],
    ]);
    expect(r.stdout).toBe(
      'Dynamic configs for topic a are:\n  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}\n',
    );
  });

  it('--all prints every key with its source', async () => {
    describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'topics', '--entity-name', 'a', '--all', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'All configs for topic a are:',
      '  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}',
      '  retention.ms=604800000 sensitive=false synonyms={DEFAULT_CONFIG:log.retention.ms=604800000}',
      '',
    ]);
  });

  it('topics without --entity-name: every topic, listed first by DescribeTopics', async () => {
    const f = describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'topics', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls.map((c) => c.method)).toEqual(['describeTopics', 'describeConfigs']);
    expect((f.calls[1]?.request as DescribeConfigsRequest).resources.map((x) => x.resourceName)).toEqual(['a', 'b']);
    expect(r.stdout).toContain('Dynamic configs for topic a are:');
    expect(r.stdout).toContain('Dynamic configs for topic b are:');
  });

  it('a broker id: its own dynamic configs, a sensitive value as null', async () => {
    const f = describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'brokers', '--entity-name', '1', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(f.calls.map((c) => c.method)).toEqual(['describeCluster', 'describeConfigs']);
    expect((f.calls[1]?.request as DescribeConfigsRequest).resources).toEqual([{ resourceType: 'broker', resourceName: '1', configurationKeys: null }]);
    expect(r.stdout.split('\n')).toEqual([
      'Dynamic configs for broker 1 are:',
      '  log.retention.ms=1000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=1000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000}',
      '  ssl.keystore.password=null sensitive=true synonyms={DYNAMIC_BROKER_CONFIG:ssl.keystore.password=null}',
      '',
    ]);
  });

  it('a broker id no broker registered with: described (configs can be set ahead) with a warning on stderr, exit 0', async () => {
    describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'brokers', '--entity-name', '7', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('warning: broker 7 is not registered (configs set for it apply when it registers)\n');
    expect(r.stdout.split('\n')[0]).toBe('Dynamic configs for broker 7 are:');
    // Under --json every stderr line is a JSON object (found by a review: the warning was free text).
    const j = await runCli('configs', 'describe', '--entity-type', 'brokers', '--entity-name', '7', '--json', ...CONTROLLER);
    expect(j.exitCode).toBe(0);
    expect(JSON.parse(j.stderr)).toEqual({ warning: 'broker 7 is not registered (configs set for it apply when it registers)' });
    expect(JSON.parse(j.stdout).resources[0].resourceName).toBe('7');
  });

  it('a broker id while no controller answers (asked through a broker): described from the broker, the registration check skipped within 2 s', async () => {
    const f = describeFake();
    f.handlers.describeCluster = () => {
      throw new RequestTimeoutError('describeCluster: no active controller answered within 2000 ms');
    };
    const r = await runCli('configs', 'describe', '--entity-type', 'brokers', '--entity-name', '1', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Dynamic configs for broker 1 are:');
    expect(f.calls.find((c) => c.method === 'describeCluster')?.timeoutMs).toBe(2_000);
  });

  it('brokers without --entity-name: the cluster default (resource name "")', async () => {
    const f = describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'brokers', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect((f.calls[0]?.request as DescribeConfigsRequest).resources).toEqual([{ resourceType: 'broker', resourceName: '', configurationKeys: null }]);
    expect(r.stdout).toBe(
      'Dynamic configs for the broker cluster default are:\n  log.cleaner.threads=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.cleaner.threads=2}\n',
    );
  });

  it('brokers without --entity-name, --all: the keys set at the default, and every other broker key with Kafka\'s default; a note on stderr', async () => {
    const f = describeFake();
    const r = await runCli('configs', 'describe', '--entity-type', 'brokers', '--all', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect((f.calls[0]?.request as DescribeConfigsRequest).resources).toEqual([{ resourceType: 'broker', resourceName: '', configurationKeys: null }]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('All configs for the broker cluster default are:');
    const names = lines.slice(1).map((l) => l.trim().split('=')[0]!);
    expect(names).toEqual([...BROKER_CONFIGS.keys()]);
    expect(lines).toContain('  log.cleaner.threads=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.cleaner.threads=2}');
    const retention = BROKER_CONFIGS.get('log.retention.ms')!.defaultValue;
    expect(lines).toContain(`  log.retention.ms=${retention} sensitive=false synonyms={DEFAULT_CONFIG:log.retention.ms=${retention}}`);
    expect(r.stderr).toMatch(/^note: cluster-wide values .*--entity-name <id> shows one broker's effective values\n$/);
    expect(lines).toContain('  ssl.keystore.password=null sensitive=true synonyms={}'); // no default: no synonym
    const json = await runCli('configs', 'describe', '--entity-type', 'brokers', '--all', '--json', ...CONTROLLER);
    const configs = (JSON.parse(json.stdout) as { resources: { configs: { name: string; source: string }[] }[] }).resources[0]!.configs;
    expect(configs.length).toBe(BROKER_CONFIGS.size);
    expect(configs.find((c) => c.name === 'log.cleaner.threads')?.source).toBe('DYNAMIC_DEFAULT_BROKER_CONFIG');
    expect(json.stderr).toBe('');
  });

  it('--json: one object with source names, errors named per resource', async () => {
    describeFake(['nope']);
    const r = await runCli('configs', 'describe', '--entity-type', 'topics', '--entity-name', 'nope', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      resources: [
        { resourceType: 'topic', resourceName: 'nope', errorCode: 3, errorName: 'UNKNOWN_TOPIC_OR_PARTITION', errorMessage: "The topic 'nope' does not exist.", configs: [] },
      ],
    });
    expect(r.stderr).toContain('could not describe configs of 1 of 1 resources: topic nope');
    const good = await runCli('configs', 'describe', '--entity-type', 'topics', '--entity-name', 'a', '--json', ...CONTROLLER);
    expect(JSON.parse(good.stdout).resources[0].configs).toEqual([
      {
        name: 'cleanup.policy',
        value: 'compact',
        source: 'DYNAMIC_TOPIC_CONFIG',
        isSensitive: false,
        synonyms: [
          { name: 'cleanup.policy', value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' },
          { name: 'log.cleanup.policy', value: 'delete', source: 'DEFAULT_CONFIG' },
        ],
      },
    ]);
  });

  it('an unknown topic among all: the others print, the failed one is named, exit 1', async () => {
    describeFake(['b']);
    const r = await runCli('configs', 'describe', '--entity-type', 'topics', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('Dynamic configs for topic a are:');
    expect(r.stdout).not.toContain('topic b');
    expect(r.stderr).toBe(
      "error: cannot describe configs of topic b: UNKNOWN_TOPIC_OR_PARTITION: The topic 'b' does not exist.\nerror: could not describe configs of 1 of 2 resources: topic b\n",
    );
  });

  it.each([
    ['a broker named by a non-id', ['--entity-type', 'brokers', '--entity-name', 'broker-1'], /brokers are named by id/],
    ['a broker id with a leading zero', ['--entity-type', 'brokers', '--entity-name', '01'], /brokers are named by id/],
    ['an unsupported entity type', ['--entity-type', 'groups'], /--entity-type/],
    ['no entity type', [], /--entity-type/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    const f = describeFake();
    const r = await runCli('configs', 'describe', ...flags, ...CONTROLLER);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(f.calls).toEqual([]);
  });
});

/** Answers IncrementalAlterConfigs (with `errorFor` if given); DescribeConfigs shows `setKeys` set on the topic. */
function alterFake(errorFor?: { code: number; message: string }, setKeys: readonly string[] = []) {
  return installFake({
    describeCluster: () => BROKER_1_REGISTERED,
    describeConfigs: (req: DescribeConfigsRequest) => ({
      results: req.resources.map((r) => ok(r.resourceType, r.resourceName, setKeys.map((k) => entry(k, '1', ConfigSource.DYNAMIC_TOPIC_CONFIG, [])))),
    }),
    incrementalAlterConfigs: (req: IncrementalAlterConfigsRequest) => ({
      results: req.resources.map((r) => ({
        errorCode: errorFor?.code ?? ErrorCode.NONE,
        errorMessage: errorFor?.message ?? null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    }),
  });
}

describe('configs alter', () => {
  it('--add-config pairs become SET ops (bracketed lists unwrapped), --delete-config keys DELETE ops', async () => {
    const f = alterFake(undefined, ['segment.ms', 'flush.ms']);
    const r = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--add-config', 'retention.ms=1000,cleanup.policy=[compact,delete]', '--delete-config', 'segment.ms,flush.ms', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls.map((c) => [c.method, c.request])).toEqual([
      ['describeConfigs', { resources: [{ resourceType: 'topic', resourceName: 't', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }],
      [
        'incrementalAlterConfigs',
        {
          resources: [
            {
              resourceType: 'topic',
              resourceName: 't',
              configs: [
                { name: 'retention.ms', op: 0, value: '1000' },
                { name: 'cleanup.policy', op: 0, value: 'compact,delete' },
                { name: 'segment.ms', op: 1, value: null },
                { name: 'flush.ms', op: 1, value: null },
              ],
            },
          ],
          validateOnly: false,
        },
      ],
    ]);
    expect(r.stdout).toBe('Completed updating config for topic t.\n');
  });

  it('repeated --add-config and --delete-config add up (a review saw all but the last dropped, with success reported); a key repeated across them is refused', async () => {
    const f = alterFake(undefined, ['segment.ms', 'flush.ms']);
    const r = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--add-config', 'retention.ms=1000', '--add-config', 'max.message.bytes=2048', '--delete-config', 'segment.ms', '--delete-config', 'flush.ms', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    const alter = f.calls.find((c) => c.method === 'incrementalAlterConfigs')!.request as { resources: { configs: { name: string; op: number }[] }[] };
    expect(alter.resources[0]!.configs.map((c) => `${c.name}:${c.op}`)).toEqual(['retention.ms:0', 'max.message.bytes:0', 'segment.ms:1', 'flush.ms:1']);
    const twice = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--add-config', 'retention.ms=1', '--add-config', 'retention.ms=2', ...CONTROLLER);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toMatch(/retention.ms is given twice/);
  });

  it('--delete-config of a key not set on the entity (a typo, an inherited value) is refused, exit 1, nothing altered', async () => {
    const f = alterFake(undefined, ['segment.ms']);
    const r = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--delete-config', 'segment.ms,retention.ms,no.such.key', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(f.calls.map((c) => c.method)).toEqual(['describeConfigs']);
    expect(r.stderr).toBe(
      'error: cannot alter configs of topic t: --delete-config retention.ms, no.such.key: not set on topic t, nothing to delete (nothing was changed)\n' +
        'error: could not alter configs of 1 of 1 resources: topic t\n',
    );
  });

  it('an alter of a broker id no broker registered with goes ahead with a warning', async () => {
    const f = alterFake();
    const r = await runCli('configs', 'alter', '--entity-type', 'brokers', '--entity-name', '7', '--add-config', 'log.cleaner.threads=2', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls.map((c) => c.method)).toEqual(['describeCluster', 'incrementalAlterConfigs']);
    expect(r.stderr).toBe('warning: broker 7 is not registered (configs set for it apply when it registers)\n');
  });

  it('brokers without --entity-name alter the cluster default (resource name "")', async () => {
    const f = alterFake();
    const r = await runCli('configs', 'alter', '--entity-type', 'brokers', '--add-config', 'log.cleaner.threads=2', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect((f.calls[0]?.request as IncrementalAlterConfigsRequest).resources).toEqual([
      { resourceType: 'broker', resourceName: '', configs: [{ name: 'log.cleaner.threads', op: 0, value: '2' }] },
    ]);
    expect(r.stdout).toBe('Completed updating config for the broker cluster default.\n');
  });

  it('a refused change names the resource and the error, exit 1', async () => {
    alterFake({ code: ErrorCode.INVALID_CONFIG, message: 'Invalid value -5 for configuration retention.ms' });
    const r = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--add-config', 'retention.ms=-5', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: cannot alter configs of topic t: INVALID_CONFIG: Invalid value -5 for configuration retention.ms\nerror: could not alter configs of 1 of 1 resources: topic t\n');
  });

  it('a misspelt key: Kafka\'s answer, then the closest key of that resource type when one is close (none for a key like no other)', async () => {
    alterFake({ code: ErrorCode.INVALID_CONFIG, message: 'Unknown topic config name: retention.msec' });
    let r = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--add-config', 'retention.msec=5', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('error: cannot alter configs of topic t: INVALID_CONFIG: Unknown topic config name: retention.msec; did you mean "retention.ms"?');
    alterFake({ code: ErrorCode.INVALID_CONFIG, message: 'Unknown broker config name: log.cleaner.thread' });
    r = await runCli('configs', 'alter', '--entity-type', 'brokers', '--entity-name', '1', '--add-config', 'log.cleaner.thread=2', ...CONTROLLER);
    expect(r.stderr.split('\n')[0]).toBe('error: cannot alter configs of broker 1: INVALID_CONFIG: Unknown broker config name: log.cleaner.thread; did you mean "log.cleaner.threads"?');
    // A listener-prefixed key: the closest prefixable key for that listener (its name in lower case, as Kafka's prefix).
    expect(unknownConfigHint('Unknown broker config name: listener.name.external.ssl.keystore.locaton')).toBe('; did you mean "listener.name.external.ssl.keystore.location"?');
    expect(unknownConfigHint('Unknown broker config name: listener.name.EXTERNAL.ssl.key.password')).toBe('; did you mean "listener.name.external.ssl.key.password"?');
    expect(unknownConfigHint('Unknown broker config name: listener.name.external.ssl.keystore.type')).toBe(''); // not one that takes a prefix dynamically
    alterFake({ code: ErrorCode.INVALID_CONFIG, message: 'Unknown topic config name: zzzzzzz' });
    r = await runCli('configs', 'alter', '--entity-type', 'topics', '--entity-name', 't', '--add-config', 'zzzzzzz=1', ...CONTROLLER);
    expect(r.stderr.split('\n')[0]).toBe('error: cannot alter configs of topic t: INVALID_CONFIG: Unknown topic config name: zzzzzzz');
  });

  it.each([
    ['neither --add-config nor --delete-config', ['--entity-type', 'topics', '--entity-name', 't'], /give --add-config and\/or --delete-config/],
    ['a key both added and deleted', ['--entity-type', 'topics', '--entity-name', 't', '--add-config', 'a=1', '--delete-config', 'a'], /a both added and deleted/],
    ['topics without --entity-name', ['--entity-type', 'topics', '--add-config', 'a=1'], /--entity-name is required for topics/],
    ['--add-config without =', ['--entity-type', 'topics', '--entity-name', 't', '--add-config', 'a'], /--add-config: expected key=value/],
    ['--add-config with an unbalanced bracket', ['--entity-type', 'topics', '--entity-name', 't', '--add-config', 'a=[x,y'], /unbalanced '\['/],
    ['--add-config key twice', ['--entity-type', 'topics', '--entity-name', 't', '--add-config', 'a=1,a=2'], /a is given twice/],
    ['--delete-config with an empty key', ['--entity-type', 'topics', '--entity-name', 't', '--delete-config', 'a,,b'], /--delete-config: empty key/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    const f = alterFake();
    const r = await runCli('configs', 'alter', ...flags, ...CONTROLLER);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(f.calls).toEqual([]);
  });
});
