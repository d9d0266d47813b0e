// DescribeUserScramCredentials (api 50, v0) and AlterUserScramCredentials (api 51, v0): users'
// SCRAM credentials (KIP-554), as the Java AdminClient's describeUserScramCredentials /
// alterUserScramCredentials and so kafka-configs.sh --entity-type users use them. The credentials
// are stored in the metadata log (UserScramCredential records: salt, StoredKey, ServerKey and
// iteration count, never the password); no listener here offers SASL, so they authenticate
// nothing yet.
//
// - DescribeUserScramCredentials is answered from this broker's own image with the controller's
//   own describeUserScramCredentials (quorum/controller/configs/scram-credentials.ts, Kafka's
//   ScramImage.describe), as a KRaft broker answers from its metadata cache: no users named (null
//   or empty) is every user with a credential; each named user once, in the order first named,
//   with its mechanisms and iteration counts, RESOURCE_NOT_FOUND (91) when it has none, and
//   DUPLICATE_RESOURCE (92) for a user named more than once. Never salts or keys.
// Who may call them (DESCRIBE / ALTER on the cluster) is checked before, in ../authorize-requests.ts.

import { describeUserScramCredentials } from '../../../quorum/controller/configs/scram-credentials.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../protocol/apis/describe-user-scram-credentials.js';
import type { KafkaHandler } from './context.js';

export const handleDescribeUserScramCredentials: KafkaHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse> = async (ctx, request) => {
  const r = describeUserScramCredentials(ctx.image(), { users: request.users });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    results: r.results.map((u) => ({
      user: u.user,
      errorCode: u.errorCode,
      errorMessage: u.errorMessage,
      credentialInfos: u.credentialInfos.map((c) => ({ mechanism: c.mechanism, iterations: c.iterations })),
    })),
  };
};
