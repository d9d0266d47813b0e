// A valid server.properties for one combined node (its own single voter): config tests change a
// key or two of it.

export const ONE_NODE_PROPERTIES: Readonly<Record<string, string>> = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.quorum.voters': '1@localhost:9093',
  'controller.listener.names': 'CONTROLLER',
  listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
  'log.dirs': '/var/lib/mq/data',
};
