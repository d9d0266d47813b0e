// Topic (type 2, Kafka's TopicRecord): creates a topic. Its partitions follow as Partition records.
//
// Version history (payload fields, in order):
//   v0  [name, topicId]                                               (current)
//
// The name is checked as a string only: Kafka's naming rules (legal characters, length) are the
// controller's to enforce when it creates the topic, not the log's to re-judge on replay.

import type { TopicRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, str, topicId } from './fields.js';

export const topicSchema: RecordSchema<TopicRecord> = {
  name: 'Topic',
  typeId: 2,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.name, r.topicId];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 2);
    return { type: 'Topic', name: str(p[0], 'name'), topicId: topicId(p[1], 'topicId') };
  },
};
