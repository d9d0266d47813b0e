// Whether a topic allows unclean leader election (unclean.leader.election.enable): the topic's own
// config, else the cluster-wide dynamic broker default (broker resource ''), else the controller's
// static setting (ControllerConfig.uncleanLeaderElectionEnable; Kafka's default is false). The
// lookup order is the configs module's (Kafka's synonym order); this only supplies the static level.
//
// Scans over every partition ask this once per topic, so `uncleanElectionLookup` resolves the
// inherited level once and then costs one map lookup per topic.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { inheritedTopicConfig } from '../configs/config-schema.js';

export const UNCLEAN_LEADER_ELECTION_ENABLE = 'unclean.leader.election.enable';

const STATIC_TRUE: ReadonlyMap<string, string> = new Map([[UNCLEAN_LEADER_ELECTION_ENABLE, 'true']]);
const STATIC_FALSE: ReadonlyMap<string, string> = new Map([[UNCLEAN_LEADER_ELECTION_ENABLE, 'false']]);

function isTrue(value: string | null | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/** Per topic name: does it allow unclean election, against this image. */
export function uncleanElectionLookup(image: MetadataImageView, clusterDefault: boolean): (topicName: string) => boolean {
  const inherited = isTrue(
    inheritedTopicConfig(image, UNCLEAN_LEADER_ELECTION_ENABLE, { staticConfigs: clusterDefault ? STATIC_TRUE : STATIC_FALSE }).value,
  );
  return (topicName) => {
    const own = image.configs('topic', topicName).get(UNCLEAN_LEADER_ELECTION_ENABLE);
    return own === undefined ? inherited : isTrue(own);
  };
}

export function uncleanElectionEnabled(image: MetadataImageView, topicName: string, clusterDefault: boolean): boolean {
  return uncleanElectionLookup(image, clusterDefault)(topicName);
}
