// DescribeUserScramCredentials (api 50, v0) and AlterUserScramCredentials (api 51, v0): users'
// SCRAM credentials (KIP-554), as the Java AdminClient's describeUserScramCredentials /
// alterUserScramCredentials and so kafka-configs.sh --entity-type users use them. The credentials
// are stored in the metadata log (UserScramCredential records: salt, StoredKey, ServerKey and
// iteration count, never the password); Kafka clients authenticate with them on SASL listeners
// (../sasl/sasl-session.ts).
//
// - DescribeUserScramCredentials is answered from this broker's own image with the controller's
//   own describeUserScramCredentials (quorum/controller/configs/scram-credentials.ts, Kafka's
//   ScramImage.describe), as a KRaft broker answers from its metadata cache: no users named (null
//   or empty) is every user with a credential; each named user once, in the order first named,
//   with its mechanisms and iteration counts, RESOURCE_NOT_FOUND (91) when it has none, and
//   DUPLICATE_RESOURCE (92) for a user named more than once. Never salts or keys.
// - AlterUserScramCredentials is forwarded to the active controller's `alterUserScramCredentials`
//   op, which judges every user (Kafka's ScramControlManager rules: a user named twice
//   DUPLICATE_RESOURCE, an empty name or iterations outside 4096..16384 UNACCEPTABLE_CREDENTIAL (93),
//   an unknown mechanism UNSUPPORTED_SASL_MECHANISM (33), deleting a credential not held
//   RESOURCE_NOT_FOUND, metadata.version below 1.0-IV6 UNSUPPORTED_VERSION) and turns each salted
//   password into StoredKey and ServerKey; it answers one result per user, in the order first
//   named (deletions, then upsertions). After a write this broker waits, at most
//   READ_YOUR_WRITES_WAIT_MS, until its own image shows what the users answered NONE set and
//   deleted, so a DescribeUserScramCredentials to it right after sees them. A forward that fails as
//   a whole answers every user named, once each and sorted (Kafka's getErrorResponse), with
//   NOT_CONTROLLER (retried by clients) or the controller's code (./controller-failure.ts).
// Who may call them (DESCRIBE / ALTER on the cluster) is checked before, in ../authorize-requests.ts.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ScramMechanism } from '../../../metadata-log/records/types.js';
import { describeUserScramCredentials } from '../../../quorum/controller/configs/scram-credentials.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
import {
  alterUserScramCredentialsErrorResponse,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
  type ScramCredentialDeletionData,
  type ScramCredentialUpsertionData,
} from '../protocol/apis/alter-user-scram-credentials.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../protocol/apis/describe-user-scram-credentials.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';
import { READ_YOUR_WRITES_WAIT_MS } from './topics.js';

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

/** True when `image` no longer holds the deleted credential, or holds the upserted one (its salt and iterations). */
function shows(image: MetadataImageView, alteration: ScramCredentialDeletionData | ScramCredentialUpsertionData): boolean {
  const held = image.scramUser(alteration.name)?.credentials.get(alteration.mechanism as ScramMechanism);
  if (!('iterations' in alteration)) return held === undefined;
  return held !== undefined && held.iterations === alteration.iterations && Buffer.from(held.salt).equals(alteration.salt);
}

export const handleAlterUserScramCredentials: KafkaHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse> = async (ctx, request) => {
  if (request.deletions.length === 0 && request.upsertions.length === 0) return { throttleTimeMs: 0, results: [] };
  let answered: readonly { readonly user: string; readonly errorCode: number; readonly errorMessage: string | null }[];
  try {
    const r = await ctx.controller.call(
      'alterUserScramCredentials',
      {
        deletions: request.deletions.map((d) => ({ name: d.name, mechanism: d.mechanism })),
        upsertions: request.upsertions.map((u) => ({ name: u.name, mechanism: u.mechanism, iterations: u.iterations, salt: u.salt, saltedPassword: u.saltedPassword })),
      },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    answered = r.results;
  } catch (e) {
    const f = forwardFailure(e, 'admin');
    return alterUserScramCredentialsErrorResponse(request, f.errorCode, f.errorMessage);
  }
  const byUser = new Map(answered.map((x) => [x.user, x]));
  // One result per user, in the order first named (what the controller answers).
  const users = [...new Set([...request.deletions.map((d) => d.name), ...request.upsertions.map((u) => u.name)])];
  const written = [...request.deletions, ...request.upsertions].filter((a) => byUser.get(a.name)?.errorCode === ErrorCode.NONE);
  if (written.length > 0) await ctx.awaitImage((image) => written.every((a) => shows(image, a)), READ_YOUR_WRITES_WAIT_MS);
  return {
    throttleTimeMs: 0,
    results: users.map((user) => {
      const x = byUser.get(user);
      return x === undefined
        ? { user, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the controller answered no result for this user' }
        : { user, errorCode: x.errorCode, errorMessage: x.errorMessage };
    }),
  };
};
