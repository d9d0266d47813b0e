// Fixed limits of a Kafka client connection, shared by the connection (./kafka-connection.ts) and
// the configuration that must stay within them (tools/config/server-keys.ts).

/** Kafka's connections.max.idle.ms default: a connection that sends nothing this long is closed. */
export const CONNECTIONS_MAX_IDLE_MS = 600_000;
