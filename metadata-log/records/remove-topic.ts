// RemoveTopic (type 9, Kafka's RemoveTopicRecord): deletes a topic. No Partition removals follow:
// replay drops the topic's partitions with it, as Kafka's does.
//
// Version history (payload fields, in order):
//   v0  [topicId]                                                     (current)

import type { RemoveTopicRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, topicId } from './fields.js';

export const removeTopicSchema: RecordSchema<RemoveTopicRecord> = {
  name: 'RemoveTopic',
  typeId: 9,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.topicId];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 1);
    return { type: 'RemoveTopic', topicId: topicId(p[0], 'topicId') };
  },
};
