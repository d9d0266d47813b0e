// An unmodified kafkajs 2.2.4 admin client for end-to-end tests: connected, quiet, with a retry
// budget the test chooses (0 when a refusal must come back as the refusal, not as a timeout).

import { Kafka, logLevel, type Admin } from 'kafkajs';

/** `brokers` as host:port, or a comma-separated list of them (ProcessCluster.bootstrapServers()). */
export async function connectedAdmin(clientId: string, brokers: string | readonly string[], retries = 8): Promise<Admin> {
  const kafka = new Kafka({ clientId, brokers: typeof brokers === 'string' ? brokers.split(',') : [...brokers], logLevel: logLevel.NOTHING, retry: { retries } });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}
