package io.kvstore.core.command;

/**
 * Identifies one client write for de-duplication: a client session id (128 bits) and a sequence
 * number that the client increases by one per write. {@code lowestUnacked} is the lowest sequence
 * the client still waits for; results below it may be forgotten (Raft dissertation §6.3).
 */
public record RequestId(long clientHigh, long clientLow, long sequence, long lowestUnacked) {

  /** A request id for writes that need no de-duplication (for example, internal tools). */
  public static final RequestId NONE = new RequestId(0, 0, 0, 0);

  public boolean isNone() {
    return clientHigh == 0 && clientLow == 0;
  }
}
