package io.kvstore.client;

/**
 * The overall deadline passed. For a write the outcome is unknown: it may or may not have been
 * applied. Retrying the same client call is not automatic after this point.
 */
public class KvTimeoutException extends KvException {
  public KvTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
