// Keys in server.properties that we do not use: one warning line each, never an error (Kafka
// also only logs unknown keys), but worded so that a typo is caught: the closest supported key by
// edit distance is suggested when it is close enough to be the likely intent.
//
// Keys from Kafka's own sample server.properties that have no meaning here (thread pools, socket
// buffers, data-log retention...) get a quieter "ignored" line instead of a suggestion, so that
// starting from a Kafka config does not read as a page of typos.

import { PER_LISTENER_KEY, PER_LISTENER_KEYS, perListenerKey, SERVER_CONFIG_KEYS } from './server-keys.js';

/** Kafka settings that metaquorum accepts and ignores, with why when it is not obvious. */
const KAFKA_KEYS_IGNORED: ReadonlyMap<string, string> = new Map([
  ['controller.quorum.bootstrap.servers', 'metaquorum has a static voter set (KIP-853 dynamic quorums are not supported); set controller.quorum.voters'],
  ['controller.quorum.append.linger.ms', 'the quorum batches proposals that arrive during a flush instead'],
  ['controller.quorum.retry.backoff.ms', ''],
  ['inter.broker.listener.name', 'brokers do not replicate data to each other'],
  ['sasl.mechanism.inter.broker.protocol', 'brokers do not connect to each other over the Kafka protocol'],
  ['sasl.mechanism.controller.protocol', 'nodes authenticate to the controllers with mutual TLS, not SASL'],
  ['num.network.threads', ''],
  ['num.io.threads', ''],
  ['num.recovery.threads.per.data.dir', ''],
  ['socket.send.buffer.bytes', ''],
  ['socket.receive.buffer.bytes', ''],
  ['socket.request.max.bytes', ''],
  ['offsets.topic.replication.factor', 'consumer offsets live in the metadata log'],
  ['transaction.state.log.replication.factor', ''],
  ['transaction.state.log.min.isr', ''],
  ['share.coordinator.state.topic.replication.factor', ''],
  ['share.coordinator.state.topic.min.isr', ''],
  ['log.flush.interval.messages', ''],
  ['log.flush.interval.ms', ''],
  ['log.retention.hours', ''],
  ['log.retention.bytes', ''],
  ['log.segment.bytes', ''],
  ['log.retention.check.interval.ms', ''],
]);

/** sasl.jaas.config, plain or per listener and mechanism (listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config). */
const JAAS_KEY = /^(?:listener\.name\.[^.]+\.[^.]+\.)?sasl\.jaas\.config$/;

const perListenerSuffixes = new Set(PER_LISTENER_KEYS.map((k) => k.name));
const knownNames = new Set(SERVER_CONFIG_KEYS.map((k) => k.name));

/** True for a supported key, including listener.name.<lowercase name>.<per-listener key>. */
export function isKnownKey(key: string): boolean {
  if (knownNames.has(key)) return true;
  const m = PER_LISTENER_KEY.exec(key);
  return m !== null && m[1] === m[1]!.toLowerCase() && perListenerSuffixes.has(m[2]!);
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The supported key closest to `key`, when it is close enough to be what was meant. */
export function suggestKey(key: string): string | undefined {
  const candidates = [...knownNames];
  const m = PER_LISTENER_KEY.exec(key);
  if (m !== null) for (const suffix of perListenerSuffixes) candidates.push(perListenerKey(m[1]!, suffix));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 5)) ? best : undefined;
}

/** The warning for one key that isKnownKey rejects. */
export function unknownKeyWarning(key: string): string {
  if (JAAS_KEY.test(key)) {
    return `config key "${key}" is a Kafka JAAS login setting metaquorum does not use; ignored (brokers check SCRAM clients against the credentials in the metadata log and log in nowhere themselves)`;
  }
  const ignored = KAFKA_KEYS_IGNORED.get(key);
  if (ignored !== undefined) return `config key "${key}" is a Kafka setting metaquorum does not use; ignored${ignored === '' ? '' : ` (${ignored})`}`;
  const m = PER_LISTENER_KEY.exec(key);
  if (m !== null && m[1] !== m[1]!.toLowerCase() && perListenerSuffixes.has(m[2]!)) {
    return `config key "${key}" is ignored: the listener name in listener.name.<name>.* must be lower case; did you mean "${perListenerKey(m[1]!, m[2]!)}"?`;
  }
  const suggestion = suggestKey(key);
  return `unknown config key "${key}" (ignored)${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`;
}
