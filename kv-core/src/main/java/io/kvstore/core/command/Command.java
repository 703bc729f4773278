package io.kvstore.core.command;

import java.util.List;

/** A state change carried by one log entry. Keys and values are opaque bytes. */
public sealed interface Command permits Command.Put, Command.Delete, Command.Txn, Command.Marker {

  /** Expected version meaning "no condition". */
  long ANY_VERSION = -1;

  /** Expected version meaning "only if the key is absent". */
  long ABSENT = 0;

  /** The most operations (compares and ops of both branches) one transaction may hold. */
  int MAX_TXN_OPS = 128;

  /**
   * The keys {@code c} may write (put or delete), whichever way its conditions turn out; a
   * transaction's keys of both branches. May repeat a key.
   */
  static List<byte[]> writtenKeys(Command c) {
    if (c instanceof Put put) {
      return List.of(put.key());
    }
    if (c instanceof Delete del) {
      return List.of(del.key());
    }
    if (c instanceof Marker) {
      return List.of();
    }
    Txn txn = (Txn) c;
    java.util.ArrayList<byte[]> keys = new java.util.ArrayList<>();
    for (Op op : txn.success()) {
      if (!(op instanceof OpGet)) {
        keys.add(op.key());
      }
    }
    for (Op op : txn.failure()) {
      if (!(op instanceof OpGet)) {
        keys.add(op.key());
      }
    }
    return keys;
  }

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

  /**
   * Removes {@code key}; a missing key is not an error. With {@code expectedVersion} other than
   * {@link #ANY_VERSION}, applies only if the key's current version equals it.
   */
  record Delete(byte[] key, long expectedVersion) implements Command {
    public Delete(byte[] key) {
      this(key, ANY_VERSION);
    }

    public boolean conditional() {
      return expectedVersion != ANY_VERSION;
    }
  }

  /**
   * An etcd-style transaction over keys of one partition: if every compare holds, run {@code
   * success}, else {@code failure}; atomically and in isolation (it is one log entry, applied on
   * one thread while readers see either none or all of it). Operations run in order and see the
   * effects of earlier ones.
   */
  record Txn(List<Compare> compares, List<Op> success, List<Op> failure) implements Command {
    public Txn {
      compares = List.copyOf(compares);
      success = List.copyOf(success);
      failure = List.copyOf(failure);
    }

    public int size() {
      return compares.size() + success.size() + failure.size();
    }
  }

  /** What a compare looks at. */
  enum Target {
    VALUE,
    VERSION,
    CREATE_VERSION,
    EXISTS
  }

  /** How a compare relates the key's current state to the operand. */
  enum Relation {
    EQUAL,
    NOT_EQUAL,
    GREATER,
    LESS
  }

  /**
   * A condition on one key. {@code value} is the operand for {@link Target#VALUE} (unsigned
   * lexicographic order), {@code number} for versions, and 1/0 for {@link Target#EXISTS}. An absent
   * key has version 0, create version 0 and no value (a VALUE compare on it is false, except
   * NOT_EQUAL).
   */
  record Compare(byte[] key, Target target, Relation relation, byte[] value, long number) {}

  /** One operation inside a transaction. */
  sealed interface Op permits OpPut, OpDelete, OpGet {
    byte[] key();
  }

  /** Put inside a transaction. */
  record OpPut(byte[] key, byte[] value) implements Op {}

  /** Delete inside a transaction. */
  record OpDelete(byte[] key) implements Op {}

  /** Read inside a transaction, seeing the transaction's earlier writes. */
  record OpGet(byte[] key) implements Op {}

  /**
   * A command that changes no state: it marks a point of the log at which replicas act on their own
   * state (every replica sees the same state there). Its result is {@link Result.Marked}.
   */
  sealed interface Marker extends Command permits ComputeHash, SnapshotCut {}

  /**
   * Every replica hashes its user keyspace (keys, values, versions) as of this entry and keeps the
   * result under {@code checkId}, so replicas can be compared at the same applied index.
   */
  record ComputeHash(long checkId) implements Marker {}

  /**
   * The replica that asked for {@code cutId} (and only it) starts exporting its whole state as of
   * this entry: a linearizable point for a backup of the partition.
   */
  record SnapshotCut(long cutId) implements Marker {}
}
