package io.kvstore.client;

/** No node could serve the request (no leader, no majority, or no node reachable). */
public class KvUnavailableException extends KvException {
  public KvUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
