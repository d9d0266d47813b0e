// The one error the Kafka codec throws for bytes it cannot accept (DESIGN §8, §10): a truncated
// field, a varint longer than 5 bytes or 32 bits, a negative length where null is not allowed, an
// array count that cannot fit in what is left of the frame, more array items than one request may
// hold, a string that decodes longer than a STRING holds, bytes left over after the body, an
// oversized frame. Decoding never lets a
// RangeError (or anything else) escape for malformed input; the connection that sent the frame
// must be closed with `reason` logged. Encoding errors on our own values are programmer errors
// (AssertionError), not this.

export type KafkaProtocolErrorCode =
  | 'TRUNCATED'
  | 'NEGATIVE_LENGTH'
  | 'COUNT_TOO_LARGE'
  | 'TOO_MANY_ITEMS'
  | 'STRING_TOO_LONG'
  | 'TRAILING_BYTES'
  | 'FRAME_TOO_LARGE'
  | 'BAD_HEADER'
  | 'BAD_VARINT';

export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
  /** Retrying the same bytes cannot help. */
  readonly retriable = false;
  readonly nextStep = 'close the connection and log the reason; the client must reconnect';
  constructor(
    readonly code: KafkaProtocolErrorCode,
    readonly reason: string,
  ) {
    super(`malformed Kafka request (${code}): ${reason}`);
  }
}
