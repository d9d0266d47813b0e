// DescribeUserScramCredentials (api 50, v0): what the Java AdminClient's
// describeUserScramCredentials sends, and so kafka-configs.sh --describe --entity-type users (it
// describes the users' SCRAM credentials after their quotas, and failed with
// UnsupportedVersionException while the key was not advertised).
//
// metaquorum has no SASL/SCRAM: the metadata log holds no UserScramCredential records and nothing
// can create one (AlterUserScramCredentials, key 51, is not advertised). So the honest answer is
// that no user has a credential, in the shape of Kafka's KRaft answer (ScramImage.describe):
// - no users named (null or empty): every user with a credential, which is none: NONE at the top,
//   no results;
// - each named user, once, in the order first named: RESOURCE_NOT_FOUND (91), "Attempt to describe
//   a user credential that does not exist: <name>" (an empty name too, as KRaft answers it);
// - a user named more than once: a single result, DUPLICATE_RESOURCE (92), "Cannot describe SCRAM
//   credentials for the same user twice in a single request: <name>".
// Kafka's results come out of a HashMap, in no defined order; first-named order is one of them.
// Who may call it (DESCRIBE on the cluster) is checked before, in ../authorize-requests.ts.

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse, DescribeUserScramCredentialsResult } from '../protocol/apis/describe-user-scram-credentials.js';
import type { KafkaHandler } from './context.js';

/** Kafka's ScramImage.DESCRIBE_USER_THAT_DOES_NOT_EXIST. */
export const SCRAM_USER_NOT_FOUND = 'Attempt to describe a user credential that does not exist: ';
/** Kafka's ScramImage.DESCRIBE_DUPLICATE_USER. */
export const SCRAM_DUPLICATE_USER = 'Cannot describe SCRAM credentials for the same user twice in a single request: ';

export const handleDescribeUserScramCredentials: KafkaHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse> = async (_ctx, request) => {
  const named = new Map<string, boolean>(); // name -> named more than once
  for (const { name } of request.users ?? []) named.set(name, named.has(name));
  const results: DescribeUserScramCredentialsResult[] = [...named].map(([user, duplicate]) =>
    duplicate
      ? { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: SCRAM_DUPLICATE_USER + user, credentialInfos: [] }
      : { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: SCRAM_USER_NOT_FOUND + user, credentialInfos: [] },
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
};
