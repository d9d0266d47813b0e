// Kafka's error codes (org.apache.kafka.common.protocol.Errors), the ones the controller and the
// broker's Kafka listener answer with. Expected outcomes are values (DESIGN §10): an operation
// answers `{ code, message }`, it does not throw.

export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  /** No authorizer is configured: the ACL APIs are off (Kafka's SecurityDisabledException). */
  SECURITY_DISABLED: 54,
  /** An import step names no open import session (migration/import-metadata.ts): start again. */
  INVALID_TXN_STATE: 48,
  /** Another import is being written (migration/import-metadata.ts): retry once it ends. */
  CONCURRENT_TRANSACTIONS: 51,
  NON_EMPTY_GROUP: 68,
  LISTENER_NOT_FOUND: 72,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  /** A static member's request carries a member id its group.instance.id no longer maps to (KIP-345). */
  FENCED_INSTANCE_ID: 82,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  STALE_BROKER_EPOCH: 77,
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 83,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  INVALID_UPDATE_VERSION: 95,
  FEATURE_UPDATE_FAILED: 96,
  UNKNOWN_TOPIC_ID: 100,
  DUPLICATE_BROKER_REGISTRATION: 101,
  BROKER_ID_NOT_REGISTERED: 102,
  INCONSISTENT_CLUSTER_ID: 104,
  INELIGIBLE_REPLICA: 107,
  NEW_LEADER_ELECTED: 108,
  THROTTLING_QUOTA_EXCEEDED: 89,
  /** AlterUserScramCredentials: a mechanism other than SCRAM-SHA-256 and SCRAM-SHA-512; SaslHandshake: a mechanism the listener does not offer. */
  UNSUPPORTED_SASL_MECHANISM: 33,
  /** SaslHandshake / SaslAuthenticate out of turn: on a listener without SASL, or on a connection already authenticated (no re-authentication, KIP-368). */
  ILLEGAL_SASL_STATE: 34,
  /** SaslAuthenticate: the SASL exchange failed (a wrong password, an unknown user, a malformed message). */
  SASL_AUTHENTICATION_FAILED: 58,
  /** Describe/AlterUserScramCredentials: a named user has no SCRAM credential (the Java AdminClient's all() reads it as "none"), or none for the mechanism a deletion names. */
  RESOURCE_NOT_FOUND: 91,
  /** Describe/AlterUserScramCredentials: the same user named twice in one request. */
  DUPLICATE_RESOURCE: 92,
  /** AlterUserScramCredentials: an empty user name, too few or too many iterations, a malformed salt or salted password. */
  UNACCEPTABLE_CREDENTIAL: 93,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

const NAMES = new Map<number, ErrorCodeName>(Object.entries(ErrorCode).map(([k, v]) => [v, k as ErrorCodeName]));

export function errorName(code: number): string {
  return NAMES.get(code) ?? `ERROR_${code}`;
}

/** An expected outcome: an error code with a human message (NONE carries no message). */
export interface ApiError {
  readonly code: ErrorCodeValue;
  readonly message: string | null;
}

export const NONE: ApiError = { code: ErrorCode.NONE, message: null };

export function apiError(name: ErrorCodeName, message: string): ApiError {
  return { code: ErrorCode[name], message };
}

/** Thrown to a caller whose operation a non-active controller cannot run, or that lost the lead. */
export class NotControllerError extends Error {
  readonly code = ErrorCode.NOT_CONTROLLER;
  readonly retriable = true;
  constructor(
    /** The active controller this node knows of, if any. */
    readonly activeControllerId: number | null,
    message?: string,
    /**
     * 'not-appended': the operation certainly changed nothing. 'unknown': its records were
     * appended and may still commit under the next active controller (retry idempotently).
     */
    readonly outcome: 'not-appended' | 'unknown' = 'not-appended',
  ) {
    super(
      message ??
        (activeControllerId === null
          ? 'not the active controller; none is known yet, retry after the election'
          : `not the active controller; node ${activeControllerId} is, send it there`) +
          (outcome === 'unknown' ? ' (the operation may still have been applied)' : ''),
    );
  }
}
