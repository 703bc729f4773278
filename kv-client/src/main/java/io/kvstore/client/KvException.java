package io.kvstore.client;

/** A request failed. Subclasses say why; the message is one line fit for a user. */
public class KvException extends RuntimeException {
  public KvException(String message) {
    super(message);
  }

  public KvException(String message, Throwable cause) {
    super(message, cause);
  }
}
