package io.kvstore.core.command;

/**
 * The outcome of applying a command. Business outcomes are values, never exceptions: an exception
 * thrown while applying a committed entry would stop the Raft group.
 */
public sealed interface Result
    permits Result.Written, Result.Deleted, Result.ConditionFailed, Result.Rejected {

  /** A put was applied; {@code version} is the log index of this write. */
  record Written(long version) implements Result {}

  /**
   * A delete was applied. {@code existed} tells whether the key was present; {@code version} is the
   * log index of this delete (or 0 if nothing changed).
   */
  record Deleted(boolean existed, long version) implements Result {}

  /**
   * A conditional write found another version ({@code currentVersion}, 0 when the key is absent).
   * Nothing changed.
   */
  record ConditionFailed(long currentVersion) implements Result {}

  /** The command was not applied, for the given reason. Nothing changed. */
  record Rejected(String reason) implements Result {}
}
