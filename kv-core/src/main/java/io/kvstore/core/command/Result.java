package io.kvstore.core.command;

import java.util.List;

/**
 * The outcome of applying a command. Business outcomes are values, never exceptions: an exception
 * thrown while applying a committed entry would stop the Raft group.
 */
public sealed interface Result
    permits Result.Written,
        Result.Deleted,
        Result.ConditionFailed,
        Result.TxnDone,
        Result.Rejected,
        Result.Marked {

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

  /**
   * A transaction ran: {@code succeeded} says which branch, {@code version} is its log index (the
   * version of every key it wrote), {@code results} has one entry per operation of that branch.
   */
  record TxnDone(boolean succeeded, long version, List<OpResult> results) implements Result {
    public TxnDone {
      results = List.copyOf(results);
    }
  }

  /** The command was not applied, for the given reason. Nothing changed. */
  record Rejected(String reason) implements Result {}

  /** A {@link Command.Marker} was applied at log index {@code index}. Nothing changed. */
  record Marked(long index) implements Result {}

  /** The result of one operation in a transaction. */
  sealed interface OpResult permits PutDone, DeleteDone, GetDone {}

  /** A put in a transaction was applied. */
  record PutDone() implements OpResult {}

  /** A delete in a transaction; whether the key existed. */
  record DeleteDone(boolean existed) implements OpResult {}

  /** A read in a transaction; {@code value} null when absent. */
  record GetDone(VersionedValue value) implements OpResult {}
}
