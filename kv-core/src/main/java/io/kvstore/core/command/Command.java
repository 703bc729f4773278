package io.kvstore.core.command;

/** A state change carried by one log entry. Keys and values are opaque bytes. */
public sealed interface Command permits Command.Put, Command.Delete {

  /** The key this command changes. */
  byte[] key();

  /** Sets {@code key} to {@code value}; creates the key if absent. */
  record Put(byte[] key, byte[] value) implements Command {}

  /** Removes {@code key}; a missing key is not an error. */
  record Delete(byte[] key) implements Command {}
}
