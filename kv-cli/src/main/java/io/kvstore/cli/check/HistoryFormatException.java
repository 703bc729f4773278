package io.kvstore.cli.check;

/**
 * A history that cannot be read or paired: bad JSON, a missing field, a completion without an
 * invocation. Checking such a history would give a verdict about something other than what ran, so
 * it is refused outright.
 */
public class HistoryFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public HistoryFormatException(String message) {
    super(message);
  }

  public HistoryFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
