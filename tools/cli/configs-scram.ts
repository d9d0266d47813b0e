// `metaquorum configs describe|alter --entity-type users` for SCRAM credentials, as kafka-configs.sh
// handles them: the keys SCRAM-SHA-256 and SCRAM-SHA-512 beside a user's quota keys, mapped to
// AlterUserScramCredentials (run by the active controller; a broker forwards it) and
// DescribeUserScramCredentials (answered by the node reached, from its image).
//
// alter: --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]' upserts the user's
// credential for that mechanism. As Kafka's AdminClient does, the password never leaves the CLI: it
// draws a salt (Kafka's ScramFormatter.secureRandomBytes: a random 130-bit number in base 36, as
// UTF-8) and sends SaltedPassword = Hi(password, salt, iterations) (RFC 5802: PBKDF2 with
// HMAC-SHA-256 or -512, 32 or 64 bytes); the controller stores StoredKey and ServerKey made from it.
// iterations may be left out (kafka-configs' 4096). --delete-config SCRAM-SHA-256 deletes one.
//
// What kafka-configs refuses before sending is a usage error (exit 2, nothing sent): a SCRAM key for
// anything but one named user (--entity-default, --user-defaults, a client id, an IP address), a
// value without a password, iterations that are not a whole number or are below 4096 (kafka-configs'
// own check), and, beyond kafka-configs (which takes `password=` as the rest of the value, so
// `password=x,iterations=8192` would set the password "x,iterations=8192"), a key other than
// iterations before the password, iterations after it, an empty password, and a key like
// SCRAM-SHA-1 that is no mechanism served.
//
// The user's credential changes go in one AlterUserScramCredentials request, as kafka-configs sends
// them, and the controller writes all of them or none (one result per user; it refuses the same
// mechanism twice, not two mechanisms of one user, which Kafka's KRaft controller does refuse, so
// kafka-configs' own two-mechanism example works here). Quota keys may come in the same command:
// kafka-configs refuses the mix; here the quotas go first, in their own AlterClientQuotas request.
// A quota --delete-config of a key not held stops the command before anything is sent, as for
// quotas alone. Each request prints a line as its answer comes (a refusal on stderr, with the
// controller's reason); when all succeeded, kafka-configs' `Completed updating config for user
// alice.` follows; else exit 1 with a summary.
//
// describe (a user by name, or every user; not the default user, nor a user with client ids, where
// kafka-configs does not ask either) prints after the quota lines kafka-configs' line per user:
//   SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096
// A user named that has none prints nothing (kafka-configs prints its RESOURCE_NOT_FOUND as an
// "Error retrieving" line, but it only means none). --json adds
// scramCredentials: [{ user, credentials: [{ mechanism: 'SCRAM-SHA-256', iterations }] }].

import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { ScramMechanism } from '../../metadata-log/records/types.js';
import { SALT_SOURCE_BYTES, saltText, SCRAM_MECHANISM_INFO, SCRAM_MECHANISMS, scramMechanismByName } from '../../metadata-log/records/user-scram-credential.js';
import type { ScramCredentialDeletion, ScramCredentialUpsertion } from '../../quorum/controller/configs/scram-credentials.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { UsageError } from './common.js';
import { ItemsFailedError, type ItemOutcome } from './admin-errors.js';
import type { ConfigPair } from './admin-args.js';
import { withAdmin, type AdminOptions } from './admin-options.js';
import { errorText, isErrorCode } from './format.js';
import { alterQuotaEntity, checkNamed, checkQuotaDeletions, quotaEntityText, quotaOps, type DescribeSection, type QuotaEntityPattern } from './configs-quotas.js';

/** kafka-configs' default iteration count (ConfigCommand.DefaultScramIterations), and Kafka's minimum. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
const MIN_ITERATIONS = 4096;

/** A SCRAM key as typed, checked: the mechanism, or a UsageError for a SCRAM-looking key that is none. */
function mechanismOf(key: string, flag: string): ScramMechanism | undefined {
  const m = scramMechanismByName(key);
  if (m !== undefined) return m;
  if (/^scram-/i.test(key)) throw new UsageError(`${flag}: ${key} is not a SCRAM mechanism served: SCRAM-SHA-256 or SCRAM-SHA-512 (upper case)`);
  return undefined;
}

function mechanismName(mechanism: ScramMechanism): string {
  return SCRAM_MECHANISMS.get(mechanism)!;
}

export interface ScramUpsertSpec {
  readonly mechanism: ScramMechanism;
  readonly iterations: number;
  readonly password: string;
}

/** What a configs alter of a user asks for: its quota keys, and its SCRAM credential changes. */
export interface UserConfigChanges {
  readonly quotaAdd: readonly ConfigPair[];
  readonly quotaDelete: readonly string[];
  readonly scramUpserts: readonly ScramUpsertSpec[];
  readonly scramDeletes: readonly ScramMechanism[];
}

/**
 * A SCRAM value (the brackets removed): `[iterations=N,]password=P`, the password running to the
 * end (it may hold commas and '='), as kafka-configs reads it. UsageError for what it would refuse,
 * and for what it would silently take into the password.
 */
export function parseScramValue(key: string, value: string): { readonly iterations: number; readonly password: string } {
  const example = `${key}=[iterations=8192,password=<password>] (iterations may be left out: ${DEFAULT_SCRAM_ITERATIONS})`;
  const text = value.trim();
  const at = /(^|,)\s*password=/.exec(text);
  if (at === null) throw new UsageError(`--add-config: ${key} needs a password: ${example}`);
  const head = text.slice(0, at.index);
  const password = text.slice(at.index + at[0].length);
  if (password === '') throw new UsageError(`--add-config: ${key}: the password is empty`);
  if (/,\s*(iterations|password)=/.test(password)) {
    throw new UsageError(`--add-config: ${key}: the password comes last (it runs to the closing bracket and may hold commas): ${example}`);
  }
  let iterations: number | undefined;
  for (const item of head === '' ? [] : head.split(',')) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    if (name !== 'iterations') throw new UsageError(`--add-config: ${key}: unknown key ${JSON.stringify(name)} (a credential takes iterations and password): ${example}`);
    if (iterations !== undefined) throw new UsageError(`--add-config: ${key}: iterations is given twice`);
    const n = item.slice(eq + 1).trim();
    if (!/^\d+$/.test(n) || !Number.isSafeInteger(Number(n))) throw new UsageError(`--add-config: ${key}: iterations must be a whole number, got ${JSON.stringify(n)}`);
    iterations = Number(n);
    if (iterations < MIN_ITERATIONS) throw new UsageError(`--add-config: ${key}: iterations ${iterations} is less than the minimum ${MIN_ITERATIONS}`);
  }
  return { iterations: iterations ?? DEFAULT_SCRAM_ITERATIONS, password };
}

/** Splits --add-config and --delete-config into quota keys and SCRAM changes (UsageError for a malformed SCRAM value). */
export function userConfigChanges(add: readonly ConfigPair[], del: readonly string[]): UserConfigChanges {
  const quotaAdd: ConfigPair[] = [];
  const scramUpserts: ScramUpsertSpec[] = [];
  for (const pair of add) {
    const mechanism = mechanismOf(pair.name, '--add-config');
    if (mechanism === undefined) quotaAdd.push(pair);
    else scramUpserts.push({ mechanism, ...parseScramValue(pair.name, pair.value) });
  }
  const quotaDelete: string[] = [];
  const scramDeletes: ScramMechanism[] = [];
  for (const key of del) {
    const mechanism = mechanismOf(key, '--delete-config');
    if (mechanism === undefined) quotaDelete.push(key);
    else scramDeletes.push(mechanism);
  }
  return { quotaAdd, quotaDelete, scramUpserts, scramDeletes };
}

export function hasScramChanges(changes: UserConfigChanges): boolean {
  return changes.scramUpserts.length > 0 || changes.scramDeletes.length > 0;
}

/** The user SCRAM credentials are altered for: one user by name, alone; UsageError otherwise (as kafka-configs refuses). */
export function scramUserOf(parts: readonly QuotaEntityPattern[]): string {
  checkNamed(parts);
  if (parts.some((p) => p.entityType !== 'user')) {
    throw new UsageError('configs alter: SCRAM credentials belong to a user alone, not to a client id or an IP address: --entity-type users --entity-name <user> (or --user <user>)');
  }
  const name = parts[0]?.entityName;
  if (typeof name !== 'string') {
    throw new UsageError('configs alter: --entity-default (or --user-defaults) cannot take SCRAM credentials: name the user with --entity-name (or --user)');
  }
  return name;
}

/** Kafka's ScramFormatter.secureRandomBytes: a random 130-bit number in base 36, as UTF-8 bytes. */
export function scramSalt(): Buffer {
  return saltText(randomBytes(SALT_SOURCE_BYTES));
}

/** RFC 5802's Hi(password, salt, iterations): PBKDF2 with the mechanism's HMAC, one hash long. */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Uint8Array, iterations: number): Buffer {
  const m = SCRAM_MECHANISM_INFO.get(mechanism)!;
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.bytes, m.hash);
}

/** The upsertion AlterUserScramCredentials carries for `spec`: a fresh salt and the salted password, never the password. */
export function scramUpsertion(user: string, spec: ScramUpsertSpec): ScramCredentialUpsertion {
  const salt = scramSalt();
  return { name: user, mechanism: spec.mechanism, iterations: spec.iterations, salt, saltedPassword: saltedPassword(spec.mechanism, spec.password, salt, spec.iterations) };
}

type CallOptions = { readonly timeoutMs: number };

/** Sends the user's credential changes in one request (written all or none): its outcome. */
async function alterCredentials(
  rpc: RpcCaller,
  callOptions: CallOptions,
  user: string,
  deletions: readonly ScramCredentialDeletion[],
  upsertions: readonly ScramCredentialUpsertion[],
): Promise<ItemOutcome> {
  const changes = [...deletions.map((d) => `${mechanismName(d.mechanism as ScramMechanism)} deleted`), ...upsertions.map((u) => `${mechanismName(u.mechanism as ScramMechanism)} set (iterations=${u.iterations})`)];
  const name = 'SCRAM credentials';
  const whose = quotaEntityText([{ entityType: 'user', entityName: user }]);
  const response = await rpc.call('alterUserScramCredentials', { deletions, upsertions }, callOptions);
  const r = response.results.find((x) => x.user === user);
  if (r === undefined) return { name, ok: false, line: `error: cannot alter the SCRAM credentials of ${whose}: no answer for the user` };
  if (!isErrorCode(r.errorCode, 'NONE')) return { name, ok: false, line: `error: cannot alter the SCRAM credentials of ${whose} (nothing was changed): ${errorText(r.errorCode, r.errorMessage)}` };
  return { name, ok: true, line: `Completed updating the SCRAM credentials of ${whose}: ${changes.join(', ')}.` };
}

/**
 * configs alter of a user with SCRAM keys (quota keys too, maybe): the quotas in one
 * AlterClientQuotas request, then the credential deletions and upsertions in one
 * AlterUserScramCredentials request, each reported as it is answered.
 */
export async function alterUserConfigs(opts: AdminOptions, parts: readonly QuotaEntityPattern[], changes: UserConfigChanges): Promise<void> {
  const user = scramUserOf(parts);
  const quotas = changes.quotaAdd.length + changes.quotaDelete.length > 0 ? quotaOps(changes.quotaAdd, changes.quotaDelete) : null;
  // Salted and hashed before connecting: PBKDF2 takes a moment, and the password goes no further.
  const upsertions = changes.scramUpserts.map((spec) => scramUpsertion(user, spec));
  await withAdmin(opts, async (rpc, callOptions) => {
    const outcomes: ItemOutcome[] = [];
    const report = (o: ItemOutcome) => {
      (o.ok ? process.stdout : process.stderr).write(`${o.line}\n`);
      outcomes.push(o);
    };
    if (quotas !== null) {
      await checkQuotaDeletions(rpc, callOptions, parts, changes.quotaDelete);
      const o = await alterQuotaEntity(rpc, callOptions, parts, quotas, `Completed updating the quotas of ${quotaEntityText(parts)}.`);
      report({ ...o, name: 'quotas' });
    }
    if (changes.scramDeletes.length + upsertions.length > 0) {
      report(await alterCredentials(rpc, callOptions, user, changes.scramDeletes.map((mechanism) => ({ name: user, mechanism })), upsertions));
    }
    const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
    if (failed.length > 0) {
      throw new ItemsFailedError(failed, `could not alter ${failed.length} of ${outcomes.length} configs of ${quotaEntityText(parts)}: ${failed.join(', ')}`);
    }
    process.stdout.write(`Completed updating config for user ${user}.\n`);
  });
}

/** Whom describe asks about SCRAM credentials: undefined for nobody (a default user, or users with client ids, as kafka-configs), null for every user. */
export function scramDescribeUsers(parts: readonly QuotaEntityPattern[]): readonly string[] | null | undefined {
  if (parts.length !== 1 || parts[0]!.entityType !== 'user') return undefined;
  const name = parts[0]!.entityName;
  if (name === null) return undefined;
  return name === undefined ? null : [name];
}

export interface ScramCredentialsView {
  readonly user: string;
  readonly credentials: readonly { readonly mechanism: string; readonly iterations: number }[];
}

/** The describe section for SCRAM credentials of `users` (null: every user). */
export async function describeScram(rpc: RpcCaller, callOptions: CallOptions, users: readonly string[] | null, json: boolean): Promise<DescribeSection> {
  const response = await rpc.call('describeUserScramCredentials', { users: users === null ? null : users.map((name) => ({ name })) }, callOptions);
  const whom = users === null ? 'users' : users.map((u) => quotaEntityText([{ entityType: 'user', entityName: u }])).join(', ');
  if (!isErrorCode(response.errorCode, 'NONE')) throw new Error(`cannot describe the SCRAM credentials of ${whom}: ${errorText(response.errorCode, response.errorMessage)}`);
  const views: ScramCredentialsView[] = [];
  const errors: { readonly user: string; readonly text: string }[] = [];
  for (const r of response.results) {
    if (isErrorCode(r.errorCode, 'NONE')) {
      views.push({ user: r.user, credentials: r.credentialInfos.map((c) => ({ mechanism: SCRAM_MECHANISMS.get(c.mechanism as ScramMechanism) ?? `mechanism ${c.mechanism}`, iterations: c.iterations })) });
    } else if (!isErrorCode(r.errorCode, 'RESOURCE_NOT_FOUND')) {
      // RESOURCE_NOT_FOUND for a user named only says it has no credential.
      errors.push({ user: r.user, text: `cannot describe the SCRAM credentials of ${quotaEntityText([{ entityType: 'user', entityName: r.user }])}: ${errorText(r.errorCode, r.errorMessage)}` });
    }
  }
  return {
    lines: views.map((v) => `SCRAM credential configs for ${quotaEntityText([{ entityType: 'user', entityName: v.user }])} are ${v.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}`),
    json: { scramCredentials: views },
    finish: () => {
      if (errors.length === 0) return;
      if (!json) for (const e of errors) process.stderr.write(`error: ${e.text}\n`);
      const which = errors.map((e) => e.user);
      throw new ItemsFailedError(which, json ? errors.map((e) => e.text).join('; ') : `could not describe the SCRAM credentials of ${errors.length} of ${response.results.length} users: ${which.join(', ')}`);
    },
  };
}

/** The --help text for SCRAM credentials. */
export function scramHelpText(command: 'describe' | 'alter'): string {
  const lines = [
    '',
    'SCRAM credentials (kafka-configs syntax), keys SCRAM-SHA-256 and SCRAM-SHA-512 of one user (--entity-type users',
    '--entity-name <user>, or --user <user>; not --entity-default, not with clients):',
    '  SCRAM-SHA-256=[iterations=8192,password=<password>]   iterations 4096..16384, 4096 when left out; the password',
    '                                                        comes last and runs to the closing bracket',
    'The password is salted and hashed here, on the client (a random salt, PBKDF2 with HMAC-SHA-256/512, as Kafka\'s',
    'AdminClient does): only the salt, the iteration count and the salted password are sent, and the controller stores',
    'the SCRAM keys made from them, never the password. Kafka clients log in with them on SASL_PLAINTEXT and',
    'SASL_SSL broker listeners (README, Authentication).',
  ];
  if (command === 'describe') {
    lines.push(
      'A user\'s credentials print after its quotas, mechanisms and iteration counts only:',
      "  SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096",
    );
  } else {
    lines.push(
      "A user's credential changes go in one request and are written all or none; quota keys may be given in the same",
      'command and go in a request before them. Each request prints a line as it is answered.',
      '',
      'Example:',
      "  metaquorum configs alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]' --bootstrap-controller localhost:9093",
      '  metaquorum configs alter --user alice --delete-config SCRAM-SHA-512 --bootstrap-server localhost:9092',
    );
  }
  return lines.join('\n');
}
