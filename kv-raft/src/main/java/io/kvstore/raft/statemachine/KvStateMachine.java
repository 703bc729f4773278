package io.kvstore.raft.statemachine;

import io.kvstore.core.codec.CodecException;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.Compression;
import io.kvstore.core.codec.QueryCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.CommandExecutor;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.WriteBatch;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StaleReadException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one partition's Raft group.
 *
 * <p>Threading (Ratis): {@code applyTransaction}, {@code notifyTermIndexUpdated}, {@code
 * takeSnapshot} and {@code reinitialize} run on the group's single apply thread, in log order;
 * {@code query} runs concurrently on RPC threads and reads the store, which is safe for concurrent
 * readers; {@code startTransaction} runs on the leader's RPC threads.
 *
 * <p>Restart: the store keeps its applied position durably with its data. Ratis replays the log
 * from the latest snapshot's index, so entries at or below the store's position are skipped, and
 * {@code notifyTermIndexUpdated} ignores positions below the current one (replayed configuration
 * entries would otherwise move the applied index backwards and stop the group).
 *
 * <p>Errors: an entry that does not decode fails loudly (the exception stops this group: replicas
 * with different code must not silently diverge). Business outcomes are results, never exceptions.
 */
public final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);

  /** Opens a partition's store in a directory. */
  public interface StoreOpener {
    PartitionStore open(Path dir) throws IOException;
  }

  private final int partition;
  private final StoreOpener opener;
  private final CommandExecutor executor;
  private final HotCache cache;

  /** Incremented before each applied write; readers fill the cache only if it did not move. */
  private final AtomicLong applySeq = new AtomicLong();

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final SnapshotWriter snapshots = new SnapshotWriter(storage);
  private volatile PartitionStore store;

  public KvStateMachine(int partition, StoreOpener opener) {
    this(partition, opener, Compression.NONE, new HotCache(0));
  }

  public KvStateMachine(
      int partition, StoreOpener opener, Compression compression, HotCache cache) {
    this.partition = partition;
    this.opener = opener;
    this.executor = new CommandExecutor(compression);
    this.cache = cache;
  }

  public int partition() {
    return partition;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    Path storeDir = raftStorage.getStorageDir().getRoot().toPath().resolve("kvdb");
    getLifeCycle()
        .startAndTransition(
            () -> {
              store = opener.open(storeDir);
              loadSnapshotIfNewer();
            },
            IOException.class);
    LOG.info(
        "partition {} opened at {} (snapshot {})",
        partition,
        store.applied(),
        storage.getLatestSnapshot() == null ? "none" : storage.getLatestSnapshot().getTermIndex());
  }

  /** Brings the store up to the latest snapshot when the snapshot is ahead of it. */
  private void loadSnapshotIfNewer() throws IOException {
    SingleFileSnapshotInfo snapshot = storage.getLatestSnapshot();
    if (snapshot != null && snapshot.getIndex() > store.applied().index()) {
      File file = snapshot.getFile().getPath().toFile();
      LOG.info(
          "partition {}: loading snapshot {} (store was at {})",
          partition,
          snapshot.getTermIndex(),
          store.applied());
      store.importSnapshot(file.toPath());
    }
    LogPosition applied = store.applied();
    if (applied.index() > getLastAppliedTermIndex().getIndex()) {
      setLastAppliedTermIndex(TermIndex.valueOf(applied.term(), applied.index()));
    }
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    try {
      CommandCodec.decode(request.getMessage().getContent().toByteArray());
    } catch (CodecException e) {
      trx.setException(e);
    }
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    if (index <= store.applied().index()) {
      return CompletableFuture.completedFuture(Message.EMPTY); // replayed; already in the store
    }
    Proposal proposal =
        CommandCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
    WriteBatch batch = store.newBatch();
    Result result = executor.execute(proposal, index, store, batch);
    applySeq.incrementAndGet();
    batch.commit(new LogPosition(entry.getTerm(), index));
    for (byte[] key : writtenKeys(proposal.command())) {
      cache.invalidate(partition, key);
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(ResultCodec.encode(result))));
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    if (index > getLastAppliedTermIndex().getIndex()) {
      updateLastAppliedTermIndex(term, index);
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      byte[] reply = answer(QueryCodec.decode(request.getContent().toByteArray()));
      return CompletableFuture.completedFuture(
          Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static List<byte[]> writtenKeys(Command c) {
    if (c instanceof Command.Put put) {
      return List.of(put.key());
    }
    if (c instanceof Command.Delete del) {
      return List.of(del.key());
    }
    List<byte[]> keys = new ArrayList<>();
    Command.Txn txn = (Command.Txn) c;
    txn.success().forEach(op -> keys.add(op.key()));
    txn.failure().forEach(op -> keys.add(op.key()));
    return keys;
  }

  private byte[] answer(QueryCodec.Query query) {
    if (query instanceof QueryCodec.Get get) {
      VersionedValue hit = cache.get(partition, get.key());
      if (hit != null) {
        return QueryCodec.encodeGetReply(hit);
      }
      long seq = applySeq.get();
      byte[] stored = store.get(Keyspace.DATA, get.key());
      VersionedValue value = stored == null ? null : ValueCodec.decode(stored);
      if (value != null) {
        cache.fill(partition, get.key(), value, seq, applySeq::get);
      }
      return QueryCodec.encodeGetReply(value);
    }
    QueryCodec.Scan scan = (QueryCodec.Scan) query;
    List<QueryCodec.Entry> entries = new ArrayList<>();
    boolean[] more = {false};
    store.scan(
        Keyspace.DATA,
        scan.start(),
        scan.end(),
        (k, v) -> {
          if (entries.size() == scan.limit()) {
            more[0] = true;
            return false;
          }
          entries.add(new QueryCodec.Entry(k, ValueCodec.decode(v)));
          return true;
        });
    return QueryCodec.encodeScanReply(new QueryCodec.ScanReply(entries, more[0]));
  }

  /** Whether the replica can answer queries now (not paused for a snapshot installation). */
  public boolean serving() {
    return getLifeCycleState() == LifeCycle.State.RUNNING && store != null;
  }

  /** Never waits: a replica behind {@code minIndex} says so at once (Ratis's default hangs). */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    long applied = getLastAppliedTermIndex().getIndex();
    if (applied < minIndex) {
      return CompletableFuture.failedFuture(
          new StaleReadException(
              "partition "
                  + partition
                  + " replica applied "
                  + applied
                  + " < required "
                  + minIndex));
    }
    return query(request);
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last.getIndex() <= 0) {
      return -1;
    }
    // Positions past the store's come from configuration entries: record them so the snapshot
    // header, the file name and the store all agree.
    if (store.applied().index() < last.getIndex()) {
      store.newBatch().commit(new LogPosition(last.getTerm(), last.getIndex()));
    }
    long started = System.nanoTime();
    store.flush();
    snapshots.write(store, last);
    LOG.info(
        "partition {}: snapshot taken at {} in {} ms",
        partition,
        last,
        (System.nanoTime() - started) / 1_000_000);
    return last.getIndex();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public SingleFileSnapshotInfo getLatestSnapshot() {
    return storage.getLatestSnapshot();
  }

  /** Snapshot installation starts: stop serving until {@link #reinitialize()}. */
  @Override
  public void pause() {
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
      lc.transition(LifeCycle.State.PAUSING);
      lc.transition(LifeCycle.State.PAUSED);
    }
  }

  /** A snapshot was installed in the state machine directory: load it, then run again. */
  @Override
  public void reinitialize() throws IOException {
    storage.loadLatestSnapshot();
    applySeq.incrementAndGet();
    loadSnapshotIfNewer();
    cache.invalidatePartition(partition);
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
      lc.transition(LifeCycle.State.STARTING);
      lc.transition(LifeCycle.State.RUNNING);
    }
  }

  /** The store, for status reporting and tests. */
  public PartitionStore store() {
    return store;
  }

  @Override
  public void close() throws IOException {
    PartitionStore s = store;
    if (s != null) {
      s.close();
    }
    super.close();
  }
}
