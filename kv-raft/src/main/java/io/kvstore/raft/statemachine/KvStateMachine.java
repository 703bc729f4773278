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
import io.kvstore.core.command.VersionedValue;
import io.kvstore.core.storage.ConsistentCut;
import io.kvstore.core.storage.CutRegistry;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.StorageException;
import io.kvstore.core.storage.WriteBatch;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StaleReadException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
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
  private final StorageEvents events;

  /** Set when Ratis reports that this group's log could not be written; the log stays failed. */
  private volatile boolean logFailed;

  /** Incremented before each applied write; readers fill the cache only if it did not move. */
  private final AtomicLong applySeq = new AtomicLong();

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final SnapshotWriter snapshots = new SnapshotWriter(storage);
  private volatile PartitionStore store;
  private Path storeDir;

  /** Most bytes of pre-images one consistent cut may hold (see {@link ConsistentCut}). */
  static final long MAX_CUT_BYTES = 64L << 20;

  /** How many finished checks a replica remembers. */
  private static final int KEPT_CHECKS = 64;

  /** Snapshot files kept per partition (the newest two: one may be being sent to a replica). */
  public static final int KEPT_SNAPSHOTS = 2;

  private final CutRegistry cuts = new CutRegistry();

  /** Exports waiting for their SNAPSHOT_CUT entry to be applied here, by cut id. */
  private final Map<Long, CompletableFuture<ConsistentCut>> awaitedCuts = new ConcurrentHashMap<>();

  private final Map<Long, ReplicaCheck> checks =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ReplicaCheck> eldest) {
          return size() > KEPT_CHECKS;
        }
      };

  /** A restored snapshot to install as this group's first snapshot (see {@link #seedFrom}). */
  private volatile Path seed;

  /** See {@link #snapshotAtStartAbove}. */
  private volatile long restartReplayLimitBytes = Long.MAX_VALUE;

  public KvStateMachine(int partition, StoreOpener opener) {
    this(partition, opener, Compression.NONE, new HotCache(0));
  }

  public KvStateMachine(
      int partition, StoreOpener opener, Compression compression, HotCache cache) {
    this(partition, opener, compression, cache, StorageEvents.NONE);
  }

  public KvStateMachine(
      int partition,
      StoreOpener opener,
      Compression compression,
      HotCache cache,
      StorageEvents events) {
    this.partition = partition;
    this.opener = opener;
    this.executor = new CommandExecutor(compression);
    this.cache = cache;
    this.events = events;
  }

  public int partition() {
    return partition;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    if (seed != null) {
      SeedInstaller.install(partition, seed, storage, raftStorage);
    }
    SnapshotWriter.removePartialFiles(storage);
    storeDir = raftStorage.getStorageDir().getRoot().toPath().resolve("kvdb");
    getLifeCycle()
        .startAndTransition(
            () -> {
              store = opener.open(storeDir);
              loadSnapshotIfNewer();
              snapshotIfReplayLarge(raftStorage);
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

  /**
   * Ratis replays a restarted group's log from its latest snapshot and keeps every segment it reads
   * in memory until the log rolls a new segment; entries up to the store's last commit are only
   * skipped, but they are still read. When those are more than the limit, snapshot the store as it
   * reopened (a committed, consistent state at its applied position) so the replay starts there: a
   * restart then costs one export of the partition instead of holding that much log in the heap (at
   * 4 partitions of 1 GB with 512 MiB heaps the replay ran out of memory).
   */
  private void snapshotIfReplayLarge(RaftStorage raftStorage) {
    LogPosition at = store.applied();
    SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
    long from = latest == null ? 1 : latest.getIndex() + 1;
    if (at.index() < from || restartReplayLimitBytes == Long.MAX_VALUE) {
      return;
    }
    try {
      long bytes =
          LogSegmentFiles.bytesOverlapping(
              raftStorage.getStorageDir().getCurrentDir().toPath(), from, at.index());
      if (bytes <= restartReplayLimitBytes) {
        return;
      }
      long started = System.nanoTime();
      snapshots.write(store, TermIndex.valueOf(at.term(), at.index()));
      storage.cleanupOldSnapshots(
          new SnapshotRetentionPolicy() {
            @Override
            public int getNumSnapshotsRetained() {
              return KEPT_SNAPSHOTS;
            }
          });
      LOG.info(
          "partition {}: snapshot taken at {} on start in {} ms (the log up to it, {} MiB, is"
              + " already in the store and is not replayed)",
          partition,
          at,
          (System.nanoTime() - started) / 1_000_000,
          bytes >> 20);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "partition {}: no snapshot on start ({}); replaying the log from {}",
          partition,
          e.toString(),
          from);
    }
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    try {
      CommandCodec.decodeAll(request.getMessage().getContent().toByteArray());
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
    byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
    boolean isBatch = CommandCodec.isBatch(data);
    List<Proposal> proposals =
        isBatch ? CommandCodec.decodeAll(data) : List.of(CommandCodec.decode(data));
    LogPosition position = new LogPosition(entry.getTerm(), index);
    byte[] reply;
    while (true) {
      try {
        WriteBatch batch = cuts.track(store.newBatch());
        // One entry, many client requests: applied in order into one store batch, one result each.
        reply =
            isBatch
                ? ResultCodec.encodeBatch(executor.executeAll(proposals, index, store, batch))
                : ResultCodec.encode(executor.execute(proposals.get(0), index, store, batch));
        applySeq.incrementAndGet();
        batch.commit(position);
        break;
      } catch (StorageException e) {
        // Disk full or failing: wait for it, reopen the store at its last commit, replay the log
        // up to the entry before this one, and apply this one again.
        events.ioError(partition, "store", e);
        reopenStoreAndReplay(index - 1);
      }
    }
    for (Proposal p : proposals) {
      if (p.command() instanceof Command.Marker marker) {
        atMarker(marker, position);
      }
    }
    for (Proposal p : proposals) {
      for (byte[] key : Command.writtenKeys(p.command())) {
        cache.invalidate(partition, key);
      }
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
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

  /**
   * After the store failed to write: waits (on the apply thread, so this replica stops applying but
   * keeps its log and its place in the group) until the disk is writable, then reopens the store
   * from its files — at its last commit, or rebuilt from the latest snapshot if the file does not
   * reopen — and applies the log entries after that up to {@code upTo}. The store's own position
   * and client sessions come back with it, so replaying is deterministic.
   */
  private void reopenStoreAndReplay(long upTo) {
    PartitionStore broken = store;
    try {
      broken.close();
    } catch (IOException | RuntimeException ignored) {
      // it failed already; closing releases its file lock
    }
    long wait = 200;
    while (true) {
      while (!events.writable()) {
        sleep(wait);
        wait = Math.min(1000, wait * 2);
      }
      try {
        store = opener.open(storeDir);
        loadSnapshotIfNewer();
        long from = store.applied().index() + 1;
        RaftLog log = getServer().join().getDivision(getGroupId()).getRaftLog();
        for (long i = from; i <= upTo; i++) {
          LogEntryProto e = log.get(i);
          if (e == null) {
            throw new IOException("log entry " + i + " is not in the log");
          }
          if (!e.hasStateMachineLogEntry()) {
            continue;
          }
          byte[] data = e.getStateMachineLogEntry().getLogData().toByteArray();
          WriteBatch b = store.newBatch();
          if (CommandCodec.isBatch(data)) {
            executor.executeAll(CommandCodec.decodeAll(data), i, store, b);
          } else {
            executor.execute(CommandCodec.decode(data), i, store, b);
          }
          b.commit(new LogPosition(e.getTerm(), i));
        }
        applySeq.incrementAndGet();
        cache.invalidatePartition(partition);
        LOG.warn(
            "partition {}: store reopened at {} after a storage failure; replayed the log to {}",
            partition,
            from - 1,
            upTo);
        return;
      } catch (IOException | RuntimeException e) {
        events.ioError(partition, "store", e);
        PartitionStore s = store;
        try {
          if (s != null) {
            s.close();
          }
        } catch (IOException | RuntimeException ignored) {
          // try again once the disk is writable
        }
        sleep(wait);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the data disk");
    }
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

  /**
   * Ratis could not write this group's log (disk full or failing). Ratis fails every later log
   * write of this replica too; the node reopens the replica once the disk is healthy.
   */
  @Override
  public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
    logFailed = true;
    events.ioError(partition, "Raft log", cause);
  }

  /** Whether Ratis reported a failed write of this replica's log. */
  public boolean logFailed() {
    return logFailed;
  }

  /**
   * Takes a snapshot, or none (returns -1) while the disk is not writable or when writing the file
   * fails: a failed snapshot changes nothing, and the log is purged only behind a written one.
   */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last.getIndex() <= 0 || !events.writable()) {
      return -1;
    }
    // Positions past the store's come from configuration entries: record them so the snapshot
    // header, the file name and the store all agree.
    if (store.applied().index() < last.getIndex()) {
      store.newBatch().commit(new LogPosition(last.getTerm(), last.getIndex()));
    }
    long started = System.nanoTime();
    try {
      store.flush();
    } catch (StorageException e) {
      events.ioError(partition, "store", e);
      reopenStoreAndReplay(last.getIndex());
      return -1;
    }
    try {
      snapshots.write(store, last);
    } catch (IOException e) {
      events.ioError(partition, "snapshot", e);
      return -1;
    }
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

  /**
   * A marker entry was applied at {@code position}: act on this replica's state as of it. Runs on
   * the apply thread, between batches, so a cut opened here shows exactly that state.
   */
  private void atMarker(Command.Marker marker, LogPosition position) {
    if (marker instanceof Command.ComputeHash hash) {
      startHash(hash.checkId(), position);
    } else if (marker instanceof Command.SnapshotCut cut) {
      CompletableFuture<ConsistentCut> waiting = awaitedCuts.remove(cut.cutId());
      if (waiting != null) {
        ConsistentCut opened =
            cuts.open(store, position, EnumSet.allOf(Keyspace.class), MAX_CUT_BYTES);
        if (!waiting.complete(opened)) {
          opened.close(); // the exporter gave up meanwhile
        }
      }
    }
  }

  private void startHash(long checkId, LogPosition position) {
    ConsistentCut cut = cuts.open(store, position, EnumSet.of(Keyspace.DATA), MAX_CUT_BYTES);
    remember(ReplicaCheck.running(checkId, position.term(), position.index()));
    CutWorkers.submit(
        () -> {
          try (cut) {
            DataHash.Sum sum = DataHash.of(cut);
            remember(
                new ReplicaCheck(
                    checkId,
                    ReplicaCheck.State.DONE,
                    position.term(),
                    position.index(),
                    sum.hash(),
                    sum.keys(),
                    null));
          } catch (Exception e) {
            LOG.warn("partition {}: check {} failed: {}", partition, checkId, e.toString());
            remember(
                new ReplicaCheck(
                    checkId,
                    ReplicaCheck.State.FAILED,
                    position.term(),
                    position.index(),
                    null,
                    0,
                    String.valueOf(e.getMessage())));
          }
        });
  }

  private void remember(ReplicaCheck check) {
    synchronized (checks) {
      checks.put(check.checkId(), check);
    }
  }

  /** This replica's part of check {@code checkId}, or null if it never applied its entry. */
  public ReplicaCheck check(long checkId) {
    synchronized (checks) {
      return checks.get(checkId);
    }
  }

  /**
   * Announces an export: when the SNAPSHOT_CUT entry with {@code cutId} is applied here, the future
   * completes with a cut of the state as of that entry. The caller must close the cut, or {@link
   * #forgetCut} if it gives up before.
   */
  public CompletableFuture<ConsistentCut> awaitCut(long cutId) {
    CompletableFuture<ConsistentCut> f = new CompletableFuture<>();
    awaitedCuts.put(cutId, f);
    return f;
  }

  /** Gives up waiting for a cut; a cut opened meanwhile is closed. */
  public void forgetCut(long cutId) {
    CompletableFuture<ConsistentCut> f = awaitedCuts.remove(cutId);
    if (f != null) {
      f.cancel(false);
    }
  }

  /**
   * Makes this state machine start from a restored snapshot file (KVSNAP format) when its group is
   * created: the file becomes the group's first Ratis snapshot, so the log continues after the
   * snapshot's index. Ignored when the group already has a snapshot at or past it.
   */
  public KvStateMachine seedFrom(Path snapshotFile) {
    this.seed = snapshotFile;
    return this;
  }

  /**
   * On start, snapshot the reopened store when the Raft log between the latest snapshot and the
   * store's last commit is larger than {@code bytes} (see {@link #snapshotIfReplayLarge}).
   */
  public KvStateMachine snapshotAtStartAbove(long bytes) {
    this.restartReplayLimitBytes = bytes;
    return this;
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
    cuts.abortAll("a snapshot from the leader replaced this replica's state");
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

  /**
   * The group was removed from this node (its replica moved away): drop the partition's cached
   * values. The node-wide cache would otherwise keep them, and if the partition came back here
   * later a read could find a value that other replicas have since changed.
   */
  @Override
  public void notifyGroupRemove() {
    cache.invalidatePartition(partition);
  }

  /** The store, for status reporting and tests. */
  public PartitionStore store() {
    return store;
  }

  @Override
  public void close() throws IOException {
    cuts.abortAll("the replica is closing");
    PartitionStore s = store;
    if (s != null) {
      s.close();
    }
    super.close();
  }
}
