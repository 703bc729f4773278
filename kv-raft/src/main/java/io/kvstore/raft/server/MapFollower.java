package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's cluster map up to date with the meta group, whether or not the node votes in
 * it: a linearizable read of {@code cluster/map} every {@code cluster.map-poll-ms} and at once when
 * a request misses (names a partition this node does not serve, so its map may be old). A newer map
 * is written to {@code cluster-map.bin} first and then made current, so a restart never starts from
 * an older map than one the node already acted on; older or equal epochs are ignored. After every
 * poll the {@link GroupJanitor} removes replicas the map and the group no longer hold.
 */
final class MapFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MapFollower.class);

  /** How often a request miss may trigger an extra poll. */
  static final long MIN_POKE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final String nodeId;
  private final Path dataDir;
  private final PartitionGroups groups;
  private final MapStore store;
  private final GroupJanitor janitor;
  private final long pollMs;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pokePending = new AtomicBoolean();
  private volatile long lastPokeNanos;
  private long failures;

  MapFollower(
      String nodeId, Path dataDir, PartitionGroups groups, GroupJanitor janitor, long pollMs) {
    this.nodeId = nodeId;
    this.dataDir = dataDir;
    this.groups = groups;
    this.janitor = janitor;
    this.pollMs = pollMs;
    // Few quick attempts: the next poll comes soon anyway, and the thread also runs the janitor.
    this.store = MapStore.connect(groups.map(), Duration.ofSeconds(3), 2);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, nodeId + "-map-follower");
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    executor.scheduleWithFixedDelay(this::poll, 0, pollMs, TimeUnit.MILLISECONDS);
  }

  /** Asks for a poll soon (a request missed); cheap, coalesced and rate-limited. */
  void poke() {
    long now = System.nanoTime();
    if (now - lastPokeNanos < MIN_POKE_INTERVAL_NANOS || !pokePending.compareAndSet(false, true)) {
      return;
    }
    lastPokeNanos = now;
    try {
      executor.execute(
          () -> {
            pokePending.set(false);
            poll();
          });
    } catch (RejectedExecutionException e) {
      pokePending.set(false); // closing
    }
  }

  private void poll() {
    try {
      MapStore.Stored stored = store.read();
      if (stored != null) {
        offer(stored.map());
      }
      failures = 0;
    } catch (IOException | RuntimeException e) {
      // The meta group may have no leader for a moment; the next poll tries again.
      if (failures++ % 20 == 0) {
        LOG.info("{}: cannot read the cluster map from the meta group: {}", nodeId, e.toString());
      }
    }
    try {
      janitor.sweep();
    } catch (RuntimeException e) {
      LOG.warn("{}: replica cleanup failed: {}", nodeId, e.toString());
    }
  }

  /**
   * Takes {@code map} if it is newer than the current one: persists it, then makes it current.
   * Returns whether it did.
   */
  synchronized boolean offer(ClusterMap map) throws IOException {
    ClusterMap current = groups.map();
    if (map.epoch() <= current.epoch()) {
      return false;
    }
    MapFile.save(dataDir, map);
    if (groups.advance(map)) {
      LOG.info(
          "{}: cluster map epoch {} -> {}; partitions here: {}",
          nodeId,
          current.epoch(),
          map.epoch(),
          map.partitionsOf(nodeId));
      return true;
    }
    return false;
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      store.close();
    } catch (IOException e) {
      LOG.debug("closing the meta group client: {}", e.toString());
    }
  }
}
