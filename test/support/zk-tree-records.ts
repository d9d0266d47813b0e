// Records of a Kafka tree as tools/migrate plans them, for tests that drive an import session
// directly (the simulated quorum's scenarios and the controller model).

import type { RegisterBrokerRecord, Uuid } from '../../metadata-log/records/types.js';

/** A broker's registration as the planner writes it from /brokers/ids: fenced until the broker itself registers. */
export function zkBrokerRegistration(brokerId: number, incarnationId: Uuid): RegisterBrokerRecord {
  return {
    type: 'RegisterBroker',
    brokerId,
    incarnationId,
    brokerEpoch: 0,
    endpoints: [{ name: 'PLAINTEXT', host: `zk-broker-${brokerId}`, port: 9092, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    fenced: true,
    inControlledShutdown: false,
    features: [],
  };
}
