package io.kvstore.core.command;

/** A state change carried by one log entry. Keys and values are opaque bytes. */
public sealed interface Command permits Command.Put, Command.Delete {

  /** The key this command changes. */
  byte[] key();

  /** {@link Put#expectedVersion} meaning "no condition". */
  long ANY_VERSION = -1;

  /** {@link Put#expectedVersion} meaning "only if the key is absent". */
  long ABSENT = 0;

  /**
   * Sets {@code key} to {@code value}; creates the key if absent. With {@code expectedVersion}
   * other than {@link #ANY_VERSION}, applies only if the key's current version equals it ({@link
   * #ABSENT}: the key does not exist); otherwise nothing changes and the result is {@link
   * Result.ConditionFailed}.
   */
  record Put(byte[] key, byte[] value, long expectedVersion) implements Command {
    public Put(byte[] key, byte[] value) {
      this(key, value, ANY_VERSION);
    }

    public boolean conditional() {
      return expectedVersion != ANY_VERSION;
    }
  }

  /** Removes {@code key}; a missing key is not an error. */
  record Delete(byte[] key) implements Command {}
}
