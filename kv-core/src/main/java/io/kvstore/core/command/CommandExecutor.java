package io.kvstore.core.command;

import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.ReadView;
import io.kvstore.core.storage.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a {@link Proposal} at a log index to a partition's state. Pure and deterministic: the
 * outcome depends only on the stored state, the proposal and the index, so every replica that
 * applies the same log reaches the same state.
 *
 * <p>De-duplication (client sessions, Raft dissertation §6.3): each write carries a client session
 * id and sequence number. The result of every applied write is kept until the client reports it has
 * seen it ({@code lowestUnacked}) or it falls out of a {@value #RESULT_WINDOW}-write window; a
 * retry of a remembered write returns the remembered result and changes nothing. At most {@value
 * #MAX_SESSIONS} sessions are kept; the least recently used one is evicted. These bounds are
 * constants because they are part of the replicated semantics.
 */
public final class CommandExecutor {
  private final io.kvstore.core.codec.Compression compression;

  /** An executor storing values uncompressed. */
  public CommandExecutor() {
    this(io.kvstore.core.codec.Compression.NONE);
  }

  /**
   * An executor compressing stored values. Compression changes only the stored bytes, never the
   * logical state, so replicas may use different settings (each value carries its codec tag).
   */
  public CommandExecutor(io.kvstore.core.codec.Compression compression) {
    this.compression = compression;
  }

  public static final int MAX_SESSIONS = 10_000;
  public static final long RESULT_WINDOW = 4096;
  private static final byte[] SESSION_COUNT = "session.count".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_COUNT = "data.keys".getBytes(StandardCharsets.US_ASCII);

  /**
   * Applies {@code proposal} as the entry at {@code index}. Reads go through {@code batch}; writes
   * into it; the caller commits the batch with the entry's position. {@code view} must be the store
   * the batch was made from (used for range scans of committed state).
   */
  public Result execute(Proposal proposal, long index, ReadView view, WriteBatch batch) {
    if (proposal.command() instanceof Command.Marker) {
      return new Result.Marked(index); // changes nothing, needs no de-duplication
    }
    RequestId id = proposal.requestId();
    if (id.isNone()) {
      return apply(proposal.command(), index, batch);
    }
    byte[] client = clientKey(id);
    Session session = Session.decode(batch.get(Keyspace.SESSIONS, client));
    if (session != null) {
      byte[] remembered = batch.get(Keyspace.SESSION_RESULTS, resultKey(client, id.sequence()));
      if (remembered != null) {
        return ResultCodec.decode(remembered);
      }
      if (id.sequence() < session.floor) {
        return new Result.Rejected(
            "request " + id.sequence() + " was already acknowledged to this client session");
      }
    }
    Result result = apply(proposal.command(), index, batch);
    remember(client, id, session, result, index, view, batch);
    return result;
  }

  /**
   * Applies the proposals of one batched entry at {@code index}, in order, into one {@code batch}:
   * each sees the effects of the earlier ones and gets its own result and its own session
   * de-duplication, exactly as if each were its own entry, except that every write is stamped with
   * the same {@code index}. The caller keeps writes of one key to at most one proposal per entry
   * (see {@link Command#writtenKeys}), so versions stay unique per key.
   */
  public List<Result> executeAll(
      List<Proposal> proposals, long index, ReadView view, WriteBatch batch) {
    List<Result> results = new ArrayList<>(proposals.size());
    for (Proposal p : proposals) {
      results.add(execute(p, index, view, batch));
    }
    return results;
  }

  private Result apply(Command command, long index, WriteBatch batch) {
    if (command instanceof Command.Txn txn) {
      return applyTxn(txn, index, batch);
    }
    if (command instanceof Command.Put put) {
      if (put.key().length == 0) {
        return new Result.Rejected("empty key");
      }
      VersionedValue current = read(batch, put.key());
      long currentVersion = current == null ? Command.ABSENT : current.version();
      if (put.conditional() && put.expectedVersion() != currentVersion) {
        return new Result.ConditionFailed(currentVersion);
      }
      write(batch, put.key(), put.value(), current, index);
      return new Result.Written(index);
    }
    Command.Delete delete = (Command.Delete) command;
    if (delete.key().length == 0) {
      return new Result.Rejected("empty key");
    }
    VersionedValue current = read(batch, delete.key());
    long currentVersion = current == null ? Command.ABSENT : current.version();
    if (delete.conditional() && delete.expectedVersion() != currentVersion) {
      return new Result.ConditionFailed(currentVersion);
    }
    if (current == null) {
      return new Result.Deleted(false, 0);
    }
    remove(batch, delete.key());
    return new Result.Deleted(true, index);
  }

  private Result applyTxn(Command.Txn txn, long index, WriteBatch batch) {
    if (txn.size() > Command.MAX_TXN_OPS) {
      return new Result.Rejected(
          "transaction has " + txn.size() + " operations; the limit is " + Command.MAX_TXN_OPS);
    }
    for (Command.Compare c : txn.compares()) {
      if (c.key().length == 0) {
        return new Result.Rejected("empty key in compare");
      }
    }
    for (Command.Op op : txn.success()) {
      if (op.key().length == 0) {
        return new Result.Rejected("empty key in transaction");
      }
    }
    for (Command.Op op : txn.failure()) {
      if (op.key().length == 0) {
        return new Result.Rejected("empty key in transaction");
      }
    }
    boolean holds = true;
    for (Command.Compare c : txn.compares()) {
      holds &= TxnCompare.holds(c, read(batch, c.key()));
    }
    List<Result.OpResult> results = new ArrayList<>();
    for (Command.Op op : holds ? txn.success() : txn.failure()) {
      if (op instanceof Command.OpPut put) {
        write(batch, put.key(), put.value(), read(batch, put.key()), index);
        results.add(new Result.PutDone());
      } else if (op instanceof Command.OpDelete del) {
        boolean existed = read(batch, del.key()) != null;
        if (existed) {
          remove(batch, del.key());
        }
        results.add(new Result.DeleteDone(existed));
      } else {
        results.add(new Result.GetDone(read(batch, op.key())));
      }
    }
    return new Result.TxnDone(holds, index, results);
  }

  private static VersionedValue read(WriteBatch batch, byte[] key) {
    byte[] stored = batch.get(Keyspace.DATA, key);
    return stored == null ? null : ValueCodec.decode(stored);
  }

  private void write(
      WriteBatch batch, byte[] key, byte[] value, VersionedValue current, long index) {
    long created = current == null ? index : current.createVersion();
    batch.put(
        Keyspace.DATA,
        key,
        ValueCodec.encode(new VersionedValue(value, index, created), compression));
    if (current == null) {
      addToCounter(batch, KEY_COUNT, 1);
    }
  }

  private static void remove(WriteBatch batch, byte[] key) {
    batch.delete(Keyspace.DATA, key);
    addToCounter(batch, KEY_COUNT, -1);
  }

  /** The number of user keys in a store written by this executor. */
  public static long keyCount(io.kvstore.core.storage.ReadView view) {
    byte[] v = view.get(Keyspace.META, KEY_COUNT);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  private static void addToCounter(WriteBatch batch, byte[] name, long delta) {
    byte[] v = batch.get(Keyspace.META, name);
    long n = (v == null ? 0 : ByteBuffer.wrap(v).getLong()) + delta;
    batch.put(Keyspace.META, name, longBytes(n));
  }

  private void remember(
      byte[] client,
      RequestId id,
      Session old,
      Result result,
      long index,
      ReadView view,
      WriteBatch batch) {
    long floor = Math.max(id.lowestUnacked(), id.sequence() - RESULT_WINDOW + 1);
    if (old != null) {
      floor = Math.max(floor, old.floor);
      if (floor > old.floor) {
        forgetResults(client, old.floor, floor, batch);
      }
      batch.delete(Keyspace.SESSION_AGE, ageKey(old.lastIndex, client));
    } else {
      long count = counter(batch) + 1;
      if (count > MAX_SESSIONS) {
        evictOldest(batch);
        count--;
      }
      batch.put(Keyspace.META, SESSION_COUNT, longBytes(count));
    }
    if (id.sequence() >= floor) {
      batch.put(
          Keyspace.SESSION_RESULTS, resultKey(client, id.sequence()), ResultCodec.encode(result));
    }
    batch.put(Keyspace.SESSIONS, client, new Session(index, floor).encode());
    batch.put(Keyspace.SESSION_AGE, ageKey(index, client), new byte[0]);
  }

  // Scans go through the batch so that earlier proposals of the same entry are seen.
  private void forgetResults(byte[] client, long fromSeq, long toSeq, WriteBatch batch) {
    List<byte[]> doomed = new ArrayList<>();
    batch.scan(
        Keyspace.SESSION_RESULTS,
        resultKey(client, Math.max(0, fromSeq)),
        resultKey(client, toSeq),
        (k, v) -> doomed.add(k));
    for (byte[] k : doomed) {
      batch.delete(Keyspace.SESSION_RESULTS, k);
    }
  }

  private void evictOldest(WriteBatch batch) {
    byte[][] oldest = new byte[1][];
    batch.scan(
        Keyspace.SESSION_AGE,
        null,
        null,
        (k, v) -> {
          oldest[0] = k;
          return false;
        });
    if (oldest[0] == null) {
      return;
    }
    byte[] client = java.util.Arrays.copyOfRange(oldest[0], 8, 24);
    batch.delete(Keyspace.SESSION_AGE, oldest[0]);
    batch.delete(Keyspace.SESSIONS, client);
    forgetResults(client, 0, Long.MAX_VALUE, batch);
  }

  private static long counter(WriteBatch batch) {
    byte[] v = batch.get(Keyspace.META, SESSION_COUNT);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  private static byte[] clientKey(RequestId id) {
    return ByteBuffer.allocate(16).putLong(id.clientHigh()).putLong(id.clientLow()).array();
  }

  private static byte[] resultKey(byte[] client, long seq) {
    // sequence numbers are non-negative, so big-endian order is numeric order
    return ByteBuffer.allocate(24).put(client).putLong(seq).array();
  }

  private static byte[] ageKey(long index, byte[] client) {
    return ByteBuffer.allocate(24).putLong(index).put(client).array();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /** A client session: the index of its last write and the lowest sequence still remembered. */
  private record Session(long lastIndex, long floor) {
    byte[] encode() {
      return ByteBuffer.allocate(16).putLong(lastIndex).putLong(floor).array();
    }

    static Session decode(byte[] b) {
      if (b == null) {
        return null;
      }
      ByteBuffer buf = ByteBuffer.wrap(b);
      return new Session(buf.getLong(), buf.getLong());
    }
  }
}
