// `metaquorum features describe|upgrade`: Kafka's kafka-features for metadata.version (the only
// feature here; quorum/controller/configs/features.ts has the levels and the upgrade rules).
//   describe   each feature's finalized level and the range the answering node's build supports,
//              in Kafka's layout; --json adds every broker's declared range (what an upgrade needs).
//   upgrade    --metadata <level or name> (or --feature metadata.version=<level>), --dry-run to
//              only check it. Every voter is asked first whether its build supports the level (the
//              controller checks only the brokers' registrations: controllers register nothing
//              here); one that does not, or does not answer, stops the upgrade. A cluster created by an older build stays at its level until this is
//              run; features that a level brings (1.0-IV2: OffsetCommit retention_time_ms) wait for it.
// Downgrades are refused by the controller (records of a newer level cannot be rewritten).

import { InvalidArgumentError, Option, type Command } from 'commander';
import { LATEST_METADATA_VERSION, metadataVersionLevel, metadataVersionName, MIN_METADATA_VERSION, type DescribedFeature } from '../../quorum/controller/configs/features.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { ItemsFailedError } from './admin-errors.js';
import { addAdminOptions, withAdmin, type AdminOptions, type ReadOptions } from './admin-options.js';
import { action, print, UsageError } from './common.js';
import type { VoterAnswer } from './connect.js';
import { errorText, isErrorCode, writeLines } from './format.js';

interface UpgradeOptions extends AdminOptions {
  readonly metadata?: number;
  readonly feature?: { readonly name: string; readonly level: number };
  readonly dryRun: boolean;
  readonly skipVoterCheck: boolean;
}

/** What a build without supportedFeatures in describeNode (before 1.0-IV2) supports at most. */
const OLDER_BUILD_MAX_METADATA_VERSION = 2;

/**
 * The voter check. `lacking`: voters that cannot be shown to support `level` of `feature` (not
 * answering, or a build whose range ends below it). The controller checks the brokers'
 * registrations; controllers register nothing (no KIP-919 here), so a standby controller of an
 * older build would stop at the first record of a level it cannot read: every voter is asked
 * first. `noneSupports`: why not even one voter that answered supports it, when none does; then
 * the advice is not to upgrade the controllers, as the level or the feature is unknown to the
 * cluster (a typo, mostly; found by a review).
 */
function voterSupport(answers: readonly VoterAnswer[], feature: string, level: number): { lacking: string[]; noneSupports: string | null } {
  const lacking: string[] = [];
  let answered = 0;
  let highest = 0;
  for (const a of answers) {
    if ('error' in a) {
      lacking.push(`voter ${a.id} (${a.host}:${a.port}) did not answer: ${a.error}`);
      continue;
    }
    answered++;
    const max = supportedMax(a, feature);
    highest = Math.max(highest, max);
    if (level > max) lacking.push(`voter ${a.id} runs a build that supports ${feature} up to ${levelText(feature, max)}`);
  }
  const silent = answered < answers.length ? ` (${answers.length - answered} did not answer)` : '';
  const noneSupports =
    answered === 0 || highest >= level
      ? null
      : highest === 0
        ? `no controller knows the feature ${feature}${silent}`
        : `no controller supports ${feature} ${levelText(feature, level)}: the highest level any supports is ${levelText(feature, highest)}${silent}`;
  return { lacking, noneSupports };
}

/** The highest level of `feature` a voter's build supports (an older build that does not say: what such builds had). */
function supportedMax(a: Extract<VoterAnswer, { node: unknown }>, feature: string): number {
  const declared = a.node.supportedFeatures?.find((f) => f.name === feature);
  return a.node.supportedFeatures === undefined ? (feature === METADATA_VERSION_FEATURE ? OLDER_BUILD_MAX_METADATA_VERSION : 0) : (declared?.maxVersion ?? 0);
}

const levelText = (name: string, level: number | null) => (level === null ? 'none' : name === METADATA_VERSION_FEATURE ? metadataVersionName(level) : String(level));

/** Kafka's kafka-features describe line for one feature. */
export function featureLine(f: DescribedFeature, metadataOffset: number): string {
  return `Feature: ${f.name}\tSupportedMinVersion: ${levelText(f.name, f.supportedMinLevel)}\tSupportedMaxVersion: ${levelText(f.name, f.supportedMaxLevel)}\tFinalizedVersionLevel: ${levelText(f.name, f.finalizedLevel)}\tEpoch: ${metadataOffset}`;
}

async function describe(opts: ReadOptions): Promise<void> {
  await withAdmin(opts, async (rpc, callOptions) => {
    const r = await rpc.call('describeFeatures', {}, callOptions);
    if (opts.json) print(true, r, () => '');
    else writeLines(r.features.map((f) => featureLine(f, r.metadataOffset)));
  });
}

async function upgrade(opts: UpgradeOptions): Promise<void> {
  if ((opts.metadata === undefined) === (opts.feature === undefined)) throw new UsageError('features upgrade: give one of --metadata <level> and --feature metadata.version=<level>');
  const name = opts.feature?.name ?? METADATA_VERSION_FEATURE;
  const level = opts.feature?.level ?? opts.metadata!;
  await withAdmin(opts, async (rpc, callOptions) => {
    if (!opts.skipVoterCheck) {
      const { lacking, noneSupports } = voterSupport(await rpc.askVoters(), name, level);
      if (noneSupports !== null) throw new ItemsFailedError([name], `not upgrading ${name}: ${noneSupports}`);
      if (lacking.length > 0) {
        throw new ItemsFailedError([name], `not upgrading ${name} to ${levelText(name, level)}: ${lacking.join('; ')}. Upgrade (or start) every controller first; --skip-voter-check to upgrade anyway`);
      }
    }
    // The level before, to say "already at" rather than "upgraded" for a repeated upgrade (found by a review).
    const before = (await rpc.call('describeFeatures', {}, callOptions)).features.find((f) => f.name === name)?.finalizedLevel ?? null;
    const r = await rpc.call('updateFeatures', { featureUpdates: [{ feature: name, maxVersionLevel: level, upgradeType: 1 }], validateOnly: opts.dryRun }, callOptions);
    const result = r.results[0];
    const target = levelText(name, level);
    if (result !== undefined && isErrorCode(result.errorCode, 'NONE')) {
      if (before === level) writeLines([`${name} is already at ${target}; nothing to do.`]);
      else writeLines([opts.dryRun ? `${name} can be upgraded to ${target}.` : `${name} was upgraded to ${target}.`]);
      return;
    }
    const why = result === undefined ? errorText(r.errorCode, r.errorMessage) : errorText(result.errorCode, result.errorMessage);
    throw new ItemsFailedError([name], `could not upgrade ${name} to ${target}: ${why}`);
  });
}

/**
 * A metadata.version level, from a level or a name this build knows. A level above this build's
 * range is left to the voter check (a newer cluster may support it); below the first level it is
 * a usage error, as is a name that does not parse.
 */
function metadataLevelArg(text: string, what: string): number {
  const level = metadataVersionLevel(text);
  const range = `${metadataVersionName(MIN_METADATA_VERSION)}..${metadataVersionName(LATEST_METADATA_VERSION)} (${MIN_METADATA_VERSION}..${LATEST_METADATA_VERSION}) in this build`;
  if (level === undefined) throw new InvalidArgumentError(`${what} must be a metadata.version level or name, ${range}, got "${text}"`);
  if (level < MIN_METADATA_VERSION) throw new InvalidArgumentError(`${what}: metadata.version levels start at ${MIN_METADATA_VERSION}, got ${level}`);
  return level;
}

function metadataArg(value: string): number {
  return metadataLevelArg(value, '--metadata');
}

function featureArg(value: string): { name: string; level: number } {
  const eq = value.indexOf('=');
  const name = eq < 0 ? '' : value.slice(0, eq).trim();
  if (name === '' || eq === value.length - 1) throw new InvalidArgumentError(`--feature must be name=level (e.g. metadata.version=3), got "${value}"`);
  const levelText = value.slice(eq + 1).trim();
  if (name === METADATA_VERSION_FEATURE) return { name, level: metadataLevelArg(levelText, '--feature') };
  // Another feature: a newer cluster may have it; the voters and the controller decide.
  if (!/^\d+$/.test(levelText)) throw new InvalidArgumentError(`--feature ${name}: the level must be a number, got "${levelText}"`);
  return { name, level: Number(levelText) };
}

export function registerFeaturesCommand(program: Command): void {
  const features = program.command('features').description("Describe and upgrade finalized feature levels: metadata.version (Kafka's kafka-features).");
  addAdminOptions(features.command('describe').description("Each feature's finalized level and the levels this node's build supports."), { json: true }).action(action(describe));
  const up = features
    .command('upgrade')
    .description('Raise metadata.version, once every broker supports the new level (the controller checks).')
    .addOption(new Option('--metadata <level>', 'the new metadata.version, as a level or a name (3, 1.0-IV2)').argParser(metadataArg))
    .addOption(new Option('--feature <name=level>', 'the same as name=level (metadata.version=3)').argParser(featureArg))
    .option('--dry-run', 'check the upgrade; change nothing', false)
    .option('--skip-voter-check', 'do not first ask every controller whether its build supports the level (one that does not stops at the first record it cannot read)', false);
  addAdminOptions(up, { json: false }).action(action(upgrade));
}
